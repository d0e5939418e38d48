from django.contrib import admin
from django.db import models

from events import services
from events.forms import EventAdminForm
from events.models import DialInNumber, Event, Invitation, Registration, Series, Speaker


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title"]


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 1
    fields = ["order", "name", "title", "organisation", "place"]


class DialInNumberInline(admin.TabularInline):
    model = DialInNumber
    extra = 1
    fields = ["order", "number", "label"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Programme admins edit events here. Saving a change of date, place or access details
    increments SEQUENCE and sends the updated calendar entry to everyone concerned; cancelling
    is done from the event's management page (with a message to participants)."""

    form = EventAdminForm
    inlines = [SpeakerInline, DialInNumberInline]
    list_display = ["__str__", "starts_at", "kind", "format", "status", "sequence"]
    list_filter = ["status", "kind", "format", "series"]
    search_fields = ["title", "episode_title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["commune", "call"]
    readonly_fields = ["uid", "sequence", "status"]
    fieldsets = [
        (
            "Événement",
            {
                "fields": [
                    "series",
                    "episode_number",
                    "episode_title",
                    "title",
                    "slug",
                    "kind",
                    "description",
                    "programme",
                    "audience",
                    "call",
                ]
            },
        ),
        (
            "Date et heure (Europe/Paris)",
            {"fields": ["starts_local", "ends_local", "ambiguous_time"]},
        ),
        (
            "Format et accès",
            {
                "fields": [
                    "format",
                    "join_url",
                    "meeting_number",
                    "video_address",
                    "video_ip_instructions",
                    "access_code",
                    "access_details_for_registered_only",
                    "venue_name",
                    "venue_address",
                    "commune",
                ]
            },
        ),
        (
            "Inscriptions et organisation",
            {
                "fields": [
                    "registration_open",
                    "capacity",
                    "organiser_name",
                    "organiser_email",
                    "replay_url",
                ]
            },
        ),
        ("Calendrier", {"fields": ["uid", "sequence", "status"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            saved = Event.objects.get(pk=obj.pk)
            form._schedule_before = services.schedule_snapshot(saved)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(form, "_schedule_before", None)
        if before is not None:
            notified = services.publish_update(form.instance, before=before, actor=request.user)
            if notified:
                self.message_user(
                    request,
                    f"La mise à jour du calendrier a été envoyée à {notified} personne(s).",
                )


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Registrations are read here; they are taken, cancelled and promoted through the event
    pages so that capacity, waiting list and e-mails always apply."""

    list_display = ["name", "email", "event", "status", "created_at", "attended_at"]
    list_filter = ["status", "event"]
    search_fields = ["name", "email", "organisation"]
    raw_id_fields = ["event", "user"]
    readonly_fields = [
        "event",
        "email",
        "status",
        "created_at",
        "promoted_at",
        "cancelled_at",
        "attended_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "event", "audience", "invited_at"]
    list_filter = ["event"]
    search_fields = ["email"]
    raw_id_fields = ["event", "invited_by"]

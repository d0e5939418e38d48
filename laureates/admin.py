from django.contrib import admin

from laureates.models import Ptce, PtceLabel, PtceMember, PtceStatusChange
from laureates.models_followup import Agreement, Payment, Report
from laureates.models_support import Enrolment, PtceContact, SupportOffer, SupportPartner
from laureates.services import recompute_geography


class PtceLabelInline(admin.TabularInline):
    model = PtceLabel
    extra = 0
    raw_id_fields = ["call"]


class PtceMemberInline(admin.TabularInline):
    model = PtceMember
    extra = 0


class PtceStatusChangeInline(admin.TabularInline):
    model = PtceStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["changed_at", "from_status", "to_status", "reason", "actor_label"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ptce)
class PtceAdmin(admin.ModelAdmin):
    """Staff edit identity, territory and members here; the status only changes through
    laureates.services.change_ptce_status (read-only in this form)."""

    list_display = ["name", "status", "main_region", "main_department", "needs_review"]
    list_filter = ["status", "needs_review", "main_region"]
    search_fields = ["name", "search_name", "lead_organisation_name"]
    readonly_fields = [
        "uuid",
        "status",
        "status_page",
        "status_changed_at",
        "main_region",
        "main_department",
        "population_covered",
        "updated_at",
    ]
    autocomplete_fields = []
    raw_id_fields = ["communes", "epcis"]

    @admin.display(description="changer le statut")
    def status_page(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        if not obj.pk:
            return "—"
        url = reverse("laureates:ptce_status", args=[obj.pk])
        return format_html('<a href="{}">Page de changement de statut (motif, historique)</a>', url)

    inlines = [PtceLabelInline, PtceMemberInline, PtceStatusChangeInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        recompute_geography(form.instance)


# --- Support services (bouquet de services) ------------------------------------------------


@admin.register(PtceContact)
class PtceContactAdmin(admin.ModelAdmin):
    list_display = ["ptce", "user", "created_at"]
    search_fields = ["ptce__name", "user__email"]
    raw_id_fields = ["ptce", "user"]


@admin.register(SupportPartner)
class SupportPartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "website"]
    search_fields = ["name"]


@admin.register(SupportOffer)
class SupportOfferAdmin(admin.ModelAdmin):
    """Programme admins configure offers; raising the capacity promotes the waiting list."""

    list_display = [
        "title",
        "partner",
        "format",
        "audience",
        "capacity",
        "starts_on",
        "is_published",
    ]
    list_filter = ["partner", "format", "audience", "is_published"]
    search_fields = ["title", "partner__name"]
    prepopulated_fields = {"slug": ["title"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from laureates.support_services import promote_waiting

        if change and "capacity" in form.changed_data:
            promote_waiting(obj, actor=request.user)


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    """Read-only: enrolments change through the offer's staff page (audited)."""

    list_display = ["ptce", "offer", "status", "attended", "queued_at"]
    list_filter = ["status", "attended", "offer__partner"]
    search_fields = ["ptce__name", "offer__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Follow-up of phase-2 laureates (read-only: changes go through the staff pages) ----------


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PaymentInline(_ReadOnlyInline):
    model = Payment
    fields = [
        "position",
        "label",
        "share",
        "planned_amount",
        "planned_on",
        "paid_amount",
        "paid_on",
    ]


class ReportInline(_ReadOnlyInline):
    model = Report
    fields = ["kind", "year", "due_on", "status", "submitted_at", "reviewed_at"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    """Read-only: signature, payments and report reviews are recorded (and audited) on
    /suivi-laureats/."""

    list_display = ["ptce", "amount", "starts_on", "signed_on"]
    search_fields = ["ptce__name"]
    inlines = [PaymentInline, ReportInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

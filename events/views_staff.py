"""Staff screens of the events: the list of every event, creating and editing one (season,
episode, speakers, format, access details, capacity) without the Django administration.
Invitations, registrations, attendance and cancellation stay on the « Gestion » page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from events.editing import EditConflict, save_event
from events.forms_staff import DialInNumberFormSet, EventStaffForm, SpeakerFormSet
from events.models import Event, RegistrationStatus
from events.views import _event_or_404, _events_crumb, staff_required

FIELD_GROUPS = [
    (
        "Présentation",
        ["title", "slug", "kind", "series", "new_series_title", "episode_number", "episode_title"],
    ),
    ("Contenu", ["description", "programme", "audience", "call"]),
    ("Date et format", ["starts_local", "ends_local", "ambiguous_time", "format"]),
    (
        "Accès en ligne",
        [
            "join_url",
            "meeting_number",
            "video_address",
            "video_ip_instructions",
            "access_code",
            "access_details_for_registered_only",
        ],
    ),
    ("Lieu", ["venue_name", "venue_address", "commune_text"]),
    (
        "Inscriptions et organisation",
        ["registration_open", "capacity", "organiser_name", "organiser_email", "replay_url"],
    ),
]


def _staff_crumb(current: str, *, extra=()) -> dict:
    return _events_crumb(
        current, extra=[{"url": reverse("events:staff_list"), "title": "Gestion"}, *extra]
    )


@staff_required
@require_GET
def staff_event_list(request):
    """Who may see it: national cell members and programme admins. Every event, latest
    first, with its registrations, and links to edit and manage it."""
    events = (
        Event.objects.select_related("series")
        .annotate(
            confirmed=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
            ),
            waiting=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)
            ),
        )
        .order_by("-starts_at", "pk")
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "events/staff/list.html",
        {"page": page, "breadcrumb": _events_crumb("Gestion des événements")},
    )


def _form_page(request, form, speakers, dial_ins, *, event=None):
    if event is not None:
        # A bound form has written the posted (maybe invalid) values onto its instance: titles
        # and links use the saved event.
        event = Event.objects.only("pk", "slug", "title").get(pk=event.pk)
    groups = [(legend, [form[name] for name in names]) for legend, names in FIELD_GROUPS]
    title = f"Modifier : {event.title}" if event else "Créer un événement"
    extra = [{"url": event.get_absolute_url(), "title": event.title}] if event else []
    errors = bool(form.errors or speakers.total_error_count() or dial_ins.total_error_count())
    return render(
        request,
        "events/staff/form.html",
        {
            "form": form,
            "groups": groups,
            "speakers": speakers,
            "dial_ins": dial_ins,
            "event": event,
            "page_title": title,
            "has_errors": errors,
            "breadcrumb": _staff_crumb(title, extra=extra),
        },
        status=400 if errors else 200,
    )


def _save(request, form, speakers, dial_ins, *, event=None):
    if not (form.is_valid() and speakers.is_valid() and dial_ins.is_valid()):
        return _form_page(request, form, speakers, dial_ins, event=event)
    try:
        result = save_event(form, speakers, dial_ins, actor=request.user)
    except EditConflict:
        form.add_error(
            None,
            "Quelqu’un d’autre a modifié cet événement pendant que vous le modifiiez : "
            "rechargez la page pour partir de sa version (vos changements ne sont pas "
            "enregistrés).",
        )
        return _form_page(request, form, speakers, dial_ins, event=event)
    if result.created:
        messages.success(request, f"L’événement « {result.event.title} » est publié.")
    else:
        parts = ["Modifications enregistrées."]
        if result.notified:
            parts.append(
                f"La mise à jour du calendrier est envoyée à {result.notified} personne(s)."
            )
        if result.promoted:
            parts.append(f"{result.promoted} personne(s) sortent de la liste d’attente.")
        messages.success(request, " ".join(parts))
    return redirect("events:manage", slug=result.event.slug)


@staff_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    """Who may use it: national cell members and programme admins. The event is public as
    soon as it is saved."""
    event = Event()
    data = request.POST if request.method == "POST" else None
    form = EventStaffForm(data, instance=event)
    speakers = SpeakerFormSet(data, instance=event, prefix="intervenants")
    dial_ins = DialInNumberFormSet(data, instance=event, prefix="numeros")
    if request.method == "POST":
        return _save(request, form, speakers, dial_ins)
    return _form_page(request, form, speakers, dial_ins)


@staff_required
@require_http_methods(["GET", "POST"])
def event_edit(request, slug):
    """Who may use it: national cell members and programme admins. A change of date, place
    or access sends the updated calendar entry to the people invited and registered."""
    event = _event_or_404(slug)
    data = request.POST if request.method == "POST" else None
    form = EventStaffForm(data, instance=event)
    speakers = SpeakerFormSet(data, instance=event, prefix="intervenants")
    dial_ins = DialInNumberFormSet(data, instance=event, prefix="numeros")
    if request.method == "POST":
        return _save(request, form, speakers, dial_ins, event=event)
    return _form_page(request, form, speakers, dial_ins, event=event)

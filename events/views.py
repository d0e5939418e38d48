from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_national, user_passes
from core import audit, ratelimit
from core.exports import XLSX_MIMETYPE, csv_response, xlsx_bytes
from events import ics, services
from events.forms import CancelEventForm, InvitationForm, RegistrationForm
from events.models import Event, Registration, RegistrationStatus

staff_required = user_passes(is_national)


def _events_crumb(current: str, *, extra=()) -> dict:
    return {
        "links": [{"url": reverse("events:list"), "title": "Événements"}, *extra],
        "current": current,
    }


def event_list(request):
    """Who may see it: everyone. Upcoming events first (soonest first), then past ones."""
    now = timezone.now()
    return render(
        request,
        "events/list.html",
        {
            "upcoming": list(Event.objects.upcoming(now)),
            "past": list(Event.objects.past(now)),
            "breadcrumb": {"links": [], "current": "Événements"},
        },
    )


def _event_or_404(slug: str) -> Event:
    return get_object_or_404(
        Event.objects.select_related("series", "commune", "call").prefetch_related(
            "speakers", "dial_in_numbers"
        ),
        slug=slug,
    )


def _detail_context(request, event: Event, *, registration=None, form=None) -> dict:
    now = timezone.now()
    show_access = (
        not event.access_details_for_registered_only
        or (registration is not None and registration.is_confirmed)
        or is_national(request.user)
    )
    if form is None:
        initial = {}
        if request.user.is_authenticated:
            initial = {
                "name": request.user.full_name,
                "email": request.user.email,
                "organisation": request.user.organisation,
            }
        form = RegistrationForm(initial=initial)
    return {
        "event": event,
        "when": services.when_label(event),
        "speakers": list(event.speakers.all()),
        "dial_in_numbers": list(event.dial_in_numbers.all()),
        "show_access": show_access,
        "has_ended": event.has_ended(now),
        "refusal": services.refusal_reason(event, now),
        "places_left": services.places_left(event),
        "registration": registration,
        "token": services.registration_token(registration) if registration else "",
        "form": form,
        "is_staff": is_national(request.user),
        "breadcrumb": _events_crumb(event.title),
    }


@require_http_methods(["GET", "POST"])
def event_detail(request, slug):
    """Who may see it: everyone; anyone may register (with or without an account). Access
    details are hidden from visitors when the organiser reserves them to participants.
    Registrations are rate-limited per client address and per event (``RATE_LIMITS``); an
    address other than a signed-in account's verified one is confirmed by e-mail before a
    place is taken (``services.request_registration``)."""
    event = _event_or_404(slug)
    form = None
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        if form.is_valid() and form.is_robot:  # honeypot: the same answer, nobody registered
            messages.success(request, services.registration_answer())
            return redirect(event)
        if form.is_valid():
            wait = ratelimit.hit(request, "event_registration") or ratelimit.hit(
                request, "event_registration_event", key=f"event:{event.pk}"
            )
            if wait is not None:
                form.add_error(
                    None,
                    ratelimit.retry_message(
                        wait, "Trop d’inscriptions envoyées en peu de temps pour cet événement."
                    ),
                )
                return ratelimit.refused(
                    render(
                        request, "events/detail.html", _detail_context(request, event, form=form)
                    ),
                    wait,
                )
            data = form.cleaned_data
            user = request.user if request.user.is_authenticated else None
            if user is not None and user.email.lower() != data["email"].strip().lower():
                user = None
            try:
                result = services.request_registration(
                    event,
                    email=data["email"],
                    name=data["name"],
                    organisation=data["organisation"],
                    user=user,
                )
            except services.RegistrationRefused as refusal:
                messages.error(request, str(refusal))
                return redirect(event)
            registration = result.registration
            if result.created and not registration.is_pending:
                # A signed-in account's verified address: the place is taken at once.
                messages.success(request, result.message)
                return _to_personal_page(registration)
            # The same answer whether or not the address was already registered (the page
            # would tell who registered): the details go to the address by e-mail.
            messages.success(request, services.registration_answer())
            return redirect(event)
    return render(request, "events/detail.html", _detail_context(request, event, form=form))


def _registration_for(slug: str, token: str) -> Registration:
    registration = services.registration_from_token(token)
    if registration is None or registration.event.slug != slug:
        raise Http404("Lien personnel non valide.")
    return registration


def personal_page(request, slug, token):
    """Who may see it: the holder of a registration's signed personal link."""
    registration = _registration_for(slug, token)
    event = _event_or_404(slug)
    return render(
        request, "events/detail.html", _detail_context(request, event, registration=registration)
    )


def _ics_response(event: Event, *, with_access: bool) -> HttpResponse:
    content = ics.build_ics(event, method=ics.METHOD_PUBLISH, with_access=with_access)
    response = HttpResponse(content, content_type=ics.MIMETYPE_PUBLISH)
    response["Content-Disposition"] = f'attachment; filename="{ics.ics_filename(event)}"'
    return response


def event_ics(request, slug):
    """Who may see it: everyone (« Ajouter à mon agenda »); access details only when public."""
    event = _event_or_404(slug)
    return _ics_response(event, with_access=not event.access_details_for_registered_only)


def personal_ics(request, slug, token):
    """Who may see it: the holder of a registration's personal link (full access details)."""
    registration = _registration_for(slug, token)
    return _ics_response(_event_or_404(slug), with_access=registration.is_confirmed)


def _to_personal_page(registration: Registration):
    return redirect(
        "events:personal", registration.event.slug, services.registration_token(registration)
    )


CONFIRMATION_STATUS = {
    services.Confirmation.INVALID: 404,
    services.Confirmation.EXPIRED: 410,
    services.Confirmation.CANCELLED: 410,
    services.Confirmation.REFUSED: 409,
}


@require_http_methods(["GET", "POST"])
def confirm_registration(request, token):
    """Who may use it: the holder of the confirmation link sent to an address (GET shows the
    request and a button, POST confirms: mail gateways that open links do not confirm).
    A forged, expired or replaced link gets a page saying so in French."""
    if request.method == "POST":
        outcome = services.confirm_registration(token)
        registration = outcome.registration
        if outcome.state in (services.Confirmation.CONFIRMED, services.Confirmation.WAITING):
            messages.success(
                request,
                "Votre adresse est confirmée : "
                + (
                    "votre inscription est confirmée. Un courriel avec l’invitation pour votre "
                    "agenda vous a été envoyé."
                    if outcome.state == services.Confirmation.CONFIRMED
                    else "l’événement est complet, vous êtes inscrit(e) sur la liste "
                    "d’attente. Vous recevrez un courriel si une place se libère."
                ),
            )
            return _to_personal_page(registration)
        if outcome.state == services.Confirmation.ALREADY:
            messages.info(request, "Votre adresse était déjà confirmée : rien n’a changé.")
            return _to_personal_page(registration)
    else:
        outcome = services.check_confirmation(token)
    registration = outcome.registration
    event = registration.event if registration else None
    context = {
        "state": outcome.state,
        "reason": outcome.reason,
        "registration": registration,
        "event": event,
        "when": services.when_label(event) if event else "",
        "personal_token": services.registration_token(registration) if registration else "",
        "hold_minutes": settings.EVENT_HOLD_MINUTES,
        "breadcrumb": _events_crumb("Confirmer mon inscription"),
    }
    return render(
        request,
        "events/confirm_registration.html",
        context,
        status=CONFIRMATION_STATUS.get(outcome.state, 200),
    )


@require_http_methods(["GET", "POST"])
def cancel_registration(request, token):
    """Who may use it: the holder of a registration's signed link (GET asks, POST cancels)."""
    registration = services.registration_from_token(token)
    if registration is None:
        raise Http404("Lien d’annulation non valide.")
    event = registration.event
    if request.method == "POST":
        services.cancel_registration(registration)
        messages.success(request, "Votre inscription est annulée. Merci de nous avoir prévenus.")
        return redirect(event)
    return render(
        request,
        "events/cancel_registration.html",
        {
            "registration": registration,
            "event": event,
            "when": services.when_label(event),
            "breadcrumb": _events_crumb(
                "Annuler mon inscription",
                extra=[{"url": event.get_absolute_url(), "title": event.title}],
            ),
        },
    )


# ---------------------------------------------------------------------------------------------
# Staff (national cell, programme admins; second factor enforced by middleware)


def _manage_context(event: Event, *, invitation_form=None, cancel_form=None) -> dict:
    registrations = list(event.registrations.select_related("user").order_by("created_at", "pk"))
    return {
        "event": event,
        "when": services.when_label(event),
        "invitation_form": invitation_form or InvitationForm(),
        "cancel_form": cancel_form or CancelEventForm(),
        "confirmed": [r for r in registrations if r.status == RegistrationStatus.CONFIRMED],
        "waiting": [r for r in registrations if r.status == RegistrationStatus.WAITING],
        "cancelled": [r for r in registrations if r.status == RegistrationStatus.CANCELLED],
        "pending": [r for r in registrations if r.status == RegistrationStatus.PENDING],
        "hold_minutes": settings.EVENT_HOLD_MINUTES,
        "invitation_count": event.invitations.count(),
        "places_left": services.places_left(event),
        "breadcrumb": _events_crumb(
            "Gestion", extra=[{"url": event.get_absolute_url(), "title": event.title}]
        ),
    }


@staff_required
def manage(request, slug):
    """Who may see it: national cell members and programme admins."""
    event = _event_or_404(slug)
    return render(request, "events/manage.html", _manage_context(event))


@staff_required
@require_POST
def send_invitations(request, slug):
    """Who may use it: national cell members and programme admins."""
    event = _event_or_404(slug)
    form = InvitationForm(request.POST)
    if event.is_cancelled:
        messages.error(request, "Cet événement est annulé : aucune invitation n’est envoyée.")
        return redirect("events:manage", slug=event.slug)
    if not form.is_valid():
        return render(
            request, "events/manage.html", _manage_context(event, invitation_form=form), status=400
        )
    report = services.send_invitations(
        event,
        audience_key=form.cleaned_data["audience"],
        params=form.audience_params(),
        actor=request.user,
        audience_label=form.audience_label(),
    )
    messages.success(
        request,
        f"{len(report.sent)} invitation(s) envoyée(s) ; "
        f"{len(report.already_invited)} adresse(s) déjà invitée(s).",
    )
    if form.invalid_addresses:
        messages.warning(
            request,
            f"{len(form.invalid_addresses)} adresse(s) non valide(s) ignorée(s) : "
            + ", ".join(form.invalid_addresses),
        )
    return redirect("events:manage", slug=event.slug)


@staff_required
@require_POST
def cancel_event(request, slug):
    """Who may use it: national cell members and programme admins."""
    event = _event_or_404(slug)
    form = CancelEventForm(request.POST)
    if not form.is_valid():
        return render(
            request, "events/manage.html", _manage_context(event, cancel_form=form), status=400
        )
    notified = services.cancel_event(event, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, f"Événement annulé ; {notified} personne(s) prévenue(s).")
    return redirect("events:manage", slug=event.slug)


@staff_required
@require_POST
def check_in(request, slug, pk):
    """Who may use it: national cell members and programme admins (attendance)."""
    event = _event_or_404(slug)
    registration = get_object_or_404(
        event.registrations, pk=pk, status=RegistrationStatus.CONFIRMED
    )
    present = request.POST.get("present") == "1"
    services.record_attendance(registration, present=present, actor=request.user)
    messages.success(
        request,
        f"{registration.name} : {'présence enregistrée' if present else 'présence retirée'}.",
    )
    return redirect(reverse("events:manage", args=[event.slug]) + "#participants")


@staff_required
def export_participants(request, slug, fmt):
    """Who may see it: national cell members and programme admins (export audited)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("Format d’export inconnu.")
    event = _event_or_404(slug)
    audit.record(
        "event.participants_exported", actor=request.user, obj=event, after={"format": fmt}
    )
    rows = services.participant_rows(event)
    filename = f"participants-{event.slug}"
    if fmt == "csv":
        return csv_response(f"{filename}.csv", services.PARTICIPANT_HEADER, rows)
    response = HttpResponse(
        xlsx_bytes(services.PARTICIPANT_HEADER, rows, sheet_title="Participants"),
        content_type=XLSX_MIMETYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response

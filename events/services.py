"""Business rules of network animation: registrations with capacity and waiting list,
invitations, updates and cancellations (iCalendar), reminders, attendance.

Every state change goes through one function here, writes the audit log and queues its
e-mails in the outbox (sent by background tasks once the transaction commits)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone

from core import audit
from core.outbox import queue_email
from events import audiences, ics
from events.models import (
    Event,
    EventStatus,
    Invitation,
    Registration,
    RegistrationStatus,
)
from events.timezones import paris_label, to_paris
from mailing.services import render_email

TOKEN_SALT = "events.registration"  # noqa: S105 - a signing salt, not a secret
CONFIRM_SALT = "events.registration.confirm"  # noqa: S105 - a signing salt, not a secret

# Changes that make calendar entries out of date: they bump SEQUENCE and notify everyone.
SCHEDULE_FIELDS = [
    "title",
    "episode_title",
    "starts_at",
    "ends_at",
    "format",
    "join_url",
    "meeting_number",
    "video_address",
    "video_ip_instructions",
    "access_code",
    "venue_name",
    "venue_address",
    "commune",
]


class RegistrationRefused(Exception):
    """A registration that cannot be taken; the message is shown to the person."""


# ---------------------------------------------------------------------------------------------
# Personal links (signed tokens)


def registration_token(registration: Registration) -> str:
    """A stable signed token (the same link in every e-mail) naming one registration."""
    signer = signing.Signer(salt=TOKEN_SALT)
    return signer.sign_object({"r": registration.pk, "e": registration.email})


def registration_from_token(token: str) -> Registration | None:
    try:
        data = signing.Signer(salt=TOKEN_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    return (
        Registration.objects.select_related("event")
        .filter(pk=data.get("r"), email=data.get("e"))
        .first()
    )


def confirmation_token(registration: Registration) -> str:
    """The signed token of the link that confirms a registration's address. It names the
    registration and its deadline: a newer request (new deadline) makes older links stale."""
    deadline = registration.confirm_before.isoformat() if registration.confirm_before else ""
    signer = signing.Signer(salt=CONFIRM_SALT)
    return signer.sign_object({"r": registration.pk, "e": registration.email, "d": deadline})


def confirm_link(registration: Registration) -> str:
    return settings.SITE_URL + reverse(
        "events:confirm_registration", args=[confirmation_token(registration)]
    )


def access_link(registration: Registration) -> str:
    return settings.SITE_URL + reverse(
        "events:personal", args=[registration.event.slug, registration_token(registration)]
    )


def cancel_link(registration: Registration) -> str:
    return settings.SITE_URL + reverse(
        "events:cancel_registration", args=[registration_token(registration)]
    )


# ---------------------------------------------------------------------------------------------
# E-mails


def _email_context(event: Event, *, with_access: bool, registration=None) -> dict:
    return {
        "event": event,
        "title": event.full_title,
        "when": when_label(event),
        "event_url": ics.event_url(event),
        "access_lines": ics.access_lines(event) if with_access else [],
        "access_hidden": event.is_online and not with_access,
        "speakers": list(event.speakers.all()),
        "registration": registration,
        "access_link": access_link(registration) if registration else "",
        "cancel_link": cancel_link(registration) if registration else "",
        "site_url": settings.SITE_URL,
        "platform_name": settings.PLATFORM_NAME,
    }


def when_label(event: Event) -> str:
    start, end = to_paris(event.starts_at), to_paris(event.ends_at)
    if start.date() == end.date():
        day = formats.date_format(start, "l j F Y")
        return f"{day} de {start:%H} h {start:%M} à {end:%H} h {end:%M} (heure de Paris)"
    return f"du {paris_label(event.starts_at)} au {paris_label(event.ends_at)} (heure de Paris)"


def _queue(
    event: Event,
    to: str,
    template: str,
    *,
    with_access: bool,
    registration=None,
    method: str | None = ics.METHOD_REQUEST,
    attendee_name: str = "",
    dedup_key: str | None = None,
    extra: dict | None = None,
):
    """Render the stored e-mail template ``template`` (text, and sanitised HTML) and queue
    it with the personal calendar file when ``method`` is given."""
    context = {**_email_context(event, with_access=with_access, registration=registration)}
    context.update(extra or {})
    # The event block and signature are computed here; the rest of the text is the stored
    # e-mail template (mailing), edited by the national cell.
    context["event_details"] = str.__str__(render_to_string("emails/_event_block.txt", context))
    context["signature"] = str.__str__(render_to_string("emails/_event_signature.txt", context))
    rendered = render_email(template, context)
    subject, plain_body = rendered.subject, rendered.text
    html_body = render_to_string(
        "mailing/email.html", {"subject": subject, "content": rendered.html}
    )
    attachments = []
    if method:
        content = ics.build_ics(
            event, method=method, with_access=with_access, attendee=(attendee_name, to)
        )
        mimetype = ics.MIMETYPE_CANCEL if method == ics.METHOD_CANCEL else ics.MIMETYPE_REQUEST
        attachments.append(("invitation.ics", content, mimetype))
    return queue_email(
        to,
        subject,
        plain_body,
        html_body=html_body,
        template=template,
        attachments=attachments,
        reply_to=event.organiser_email,
        dedup_key=dedup_key,
    )


# ---------------------------------------------------------------------------------------------
# Registration


def refusal_reason(event: Event, now=None) -> str:
    """Why nobody can register now, or "" when registration is possible."""
    now = now or timezone.now()
    if event.is_cancelled:
        return "Cet événement est annulé : les inscriptions sont fermées."
    if event.has_ended(now):
        return "Cet événement est terminé : il n’est plus possible de s’y inscrire."
    if not event.registration_open:
        return "Les inscriptions à cet événement sont closes."
    return ""


REGISTRATION_ANSWER = (
    "Merci. Si cette adresse peut s’inscrire, un message vient de lui être envoyé : il "
    "contient un lien à ouvrir dans les {minutes} minutes pour confirmer l’adresse et "
    "l’inscription. Sans confirmation, aucune place n’est prise. Si l’adresse est déjà "
    "inscrite, le message le dit et donne le lien personnel."
)


def registration_answer() -> str:
    """What the page says after any registration request: the same text whether the address
    was new, already registered or a robot's (the details go to the address by e-mail)."""
    return REGISTRATION_ANSWER.format(minutes=settings.EVENT_HOLD_MINUTES)


@dataclass
class RegistrationResult:
    registration: Registration
    created: bool

    @property
    def message(self) -> str:
        registration = self.registration
        if not self.created:
            return (
                f"L’adresse {registration.email} est déjà inscrite à cet événement "
                f"({registration.get_status_display().lower()}) : aucune nouvelle inscription "
                "n’a été créée. Le courriel de confirmation contient votre lien personnel."
            )
        if registration.is_pending:
            return registration_answer()
        if registration.is_confirmed:
            return (
                "Votre inscription est confirmée. Un courriel de confirmation avec "
                "l’invitation pour votre agenda vous a été envoyé."
            )
        return (
            "L’événement est complet : vous êtes inscrit(e) sur la liste d’attente. "
            "Vous recevrez un courriel si une place se libère."
        )


def hold_delay() -> timedelta:
    """How long an unconfirmed registration holds its place (``PTCE_EVENT_HOLD_MINUTES``)."""
    return timedelta(minutes=settings.EVENT_HOLD_MINUTES)


def _taken_places(event: Event, now) -> int:
    """Confirmed registrations and places held for addresses still to confirm. A hold past
    its deadline no longer counts, even before the periodic job deletes it."""
    return event.registrations.filter(
        Q(status=RegistrationStatus.CONFIRMED)
        | Q(status=RegistrationStatus.PENDING, holds_place=True, confirm_before__gt=now)
    ).count()


def places_left(event: Event, now=None) -> int | None:
    if event.capacity is None:
        return None
    return max(event.capacity - _taken_places(event, now or timezone.now()), 0)


def address_verified(user, email: str) -> bool:
    """A signed-in account whose own address (confirmed at sign-up) is the one registered:
    its registration needs no confirmation link."""
    return bool(
        getattr(user, "pk", None)
        and user.email_confirmed_at is not None
        and user.email.strip().lower() == email.strip().lower()
    )


def register(
    event: Event, *, email: str, name: str, organisation: str = "", user=None, now=None
) -> RegistrationResult:
    """Take a place for an address known to be its holder's (a signed-in account's verified
    address; the public form goes through :func:`request_registration`). The event row is
    locked so that concurrent registrations never exceed the capacity (places held for
    addresses still to confirm included); beyond it, the waiting list."""
    email = email.strip().lower()
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        _release_expired(event, now)
        existing = event.registrations.filter(email__iexact=email).first()
        if existing and existing.status in (
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.WAITING,
        ):
            _remind_registration(event, existing, now)
            return RegistrationResult(existing, created=False)
        reason = refusal_reason(event, now)
        if reason:
            raise RegistrationRefused(reason)
        held = existing is not None and existing.is_pending and existing.holds_place
        full = not held and places_left(event, now) == 0
        status = RegistrationStatus.WAITING if full else RegistrationStatus.CONFIRMED
        if existing:  # cancelled (or still to confirm): back to life, at the end of the queue
            registration = existing
            registration.holds_place = False
            registration.status = status
            registration.name = name
            registration.organisation = organisation
            registration.user = user or registration.user
            registration.created_at = now
            registration.cancelled_at = None
            registration.promoted_at = None
            registration.save()
        else:
            try:
                with transaction.atomic():
                    registration = Registration.objects.create(
                        event=event,
                        user=user if getattr(user, "pk", None) else None,
                        email=email,
                        name=name,
                        organisation=organisation,
                        status=status,
                        created_at=now,
                    )
            except IntegrityError:
                return RegistrationResult(
                    event.registrations.get(email__iexact=email), created=False
                )
        _announce(event, registration, actor=user if getattr(user, "pk", None) else None)
    return RegistrationResult(registration, created=True)


def _announce(event: Event, registration: Registration, *, actor=None) -> None:
    """A place taken or a place on the waiting list: audit and the e-mail that says which."""
    audit.record(
        "event.registered",
        actor=actor,
        obj=registration,
        after={"event": event.pk, "email": registration.email, "status": registration.status},
    )
    if registration.status == RegistrationStatus.CONFIRMED:
        _queue(
            event,
            registration.email,
            "event_registration_confirmed",
            with_access=True,
            registration=registration,
            attendee_name=registration.name,
        )
    else:
        _queue(
            event,
            registration.email,
            "event_registration_waiting",
            with_access=False,
            registration=registration,
            method=None,
        )


def _remind_registration(event: Event, registration: Registration, now) -> None:
    """An address registers again: its holder is told by e-mail that it already is (at most
    once a day), with the personal link; the page says no more than for a new registration."""
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    _queue(
        event,
        registration.email,
        "event_registration_exists",
        with_access=confirmed,
        registration=registration,
        method=None,
        dedup_key=f"event-reminder:{registration.pk}:{timezone.localdate(now).isoformat()}",
        extra={"waiting": registration.status == RegistrationStatus.WAITING},
    )


# ---------------------------------------------------------------------------------------------
# Registration asked from the public form: the address is confirmed before a place is taken


def request_registration(
    event: Event, *, email: str, name: str, organisation: str = "", user=None, now=None
) -> RegistrationResult:
    """The public form. A signed-in account registering its own verified address takes a
    place at once (:func:`register`). Any other address gets a pending registration and one
    e-mail with a confirmation link valid ``PTCE_EVENT_HOLD_MINUTES``; a free place is held
    for it meanwhile. An address already registered is told so by e-mail. The page answers
    the same in every case (:func:`registration_answer`)."""
    email = email.strip().lower()
    if address_verified(user, email):
        return register(
            event, email=email, name=name, organisation=organisation, user=user, now=now
        )
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        _release_expired(event, now)
        existing = event.registrations.filter(email__iexact=email).first()
        if existing and existing.status in (
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.WAITING,
        ):
            _remind_registration(event, existing, now)
            return RegistrationResult(existing, created=False)
        if existing and existing.is_pending:  # still valid: its one link was already sent
            _queue_address_confirmation(event, existing)
            return RegistrationResult(existing, created=False)
        reason = refusal_reason(event, now)
        if reason:
            raise RegistrationRefused(reason)
        fields = {
            "status": RegistrationStatus.PENDING,
            "name": name,
            "organisation": organisation,
            "user": user if getattr(user, "pk", None) else None,
            "created_at": now,
            "cancelled_at": None,
            "promoted_at": None,
            "confirm_before": now + hold_delay(),
            "holds_place": event.capacity is None or places_left(event, now) > 0,
        }
        if existing:  # a cancelled registration asked again
            for key, value in fields.items():
                setattr(existing, key, value)
            existing.save()
            registration = existing
        else:
            try:
                with transaction.atomic():
                    registration = Registration.objects.create(event=event, email=email, **fields)
            except IntegrityError:
                return RegistrationResult(
                    event.registrations.get(email__iexact=email), created=False
                )
        audit.record(
            "event.registration_requested",
            obj=registration,
            after={"event": event.pk, "holds_place": registration.holds_place},
        )
        _queue_address_confirmation(event, registration)
    return RegistrationResult(registration, created=True)


def _queue_address_confirmation(event: Event, registration: Registration) -> None:
    """The one e-mail an unconfirmed address receives: no name nor text typed in the form
    (a stranger may have typed the address), the event and the confirmation link. Once per
    deadline: asking again before it sends nothing more."""
    _queue(
        event,
        registration.email,
        "event_registration_confirm_address",
        with_access=False,
        method=None,
        dedup_key=f"event-confirm:{registration.pk}:{registration.confirm_before.isoformat()}",
        extra={
            "confirm_link": confirm_link(registration),
            "confirm_before": paris_label(registration.confirm_before),
            "place_held": registration.holds_place and event.capacity is not None,
        },
    )


class Confirmation:
    """What a confirmation link gives (``state``), with the registration when known."""

    CONFIRMED = "confirmed"
    WAITING = "waiting"
    ALREADY = "already"
    ASK = "ask"
    EXPIRED = "expired"
    INVALID = "invalid"
    CANCELLED = "cancelled"
    REFUSED = "refused"

    def __init__(self, state: str, registration: Registration | None = None, reason: str = ""):
        self.state = state
        self.registration = registration
        self.reason = reason


def _confirmation_state(data: dict | None, registration, now) -> str | None:
    """The state of a link that cannot confirm (or None when it can)."""
    if data is None:
        return Confirmation.INVALID
    if registration is None:  # released after its deadline, or never existed
        deadline = data.get("d") or ""
        try:
            expired = bool(deadline) and datetime.fromisoformat(deadline) <= now
        except ValueError:
            expired = False
        return Confirmation.EXPIRED if expired else Confirmation.INVALID
    if registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING):
        return Confirmation.ALREADY
    if registration.status == RegistrationStatus.CANCELLED:
        return Confirmation.CANCELLED
    if (
        registration.confirm_before is None
        or registration.confirm_before.isoformat() != data.get("d")
        or registration.confirm_before <= now
    ):
        return Confirmation.EXPIRED
    return None


def _unsign_confirmation(token: str) -> dict | None:
    try:
        data = signing.Signer(salt=CONFIRM_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _registration_named(data: dict | None, *, lock: bool = False):
    if data is None:
        return None
    queryset = Registration.objects.select_related("event")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.filter(pk=data.get("r"), email=data.get("e")).first()


def check_confirmation(token: str, now=None) -> Confirmation:
    """What opening the link shows (nothing changes): a button to confirm, or why not."""
    now = now or timezone.now()
    data = _unsign_confirmation(token)
    registration = _registration_named(data)
    state = _confirmation_state(data, registration, now)
    return Confirmation(state or Confirmation.ASK, registration)


def confirm_registration(token: str, now=None) -> Confirmation:
    """Confirm the address of a pending registration: it takes its held place, or a free
    place, or else goes to the waiting list, and gets the usual e-mail (with the .ics when a
    place is taken). Confirming twice changes nothing; the event row is locked, so two
    confirmations for the last place give it to one and the waiting list to the other."""
    now = now or timezone.now()
    data = _unsign_confirmation(token)
    registration = _registration_named(data)
    if registration is None:
        return Confirmation(_confirmation_state(data, None, now))
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        registration = _registration_named(data, lock=True)
        state = _confirmation_state(data, registration, now)
        if state is not None:
            return Confirmation(state, registration)
        reason = refusal_reason(event, now)
        if reason:
            return Confirmation(Confirmation.REFUSED, registration, reason)
        _release_expired(event, now)
        free = registration.holds_place or event.capacity is None or places_left(event, now) > 0
        registration.status = RegistrationStatus.CONFIRMED if free else RegistrationStatus.WAITING
        registration.holds_place = False
        registration.save(update_fields=["status", "holds_place"])
        _announce(event, registration, actor=registration.user)
    return Confirmation(
        Confirmation.CONFIRMED if registration.is_confirmed else Confirmation.WAITING,
        registration,
    )


def _release_expired(event: Event, now) -> int:
    """Delete the requests of this event whose address was not confirmed in time (nothing of
    an unconfirmed address is kept), then give freed places to the waiting list. The event
    row is locked by the caller."""
    expired = event.registrations.filter(status=RegistrationStatus.PENDING, confirm_before__lte=now)
    released = expired.count()
    if not released:
        return 0
    expired.delete()
    audit.record("event.holds_released", obj=event, after={"released": released})
    if not (event.is_cancelled or event.has_ended(now)):
        _promote_waiting(event, now)
    return released


def release_expired_holds(now=None) -> int:
    """The periodic job: release every unconfirmed request past its deadline (all events)."""
    now = now or timezone.now()
    released = 0
    event_ids = set(
        Registration.objects.filter(
            status=RegistrationStatus.PENDING, confirm_before__lte=now
        ).values_list("event_id", flat=True)
    )
    for event_id in sorted(event_ids):
        with transaction.atomic():
            event = Event.objects.select_for_update().get(pk=event_id)
            released += _release_expired(event, now)
    return released


def _promote_waiting(event: Event, now) -> list[Registration]:
    """Fill free places from the waiting list, first come first served (event row locked)."""
    promoted = []
    free = places_left(event, now)
    waiting = event.registrations.filter(status=RegistrationStatus.WAITING).order_by(
        "created_at", "pk"
    )
    for registration in waiting[: free if free is not None else None]:
        registration.status = RegistrationStatus.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        audit.record(
            "event.registration_promoted",
            obj=registration,
            before={"status": RegistrationStatus.WAITING},
            after={"status": RegistrationStatus.CONFIRMED},
        )
        _queue(
            event,
            registration.email,
            "event_registration_promoted",
            with_access=True,
            registration=registration,
            attendee_name=registration.name,
        )
        promoted.append(registration)
    return promoted


def cancel_registration(registration: Registration, *, actor=None, now=None) -> list:
    """Cancel a registration; a freed place goes to the first person on the waiting list.
    Returns the promoted registrations."""
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            return []
        before = registration.status
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        audit.record(
            "event.registration_cancelled",
            actor=actor,
            obj=registration,
            before={"status": before},
            after={"status": RegistrationStatus.CANCELLED},
        )
        _queue(
            event,
            registration.email,
            "event_registration_cancelled",
            with_access=False,
            registration=None,
            method=ics.METHOD_CANCEL if before == RegistrationStatus.CONFIRMED else None,
            attendee_name=registration.name,
        )
        if event.is_cancelled or event.has_ended(now):
            return []
        return _promote_waiting(event, now)


def set_capacity(event: Event, capacity: int | None, *, actor=None) -> list:
    """Change the capacity; extra places go to the waiting list in order."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        before = event.capacity
        event.capacity = capacity
        event.full_clean()
        event.save(update_fields=["capacity", "updated_at"])
        audit.record(
            "event.capacity_changed",
            actor=actor,
            obj=event,
            before={"capacity": before},
            after={"capacity": capacity},
        )
        return _promote_waiting(event, timezone.now())


def record_attendance(registration: Registration, *, present: bool, actor) -> Registration:
    before = registration.attended_at
    registration.attended_at = timezone.now() if present else None
    registration.save(update_fields=["attended_at"])
    audit.record(
        "event.attendance_recorded",
        actor=actor,
        obj=registration,
        before={"present": before is not None},
        after={"present": present},
    )
    return registration


# ---------------------------------------------------------------------------------------------
# Invitations, updates, cancellation


@dataclass
class InvitationReport:
    sent: list[str] = field(default_factory=list)
    already_invited: list[str] = field(default_factory=list)


def send_invitations(
    event: Event, *, audience_key: str, params: dict, actor, audience_label: str = ""
) -> InvitationReport:
    """Invite every address of an audience; an address already invited to this version of
    the event is not invited twice."""
    audience = audiences.get(audience_key)
    addresses = audience.resolve(params)
    label = audience_label or audience.label
    report = InvitationReport()
    with transaction.atomic():
        registered = set(
            event.registrations.filter(
                status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING]
            ).values_list("email", flat=True)
        )
        for email in addresses:
            invitation, created = Invitation.objects.get_or_create(
                event=event,
                email=email,
                defaults={"audience": label[:255], "invited_by": actor},
            )
            if not created:
                report.already_invited.append(email)
                continue
            _queue(
                event,
                email,
                "event_invitation",
                with_access=not event.access_details_for_registered_only or email in registered,
                dedup_key=f"event:{event.pk}:invitation:{event.sequence}:{email}",
            )
            report.sent.append(email)
        audit.record(
            "event.invitations_sent",
            actor=actor,
            obj=event,
            after={
                "audience": audience.key,
                "audience_label": label,
                "sent": len(report.sent),
                "already_invited": len(report.already_invited),
            },
        )
    return report


def _recipients(event: Event) -> dict[str, tuple[str, Registration | None]]:
    """Everyone to tell about a change: invited addresses and non-cancelled registrations."""
    recipients: dict[str, tuple[str, Registration | None]] = dict.fromkeys(
        event.invitations.values_list("email", flat=True), ("", None)
    )
    for registration in event.registrations.filter(
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING]
    ):  # an address not confirmed yet receives nothing but its confirmation link
        recipients[registration.email] = (registration.name, registration)
    return recipients


def schedule_snapshot(event: Event) -> dict:
    data = audit.snapshot(event, SCHEDULE_FIELDS)
    data["dial_in_numbers"] = [
        f"{number.number} {number.label}".strip() for number in event.dial_in_numbers.all()
    ]
    return data


def publish_update(event: Event, *, before: dict, actor) -> int:
    """After an edit: if the date, place or access changed, increment SEQUENCE (same UID) and
    send the updated calendar entry to everyone invited or registered. Returns how many."""
    after = schedule_snapshot(event)
    if after == before or event.is_cancelled:
        return 0
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        event.sequence += 1
        event.save(update_fields=["sequence", "updated_at"])
        recipients = _recipients(event)
        for email, (name, registration) in recipients.items():
            confirmed = registration is not None and registration.is_confirmed
            _queue(
                event,
                email,
                "event_update",
                with_access=confirmed or not event.access_details_for_registered_only,
                registration=registration,
                attendee_name=name,
                dedup_key=f"event:{event.pk}:update:{event.sequence}:{email}",
                extra={"changes": _change_labels(before, after)},
            )
        audit.record(
            "event.updated",
            actor=actor,
            obj=event,
            before=before,
            after={**after, "sequence": event.sequence, "notified": len(recipients)},
        )
    return len(recipients)


CHANGE_LABELS = {
    "title": "l’intitulé",
    "episode_title": "le titre de l’épisode",
    "starts_at": "la date ou l’heure",
    "ends_at": "la date ou l’heure",
    "format": "le format",
    "join_url": "le lien de connexion",
    "meeting_number": "les modalités de connexion",
    "video_address": "les modalités de connexion",
    "video_ip_instructions": "les modalités de connexion",
    "access_code": "les modalités de connexion",
    "dial_in_numbers": "les modalités de connexion",
    "venue_name": "le lieu",
    "venue_address": "le lieu",
    "commune": "le lieu",
}


def _change_labels(before: dict, after: dict) -> list[str]:
    labels = []
    for key, label in CHANGE_LABELS.items():
        if before.get(key) != after.get(key) and label not in labels:
            labels.append(label)
    return labels


def cancel_event(event: Event, *, actor, reason: str = "") -> int:
    """Cancel the event: SEQUENCE incremented, METHOD:CANCEL sent to everyone concerned."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.is_cancelled:
            return 0
        event.status = EventStatus.CANCELLED
        event.registration_open = False
        event.sequence += 1
        event.save(update_fields=["status", "registration_open", "sequence", "updated_at"])
        recipients = _recipients(event)
        for email, (name, _registration) in recipients.items():
            _queue(
                event,
                email,
                "event_cancelled",
                with_access=False,
                method=ics.METHOD_CANCEL,
                attendee_name=name,
                dedup_key=f"event:{event.pk}:cancel:{email}",
                extra={"reason": reason},
            )
        audit.record(
            "event.cancelled",
            actor=actor,
            obj=event,
            before={"status": EventStatus.PUBLISHED},
            after={
                "status": EventStatus.CANCELLED,
                "reason": reason,
                "sequence": event.sequence,
                "notified": len(recipients),
            },
        )
    return len(recipients)


# ---------------------------------------------------------------------------------------------
# Reminders


DAY_BEFORE = timedelta(hours=24)
HOUR_BEFORE = timedelta(hours=1)


def send_due_reminders(now=None) -> int:
    """Reminders to confirmed participants, the day before (24 h) and one hour before.

    Idempotent: each reminder is sent once per registration (a timestamp on the registration
    and an outbox ``dedup_key``). A registration taken after a reminder's time gets none (its
    confirmation was just sent)."""
    now = now or timezone.now()
    sent = 0
    base = Registration.objects.select_related("event").filter(
        status=RegistrationStatus.CONFIRMED,
        event__status=EventStatus.PUBLISHED,
        event__starts_at__gt=now,
    )
    windows = [
        ("day", "day_reminder_sent_at", DAY_BEFORE, HOUR_BEFORE, "demain"),
        ("hour", "hour_reminder_sent_at", HOUR_BEFORE, timedelta(0), "dans une heure"),
    ]
    for key, stamp_field, opens, closes, label in windows:
        due = base.filter(
            **{f"{stamp_field}__isnull": True},
            event__starts_at__lte=now + opens,
            event__starts_at__gt=now + closes,
        )
        for registration in due:
            if registration.created_at > registration.event.starts_at - opens:
                continue
            with transaction.atomic():
                locked = (
                    Registration.objects.select_for_update()
                    .filter(pk=registration.pk, **{f"{stamp_field}__isnull": True})
                    .first()
                )
                if locked is None:
                    continue
                _queue(
                    registration.event,
                    registration.email,
                    "event_reminder",
                    with_access=True,
                    registration=registration,
                    method=None,
                    dedup_key=f"event:reminder:{key}:{registration.pk}",
                    extra={"when_relative": label},
                )
                setattr(locked, stamp_field, now)
                locked.save(update_fields=[stamp_field])
                sent += 1
    return sent


# ---------------------------------------------------------------------------------------------
# Participants export


PARTICIPANT_HEADER = [
    "Nom",
    "Adresse électronique",
    "Organisation",
    "Statut",
    "Inscrit le (heure de Paris)",
    "Présent(e)",
]


def participant_rows(event: Event):
    registrations = event.registrations.exclude(status=RegistrationStatus.PENDING)
    for registration in registrations.order_by("status", "created_at", "pk"):
        yield [
            registration.name,
            registration.email,
            registration.organisation,
            registration.get_status_display(),
            f"{to_paris(registration.created_at):%d/%m/%Y %H:%M}",
            "oui" if registration.attended_at else "non",
        ]

"""Business rules of the support services (SPEC §6.2): who may enrol which PTCE, eligibility
by audience, enrolment with capacity and waiting list, cancellation with automatic promotion,
attendance, and the per-PTCE consumption figures for the national cell.

Every change locks the offer row (``select_for_update``) so that concurrent enrolments can never
overbook, and writes the audit log."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.permissions import is_authenticated, is_national
from calls.models import Phase
from core import audit
from core.outbox import queue_templated_email
from laureates.models import Ptce, PtceLabel, PtceStatus
from laureates.models_support import (
    Enrolment,
    EnrolmentStatus,
    OfferAudience,
    PtceContact,
    SupportOffer,
)

ACTIVE_STATUSES = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITING)


class EnrolmentRefused(Exception):
    """An enrolment that cannot be taken; the message is shown to the person."""


# ---------------------------------------------------------------------------------------------
# Who may act for which PTCE


def ptces_for_user(user):
    """The PTCE a person may enrol (those they are a contact of)."""
    if not is_authenticated(user):
        return Ptce.objects.none()
    return Ptce.objects.filter(contacts__user=user).distinct()


def can_act_for(user, ptce) -> bool:
    return is_authenticated(user) and PtceContact.objects.filter(user=user, ptce=ptce).exists()


def add_contact(ptce, user, *, actor=None) -> PtceContact:
    contact, created = PtceContact.objects.get_or_create(ptce=ptce, user=user)
    if created:
        audit.record("ptce.contact_added", actor=actor, obj=ptce, after={"user": user.email})
    return contact


# ---------------------------------------------------------------------------------------------
# Eligibility


def _phase_q(phase: str, status: str) -> Q:
    has_label = Exists(PtceLabel.objects.filter(ptce=OuterRef("pk"), phase=phase))
    return Q(status=status) | Q(has_label)


def eligible_ptces(offer: SupportOffer):
    """PTCE the offer's audience admits: inactive poles never; phase-1 offers need a phase-1
    label (or the « émergent » status), phase-2 offers a phase-2 label (or « financé »)."""
    queryset = Ptce.objects.exclude(status=PtceStatus.INACTIVE)
    if offer.audience == OfferAudience.PHASE_1:
        return queryset.filter(_phase_q(Phase.EMERGENCE, PtceStatus.EMERGING))
    if offer.audience == OfferAudience.PHASE_2:
        return queryset.filter(_phase_q(Phase.FUNDING, PtceStatus.FUNDED))
    return queryset


def ineligibility_reason(offer: SupportOffer, ptce: Ptce) -> str:
    """Empty when ``ptce`` may enrol in ``offer``, else the reason in French."""
    if not offer.is_published:
        return "Cette offre n’est pas ouverte aux inscriptions."
    if ptce.status == PtceStatus.INACTIVE:
        return "Un PTCE inactif ne peut pas s’inscrire aux offres d’accompagnement."
    if not eligible_ptces(offer).filter(pk=ptce.pk).exists():
        return (
            f"Cette offre est réservée au public « {OfferAudience(offer.audience).label} » : "
            f"{ptce.name} n’en fait pas partie."
        )
    if offer.ends_on and offer.ends_on < timezone.localdate():
        return "Cette offre est terminée."
    return ""


# ---------------------------------------------------------------------------------------------
# Places


def confirmed_count(offer: SupportOffer) -> int:
    return offer.enrolments.filter(status=EnrolmentStatus.CONFIRMED).count()


def places_left(offer: SupportOffer) -> int | None:
    """``None`` when the offer has no capacity limit."""
    if offer.capacity is None:
        return None
    return max(offer.capacity - confirmed_count(offer), 0)


@dataclass
class EnrolmentResult:
    enrolment: Enrolment
    waiting: bool


def enrol(offer: SupportOffer, ptce: Ptce, *, user) -> EnrolmentResult:
    """Enrol ``ptce`` in ``offer`` on behalf of ``user`` (a contact of the PTCE, or the
    national cell). Confirmed while places remain, otherwise on the waiting list."""
    if not (can_act_for(user, ptce) or is_national(user)):
        raise PermissionDenied("Vous n’êtes pas habilité à inscrire ce PTCE.")
    with transaction.atomic():
        offer = SupportOffer.objects.select_for_update().get(pk=offer.pk)
        reason = ineligibility_reason(offer, ptce)
        if not reason and offer.is_past:
            reason = "Cette session est passée : les inscriptions sont closes."
        if reason:
            raise EnrolmentRefused(reason)
        existing = Enrolment.objects.filter(offer=offer, ptce=ptce).first()
        if existing and existing.status in ACTIVE_STATUSES:
            raise EnrolmentRefused(
                f"{ptce.name} est déjà inscrit à cette offre "
                f"({EnrolmentStatus(existing.status).label.lower()})."
            )
        now = timezone.now()
        full = offer.capacity is not None and confirmed_count(offer) >= offer.capacity
        status = EnrolmentStatus.WAITING if full else EnrolmentStatus.CONFIRMED
        values = {
            "status": status,
            "enrolled_by": user,
            "queued_at": now,
            "confirmed_at": None if full else now,
            "cancelled_at": None,
            "attended": False,
            "attendance_recorded_at": None,
        }
        if existing:
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save()
            enrolment = existing
        else:
            enrolment = Enrolment.objects.create(offer=offer, ptce=ptce, **values)
        audit.record(
            "support.enrolled",
            actor=user,
            obj=enrolment,
            before={"status": EnrolmentStatus.CANCELLED} if existing else None,
            after={"status": status, "offer": offer.slug, "ptce": ptce.slug},
        )
    return EnrolmentResult(enrolment, waiting=full)


def cancel(enrolment: Enrolment, *, user) -> list[Enrolment]:
    """Cancel an enrolment (its PTCE's contacts or the national cell); the freed place goes to
    the first PTCE on the waiting list. Returns the promoted enrolments."""
    if not (can_act_for(user, enrolment.ptce) or is_national(user)):
        raise PermissionDenied("Vous n’êtes pas habilité à annuler cette inscription.")
    with transaction.atomic():
        offer = SupportOffer.objects.select_for_update().get(pk=enrolment.offer_id)
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if locked.status == EnrolmentStatus.CANCELLED:
            return []
        before = locked.status
        locked.status = EnrolmentStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["status", "cancelled_at", "updated_at"])
        audit.record(
            "support.cancelled",
            actor=user,
            obj=locked,
            before={"status": before},
            after={"status": EnrolmentStatus.CANCELLED},
        )
        promoted = promote_waiting(offer, actor=user, locked=True)
    enrolment.status = EnrolmentStatus.CANCELLED
    return promoted


def promote_waiting(offer: SupportOffer, *, actor=None, locked: bool = False) -> list[Enrolment]:
    """Fill free places from the waiting list, first come first served (also called when staff
    raise the capacity). Each promoted PTCE's contacts receive an e-mail."""
    promoted = []
    with transaction.atomic():
        if not locked:
            offer = SupportOffer.objects.select_for_update().get(pk=offer.pk)
        free = None if offer.capacity is None else offer.capacity - confirmed_count(offer)
        waiting = offer.enrolments.filter(status=EnrolmentStatus.WAITING).order_by(
            "queued_at", "pk"
        )
        if free is not None:
            waiting = waiting[: max(free, 0)]
        now = timezone.now()
        for enrolment in waiting.select_related("ptce", "enrolled_by"):
            enrolment.status = EnrolmentStatus.CONFIRMED
            enrolment.confirmed_at = now
            enrolment.save(update_fields=["status", "confirmed_at", "updated_at"])
            audit.record(
                "support.promoted",
                actor=actor,
                obj=enrolment,
                before={"status": EnrolmentStatus.WAITING},
                after={"status": EnrolmentStatus.CONFIRMED},
            )
            _notify_promotion(offer, enrolment)
            promoted.append(enrolment)
    return promoted


def _notify_promotion(offer: SupportOffer, enrolment: Enrolment) -> None:
    emails = set(
        PtceContact.objects.filter(ptce=enrolment.ptce_id).values_list("user__email", flat=True)
    )
    if enrolment.enrolled_by_id:
        emails.add(enrolment.enrolled_by.email)
    for email in sorted(emails):
        queue_templated_email(
            email,
            "support_promoted",
            {"offer": offer, "ptce": enrolment.ptce, "offer_url": offer.get_absolute_url()},
            dedup_key=f"support-promoted-{enrolment.pk}-{enrolment.confirmed_at:%Y%m%d%H%M%S%f}"
            f"-{email}",
        )


def record_attendance(enrolment: Enrolment, *, attended: bool, actor) -> Enrolment:
    """The national cell records whether a confirmed PTCE attended."""
    if not is_national(actor):
        raise PermissionDenied("Seule la cellule nationale note les présences.")
    with transaction.atomic():
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if locked.status != EnrolmentStatus.CONFIRMED:
            raise EnrolmentRefused("Seules les inscriptions confirmées ont une présence.")
        before = locked.attended
        locked.attended = attended
        locked.attendance_recorded_at = timezone.now()
        locked.save(update_fields=["attended", "attendance_recorded_at", "updated_at"])
        audit.record(
            "support.attendance",
            actor=actor,
            obj=locked,
            before={"attended": before},
            after={"attended": attended},
        )
    return locked


# ---------------------------------------------------------------------------------------------
# Consumption per PTCE (national cell)


def consumption():
    """One row per PTCE that ever enrolled: offers followed (confirmed), waiting, attended
    offers, sessions and days attended. One query."""
    confirmed = Q(support_enrolments__status=EnrolmentStatus.CONFIRMED)
    attended = confirmed & Q(support_enrolments__attended=True)
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=8, decimal_places=1))
    return (
        Ptce.objects.filter(Exists(Enrolment.objects.filter(ptce=OuterRef("pk"))))
        .select_related("main_region")
        .annotate(
            offers_followed=Count("support_enrolments", filter=confirmed),
            offers_waiting=Count(
                "support_enrolments",
                filter=Q(support_enrolments__status=EnrolmentStatus.WAITING),
            ),
            offers_attended=Count("support_enrolments", filter=attended),
            sessions_attended=Coalesce(
                Sum("support_enrolments__offer__sessions", filter=attended), 0
            ),
            days_attended=Coalesce(
                Sum("support_enrolments__offer__duration_days", filter=attended), zero
            ),
        )
        .order_by("-days_attended", "name")
    )

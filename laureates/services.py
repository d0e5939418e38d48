"""The one place where a PTCE's lifecycle and derived data change.

``change_ptce_status`` checks the transition table, saves, keeps the history and writes the audit
log. ``set_ptce_territory`` stores the communes/EPCI and recomputes what the directory filters on
(main région and département, population, priority-territory flags).
``refresh_search`` keeps the denormalised search and open-data listing columns in step with the
record and its members, communes and labels.
"""

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Role
from core import audit
from laureates.models import AwardStatus, Ptce, PtceStatus, PtceStatusChange, Theme
from territories.models import Commune
from territories.text import normalise

STAFF_DECIDERS = frozenset({Role.NATIONAL_CELL, Role.PROGRAMME_ADMIN})
SYSTEM = "system"  # transitions made by the platform itself (awards, imports): actor=None


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    roles: frozenset
    reason_required: bool = False


# Read in one place by auditors: from, to, who may, whether a reason is mandatory.
TRANSITIONS = (
    Transition(PtceStatus.EMERGING, PtceStatus.FUNDED, STAFF_DECIDERS | {SYSTEM}),
    Transition(PtceStatus.EMERGING, PtceStatus.ACTIVE, STAFF_DECIDERS | {SYSTEM}),
    Transition(PtceStatus.FUNDED, PtceStatus.ACTIVE, STAFF_DECIDERS | {SYSTEM}),
    Transition(PtceStatus.ACTIVE, PtceStatus.FUNDED, STAFF_DECIDERS | {SYSTEM}),
    Transition(PtceStatus.EMERGING, PtceStatus.INACTIVE, STAFF_DECIDERS, reason_required=True),
    Transition(PtceStatus.FUNDED, PtceStatus.INACTIVE, STAFF_DECIDERS, reason_required=True),
    Transition(PtceStatus.ACTIVE, PtceStatus.INACTIVE, STAFF_DECIDERS, reason_required=True),
    Transition(PtceStatus.INACTIVE, PtceStatus.ACTIVE, STAFF_DECIDERS, reason_required=True),
)
TRANSITION_TABLE = {(t.source, t.target): t for t in TRANSITIONS}


def allowed_targets(ptce: Ptce) -> list[str]:
    return [target for (source, target) in TRANSITION_TABLE if source == ptce.status]


def change_ptce_status(ptce: Ptce, to: str, *, actor, reason: str = "") -> PtceStatusChange:
    """Move ``ptce`` to status ``to`` if the transition table allows it for ``actor``
    (``None`` means the platform itself, e.g. when an award is published)."""
    reason = (reason or "").strip()
    transition = TRANSITION_TABLE.get((ptce.status, to))
    if transition is None:
        raise ValidationError(
            f"Passage impossible du statut « {PtceStatus(ptce.status).label} » "
            f"au statut « {PtceStatus(to).label if to in PtceStatus.values else to} »."
        )
    actor_role = SYSTEM if actor is None else getattr(actor, "role", None)
    if actor_role not in transition.roles:
        raise PermissionDenied("Vous n’êtes pas habilité à changer le statut de ce PTCE.")
    if transition.reason_required and not reason:
        raise ValidationError("Un motif est obligatoire pour ce changement de statut.")
    with transaction.atomic():
        locked = Ptce.objects.select_for_update().get(pk=ptce.pk)
        if locked.status != ptce.status:
            raise ValidationError("Le statut a été modifié entre-temps : rechargez la page.")
        now = timezone.now()
        change = PtceStatusChange.objects.create(
            ptce=locked,
            from_status=locked.status,
            to_status=to,
            changed_at=now,
            reason=reason,
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=getattr(actor, "email", "") or "système",
        )
        before = {"status": locked.status}
        locked.status = to
        locked.status_changed_at = now
        locked.save(update_fields=["status", "status_changed_at", "updated_at"])
        audit.record(
            "ptce.status_changed",
            actor=actor,
            obj=locked,
            before=before,
            after={"status": to, "reason": reason},
        )
    ptce.status = to
    ptce.status_changed_at = now
    return change


def unique_slug(name: str, *, exclude_pk=None) -> str:
    base = slugify(name)[:100] or "ptce"
    slug, counter = base, 2
    while Ptce.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def set_ptce_territory(ptce: Ptce, *, commune_codes=(), epci_codes=()) -> None:
    """Store the pole's communes and EPCI, then recompute its main région and département
    (those with the most inhabitants covered) and the population covered."""
    communes = list(Commune.objects.current().filter(code__in=list(commune_codes)))
    ptce.communes.set(communes)
    ptce.epcis.set(list(epci_codes))
    recompute_geography(ptce)


def recompute_geography(ptce: Ptce) -> None:
    from territories.services import summarise_territory

    summary = summarise_territory(
        ptce.communes.values_list("code", flat=True), ptce.epcis.values_list("code", flat=True)
    )
    if summary.communes:
        by_region: Counter = Counter()
        by_department: Counter = Counter()
        for commune in summary.communes:
            weight = (commune.population or 0) + 1
            by_region[commune.region_id] += weight
            by_department[commune.department_id] += weight
        ptce.main_region_id = max(sorted(by_region), key=lambda code: by_region[code])
        ptce.main_department_id = max(sorted(by_department), key=lambda code: by_department[code])
        ptce.population_covered = summary.population if summary.population_known else None
    else:
        ptce.population_covered = None
    from laureates.priority import refresh_priority_flags

    refresh_priority_flags([ptce.pk])
    ptce.refresh_from_db(fields=["is_rural", "has_qpv"])
    ptce.save(update_fields=["main_region", "main_department", "population_covered", "updated_at"])
    refresh_search(ptce)


def search_text_of(
    ptce: Ptce,
    *,
    region_name: str = "",
    department_name: str = "",
    commune_names=(),
    label_titles=(),
    public_member_names=(),
) -> str:
    """The denormalised search text of ``ptce`` from its related names (no query): communes
    in name order (first 200), labels in their order, public members only."""
    parts = [
        ptce.name,
        ptce.description,
        ptce.lead_organisation_name,
        " ".join(Theme(theme).label for theme in ptce.themes if theme in Theme.values),
        " ".join(str(tag) for tag in ptce.tags or []),
        region_name,
        department_name,
        " ".join(list(commune_names)[:200]),
        " ".join(label_titles),
        " ".join(public_member_names),
    ]
    return normalise(" ".join(part for part in parts if part))


def build_search_text(ptce: Ptce) -> str:
    return search_text_of(
        ptce,
        region_name=ptce.main_region.name if ptce.main_region_id else "",
        department_name=ptce.main_department.name if ptce.main_department_id else "",
        commune_names=ptce.communes.values_list("name", flat=True)[:200],
        label_titles=ptce.labels.values_list("title", flat=True),
        public_member_names=ptce.members.filter(is_public=True).values_list("name", flat=True),
    )


def refresh_search(ptce: Ptce) -> None:
    """Recompute the denormalised search columns (and the tsvector on PostgreSQL) and the
    open-data listing columns (``laureates.listing``), after any change of the pole or of its
    members, communes or labels."""
    from laureates.listing import refresh_listing

    ptce.search_name = normalise(ptce.name)
    ptce.search_text = build_search_text(ptce)
    Ptce.objects.filter(pk=ptce.pk).update(
        search_name=ptce.search_name, search_text=ptce.search_text
    )
    update_search_vectors(Ptce.objects.filter(pk=ptce.pk))
    refresh_listing([ptce.pk])


def refresh_search_many(pks) -> None:
    """``refresh_search`` for many PTCE at once (imports): four reads and batched updates
    whatever their number, then one re-index (PostgreSQL; SQLite's triggers follow), and the
    listing columns (three reads per 500 poles)."""
    from collections import defaultdict

    from laureates.listing import refresh_listing
    from laureates.models import PtceLabel, PtceMember

    pks = sorted(set(pks))
    for start in range(0, len(pks), 500):
        chunk = pks[start : start + 500]
        communes, labels, members = defaultdict(list), defaultdict(list), defaultdict(list)
        for ptce_id, name in (
            Ptce.communes.through.objects.filter(ptce_id__in=chunk)
            .order_by("commune__name")
            .values_list("ptce_id", "commune__name")
        ):
            communes[ptce_id].append(name)
        for ptce_id, title in PtceLabel.objects.filter(ptce_id__in=chunk).values_list(
            "ptce_id", "title"
        ):
            labels[ptce_id].append(title)
        for ptce_id, name in PtceMember.objects.filter(
            ptce_id__in=chunk, is_public=True
        ).values_list("ptce_id", "name"):
            members[ptce_id].append(name)
        rows = list(
            Ptce.objects.filter(pk__in=chunk).select_related("main_region", "main_department")
        )
        for ptce in rows:
            ptce.search_name = normalise(ptce.name)
            ptce.search_text = search_text_of(
                ptce,
                region_name=ptce.main_region.name if ptce.main_region_id else "",
                department_name=ptce.main_department.name if ptce.main_department_id else "",
                commune_names=communes[ptce.pk],
                label_titles=labels[ptce.pk],
                public_member_names=members[ptce.pk],
            )
        Ptce.objects.bulk_update(rows, ["search_name", "search_text"], batch_size=200)
    if pks:
        update_search_vectors(Ptce.objects.filter(pk__in=pks))
    refresh_listing(pks)


def update_search_vectors(queryset) -> int:
    """Re-index ``queryset`` (PostgreSQL: name weighted A, the rest B, French stemming, accents
    removed; SQLite: kept in step by triggers, nothing to do). See core/search.py."""
    from laureates.search import PTCE_INDEX

    return PTCE_INDEX.refresh(queryset)


def create_award(application, *, phase: str, amount=None, decided_at=None, actor=None):
    """Record the award of a published committee decision and create or update the pole of
    the directory: name, lead, members, territory, status (emerging for phase 1, funded for
    phase 2) and the call's label. Idempotent per (file, phase). Returns the ``Award``."""
    from calls.choices import Phase
    from laureates.models import Award, PtceLabel, PtceMember

    decided_at = decided_at or timezone.now()
    target = PtceStatus.FUNDED if phase == Phase.FUNDING else PtceStatus.EMERGING
    with transaction.atomic():
        existing = Award.objects.filter(application=application, phase=phase).first()
        ptce = existing.ptce if existing else None
        if ptce is None:
            # The same file's other phase, or the phase-1 file filed together with it.
            related = [application.pk, application.linked_application_id]
            related += list(application.linked_files.values_list("pk", flat=True))
            sibling = (
                Award.objects.filter(application_id__in=[pk for pk in related if pk])
                .exclude(ptce=None)
                .select_related("ptce")
                .first()
            )
            ptce = sibling.ptce if sibling else None
        if ptce is None and application.lead_siret:
            ptce = Ptce.objects.filter(lead_organisation_siret=application.lead_siret).first()
        name = application.display_name
        reason = f"Décision publiée : {Phase(phase).label} — appel « {application.call.title} »"
        if ptce is None:
            ptce = Ptce.objects.create(
                name=name, slug=unique_slug(name), status=target, status_changed_at=decided_at
            )
            PtceStatusChange.objects.create(
                ptce=ptce,
                to_status=target,
                changed_at=decided_at,
                reason=reason,
                actor_label="système",
            )
        else:
            ptce.name = name
            # A phase-2 award funds the pole (through the checked, audited service); a phase-1
            # label never moves an existing pole backwards.
            if (
                phase == Phase.FUNDING
                and ptce.status != target
                and (ptce.status, target) in TRANSITION_TABLE
            ):
                change_ptce_status(ptce, target, actor=None, reason=reason)
        ptce.lead_organisation_name = application.lead_name
        ptce.lead_organisation_siret = application.lead_siret
        ptce.save()
        ptce.members.all().delete()
        PtceMember.objects.bulk_create(
            PtceMember(
                ptce=ptce, name=m.name, category=m.category, siret=m.siret, role=m.role[:255]
            )
            for m in application.members.all()
        )
        set_ptce_territory(
            ptce,
            commune_codes=application.communes.values_list("code", flat=True),
            epci_codes=application.epcis.values_list("code", flat=True),
        )
        call = application.call
        PtceLabel.objects.get_or_create(
            ptce=ptce, title=call.title[:120], year=call.year, phase=phase, defaults={"call": call}
        )
        award, created = Award.objects.update_or_create(
            application=application,
            phase=phase,
            defaults={
                "ptce": ptce,
                "call": call,
                "amount": amount,
                "decided_at": decided_at,
                "status": AwardStatus.GRANTED,
            },
        )
        refresh_search(ptce)
        # The owner of the file can reach the laureate space (and enrol) at once.
        if application.owner_id and application.owner.is_active:
            from laureates.support_services import add_contact

            add_contact(ptce, application.owner, actor=actor)
        audit.record(
            "laureates.award_created" if created else "laureates.award_updated",
            actor=actor,
            obj=award,
            after={
                "ptce": ptce.pk,
                "phase": phase,
                "amount": None if amount is None else str(amount),
            },
        )
        from laureates.followup import ensure_agreement

        ensure_agreement(award, actor=actor)
    return award

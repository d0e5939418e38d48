"""What the staff file page (``/instruction/dossiers/<uuid>/``) shows beyond the file itself:
its sommaire, the eligibility verdicts (the candidate's engine, unchanged), the régional opinion
and the committee's decisions. A fixed number of queries, whatever the number of members,
evaluations or decisions.
"""

from dataclasses import dataclass

from accounts.permissions import is_national

# The page's sections, in order: (anchor id, title in the sommaire).
SECTIONS = (
    ("signaux", "Signaux"),
    ("eligibilite", "Éligibilité"),
    ("soutiens-anterieurs", "Soutiens antérieurs"),
    ("dossier", "Dossier"),
    ("historique", "Historique"),
    ("versions", "Versions"),
    ("messagerie", "Messagerie"),
    ("evaluations", "Évaluations"),
    ("avis-regional", "Avis régional"),
    ("decision", "Décision"),
    ("actions", "Actions"),
)


@dataclass(frozen=True)
class DecisionLine:
    session_title: str
    session_date: object
    published: bool
    label: str
    amount: object
    reasons: str
    waiting_position: int | None


def eligibility(application):
    """The 13 verdicts the candidate sees on the summary page: the same engine
    (``calls.eligibility.evaluate`` on ``applications.description.describe``), the same rules
    and the same French wording."""
    from applications import services as application_services

    return application_services.eligibility(application)


def territory_names(data: dict | None) -> dict[str, dict[str, str]]:
    """Names of the régions and départements a snapshot lists by code (two queries at most)."""
    from territories.models import Department, Region

    territory = (data or {}).get("territory") or {}
    names: dict[str, dict[str, str]] = {"regions": {}, "departments": {}}
    regions = [str(code) for code in territory.get("regions") or []]
    departments = [str(code) for code in territory.get("departments") or []]
    if regions:
        names["regions"] = dict(Region.objects.filter(code__in=regions).values_list("code", "name"))
    if departments:
        names["departments"] = dict(
            Department.objects.filter(code__in=departments).values_list("code", "name")
        )
    return names


def regional_opinion(user, application):
    """The régional opinion, for those who may read it on its own page (the writers — reviewers
    and cell lead of the file's région — and the national cell); None otherwise or if none."""
    from reviews import opinions
    from reviews.models import RegionalOpinion

    if not (opinions.can_write_opinion(user, application) or is_national(user)):
        return None
    return (
        RegionalOpinion.objects.filter(application=application)
        .select_related("author", "validated_by")
        .first()
    )


def decisions(user, application) -> list[DecisionLine]:
    """The committee's decisions on this file: published ones for every staff member who sees
    the file, decisions still pending publication for the national cell only (one query)."""
    from reviews.models import Decision

    rows = Decision.objects.filter(application=application).select_related("session")
    if not is_national(user):
        rows = rows.filter(session__published_at__isnull=False)
    return [
        DecisionLine(
            session_title=row.session.title,
            session_date=row.session.date,
            published=row.session.is_published,
            label=row.get_decision_display(),
            amount=row.amount,
            reasons=row.reasons,
            waiting_position=row.waiting_position,
        )
        for row in rows.order_by("session__date", "pk")
    ]


@dataclass(frozen=True)
class MemberSupport:
    member: str
    siren: str
    pole: str
    call_title: str
    phase_label: str
    amount: object
    decided_at: object


def member_supports(application) -> list[MemberSupport]:
    """State support already granted to a pole led by one of this file's members (same SIREN
    as the earlier lead), under another call: the lead's own supports are the register panel's
    (``registry.checks.previous_supports``). Two queries, whatever the number of members."""
    from django.db.models.functions import Substr

    from laureates.models import Award, AwardStatus

    sirens: dict[str, str] = {}
    for name, siret in application.members.exclude(siret="").values_list("name", "siret"):
        sirens.setdefault(siret[:9], name)
    lead_siren = (application.lead_siret or "")[:9]
    sirens.pop(lead_siren, None)
    if not sirens:
        return []
    awards = (
        Award.objects.annotate(lead_siren=Substr("application__lead_siret", 1, 9))
        .filter(status=AwardStatus.GRANTED, lead_siren__in=list(sirens))
        .exclude(call_id=application.call_id)
        .exclude(application_id=application.pk)
        .select_related("call", "application", "ptce")
        .order_by("-decided_at", "pk")
    )
    return [
        MemberSupport(
            member=sirens[award.lead_siren],
            siren=award.lead_siren,
            pole=award.ptce.name if award.ptce_id else award.application.display_name,
            call_title=award.call.title,
            phase_label=award.get_phase_display(),
            amount=award.amount,
            decided_at=award.decided_at,
        )
        for award in awards
    ]

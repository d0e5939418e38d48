"""Demo follow-up of phase-2 laureates: three poles of the demo call, accepted in phases 1 and 2
(names ending « — lauréat de phase 2 (démo) »), with agreements drawn from the call's schedule:

* Monts du Lyonnais (porteur@demo.ptce.fr): agreement signed, first tranche paid, interim
  report overdue, so the second tranche is blocked;
* Somme solidaire (porteuse2@demo.ptce.fr): decided last month, agreement to sign;
* Pôle textile vosgien (porteuse2@demo.ptce.fr): signed, first tranche paid, interim report
  sent and awaiting the national cell's review.

Phase-2 awards that already exist (e.g. published by the review demo's committee) get their
agreement too. Idempotent: a pole whose award exists is left as it is. Everything goes through
the real services (submission, status changes, awards, signature, payments, reports)."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.choices import ApplicationStatus as S
from applications.choices import MemberCategory, PhaseRequest
from calls.models import Call, Phase
from laureates import followup
from laureates.models import Award
from laureates.models_followup import Agreement, ReportKind

LAUREATE = " — lauréat de phase 2 (démo)"
VOSGES = {
    "lead": ("SCIC Fils des Vosges (démo)", "88160", "88000", "5 quai des Bons Enfants"),
    "pole": "Pôle textile vosgien (démo)",
    "communes": ["88160", "88413"],
    "members": [
        ("Atelier de confection solidaire d’Épinal (démo)", MemberCategory.ESS_ENTERPRISE),
        ("Tissages Perrin SAS (démo)", MemberCategory.OTHER_ENTERPRISE),
        ("Communauté d’agglomération d’Épinal (démo)", MemberCategory.LOCAL_AUTHORITY),
        ("Lycée des métiers du textile (démo)", MemberCategory.TRAINING_BODY),
    ],
    "themes": ["textile", "employment"],
}
REPORT_TEXT = (
    "Première année de mise en œuvre : recrutement d’une coordinatrice, mise en commun d’un "
    "atelier de confection et d’une plateforme logistique, trois nouveaux membres accueillis. "
    "Difficultés : délais d’obtention des cofinancements régionaux."
)
REPORT_FIGURES = {
    "members_ess_enterprise": "9",
    "members_other_enterprise": "4",
    "members_local_authority": "2",
    "members_research_centre": "0",
    "members_higher_education": "1",
    "members_training_body": "1",
    "members_other": "3",
    "jobs_created_fte": "3.5",
    "jobs_maintained_fte": "12",
    "turnover": "412500",
    "cofinancing_local_authorities": "35000",
    "cofinancing_banque_des_territoires": "20000",
    "cofinancing_eu_funds": "0",
    "cofinancing_own_resources": "18000",
    "cofinancing_in_kind": "6500",
    "cofinancing_other_resource": "0",
    "projects_launched": "4",
    "people_reached": "1350",
    "volunteers": "27",
}


def _months_ago(months: int, today) -> datetime.date:
    return followup.add_months(today, -months)


def _accepted_files(owner, call, profile, seed, national, out):
    """The phase-1 and phase-2 files of a demo laureate, submitted and accepted."""
    from applications import services as application_services
    from applications import states
    from applications.demo import _build

    draft = _build(owner, call, profile, seed=seed, requested_phases=PhaseRequest.BOTH)
    try:
        files = application_services.submit(draft, actor=owner)
    except application_services.SubmissionRefused as refusal:
        out.write(f"  (lauréat de démonstration non déposé : {refusal.reasons[0]})\n")
        return []
    for application in files:
        application.refresh_from_db()
        for target, reason in (
            (S.UNDER_REVIEW, "Instruction (démo)"),
            (S.REVIEWED, "Instruction terminée (démo)"),
            (S.ACCEPTED, "Décision du comité de sélection (démo)"),
        ):
            if application.status != target:
                states.change_status(application, target, actor=national, reason=reason)
    return files


def _laureate(call, owner, national, profile, seed, decided_months_ago, amount, out):
    from laureates.services import create_award

    pole_name = profile["pole"].replace(" (démo)", LAUREATE)
    profile = {**profile, "pole": pole_name}
    award = (
        Award.objects.filter(application__pole_name=pole_name, phase=Phase.FUNDING)
        .select_related("ptce")
        .first()
    )
    if award is not None:
        return award, False
    files = _accepted_files(owner, call, profile, seed, national, out)
    if not files:
        return None, False
    decided_at = timezone.now() - datetime.timedelta(days=round(30.44 * decided_months_ago))
    funding = None
    for application in sorted(files, key=lambda a: a.phase != Phase.EMERGENCE):
        phase = application.phase or Phase.EMERGENCE
        award = create_award(
            application,
            phase=phase,
            amount=amount if phase == Phase.FUNDING else None,
            decided_at=decided_at,
            actor=national,
        )
        if phase == Phase.FUNDING:
            funding = award
    return funding, True


def load(out):
    call = (
        Call.objects.open_at()
        .filter(has_funding_phase=True, has_emergence_phase=True)
        .order_by("pk")
        .first()
    )
    national = User.objects.filter(email="cellule.nationale@demo.ptce.fr").first()
    porteur = User.objects.filter(email="porteur@demo.ptce.fr").first()
    porteuse = User.objects.filter(email="porteuse2@demo.ptce.fr").first()
    # Awards published by a committee before this step get their agreement.
    drawn_up = 0
    for award in Award.objects.filter(phase=Phase.FUNDING, agreement__isnull=True).exclude(
        amount__isnull=True
    ):
        drawn_up += followup.ensure_agreement(award, actor=national) is not None
    if call is None or not all([national, porteur, porteuse]):
        out.write("Suivi des lauréats : appel ou comptes de démonstration absents — rien créé.\n")
        return
    from applications.demo import LYONNAIS, PICARDIE

    today = timezone.localdate()
    created = 0
    with transaction.atomic():
        late, new = _laureate(call, porteur, national, LYONNAIS, 41, 15, Decimal("80000"), out)
        created += new
        if new and late is not None:
            agreement = late.agreement
            signed = _months_ago(14, today)
            followup.sign_agreement(agreement, signed, actor=national)
            followup.acknowledge_agreement(agreement, user=porteur)
            first = agreement.payments.get(position=1)
            followup.record_payment(
                first,
                amount=first.planned_amount,
                paid_on=followup.add_months(signed, 1),
                actor=national,
            )
        fresh, new = _laureate(call, porteuse, national, PICARDIE, 44, 1, Decimal("65000"), out)
        created += new
        reviewing, new = _laureate(call, porteuse, national, VOSGES, 47, 13, Decimal("100000"), out)
        created += new
        if new and reviewing is not None:
            agreement = reviewing.agreement
            signed = _months_ago(12, today)
            followup.sign_agreement(agreement, signed, actor=national)
            first = agreement.payments.get(position=1)
            followup.record_payment(
                first,
                amount=first.planned_amount,
                paid_on=followup.add_months(signed, 1),
                actor=national,
            )
            report = agreement.reports.filter(kind__in=[ReportKind.INTERIM, ReportKind.YEARLY])
            report = report.order_by("due_on").first()
            followup.submit_report(
                report, narrative=REPORT_TEXT, indicators=REPORT_FIGURES, user=porteuse
            )
    overdue = followup.overdue_reports(today).count()
    out.write(
        f"Suivi des lauréats : {created} lauréat(s) de phase 2 créé(s), {drawn_up} convention(s) "
        f"établie(s) pour des décisions existantes ; {Agreement.objects.count()} convention(s), "
        f"{overdue} bilan(s) en retard — /suivi-laureats/ (cellule nationale), "
        "/espace-laureat/ (porteur@demo.ptce.fr)\n"
    )

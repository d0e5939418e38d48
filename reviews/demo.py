"""Demo review data: assignments and evaluations (one file in clear disagreement) on the demo
files, a few more Auvergne-Rhône-Alpes files to review, and one correction request.
Idempotent: each step checks what already exists."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.choices import ApplicationStatus as S
from applications.models import Application
from calls.models import Call, create_default_grid
from reviews import services
from reviews.models import Assignment, CorrectionRequest

EXTRA = " — dossier à instruire"
# Scores in the default grid's order (animation, coopération, impact, innovation,
# viabilité, territoires prioritaires).
AGREE = (["4", "4", "3", "4", "3", "3"], ["4", "3", "4", "3", "3", "4"])
DISAGREE = (["5", "5", "5", "4", "5", "5"], ["1", "2", "1", "1", "2", "1"])


DEMO_OWNERS = ("porteur@demo.ptce.fr", "porteuse2@demo.ptce.fr")


def _users(*emails):
    found = {u.email: u for u in User.objects.filter(email__in=emails)}
    return [found.get(email) for email in emails]


def _extra_files(call, owner, out):
    from applications import services as application_services
    from applications.demo import LYONNAIS, _build

    existing = list(
        Application.objects.filter(call=call, pole_name__contains=EXTRA)
        .exclude(status=S.DRAFT)
        .order_by("reference")
    )
    if existing:
        return existing
    files = []
    for index in range(3):
        draft = _build(
            owner,
            call,
            LYONNAIS,
            seed=11 + index,
            requested_phases="emergence",
            suffix=f"{EXTRA} n° {index + 1}",
        )
        try:
            files += application_services.submit(draft, actor=owner)
        except application_services.SubmissionRefused as refusal:
            out.write(f"  (dossier supplémentaire non déposé : {refusal.reasons[0]})")
    return files


def _evaluate(application, reviewer, values):
    evaluation = services.evaluation_for(application, reviewer)
    if evaluation.is_submitted:
        return
    criteria = services.criteria_of(services.grid_of(application))
    services.save_evaluation(
        evaluation,
        {
            c.code: (v, "Appréciation de démonstration.")
            for c, v in zip(criteria, values, strict=True)
        },
        submit=True,
        general_comment="Évaluation de démonstration.",
    )


def load(out, round_regions=None):
    call = Call.objects.open_at().order_by("pk").first()
    porteur, reviewer_a, reviewer_b, lead_ara, reviewer_hdf, lead_hdf = _users(
        "porteur@demo.ptce.fr",
        "instructeur.ara@demo.ptce.fr",
        "instructrice.ara@demo.ptce.fr",
        "responsable.ara@demo.ptce.fr",
        "instructeur.hdf@demo.ptce.fr",
        "responsable.hdf@demo.ptce.fr",
    )
    if call is None or not all([porteur, reviewer_a, reviewer_b, lead_ara]):
        out.write("Instruction de démonstration : appel ou comptes absents — rien créé.")
        return
    create_default_grid(call)
    with transaction.atomic():
        extra = _extra_files(call, porteur, out)
        ara = list(
            Application.objects.filter(call=call, region_id="84", owner=porteur)
            .exclude(status__in=[S.DRAFT, S.WITHDRAWN])
            .order_by("reference")
        )
        for application in ara:
            if application.status in services.REVIEWABLE:
                services.assign(application, [reviewer_a, reviewer_b], actor=lead_ara)
        plans = [AGREE, DISAGREE]
        for application, plan in zip(ara[:2], plans, strict=False):
            application.refresh_from_db()
            if application.status in services.REVIEWABLE:
                _evaluate(application, reviewer_a, plan[0])
                _evaluate(application, reviewer_b, plan[1])
        if len(ara) > 2:
            third = ara[2]
            third.refresh_from_db()
            if third.status in services.REVIEWABLE:
                _evaluate(third, reviewer_a, AGREE[0])  # the other reviewer has not scored yet
        if extra and not CorrectionRequest.objects.filter(application__in=extra).exists():
            target = extra[-1]
            target.refresh_from_db()
            if target.status in services.REVIEWABLE:
                services.request_correction(
                    target,
                    actor=reviewer_b,
                    sections=["projet", "pieces"],
                    message="Merci de préciser le diagnostic territorial (chiffres de "
                    "l’emploi local) et de joindre les statuts signés.",
                    deadline=timezone.localdate() + timedelta(days=15),
                )
        if reviewer_hdf and lead_hdf:
            for application in Application.objects.filter(
                call=call, region_id="32", owner__email__in=DEMO_OWNERS
            ).exclude(status__in=[S.DRAFT, S.WITHDRAWN]):
                if application.status in services.REVIEWABLE:
                    services.assign(application, [reviewer_hdf], actor=lead_hdf)
                    application.refresh_from_db()
                    _evaluate(application, reviewer_hdf, AGREE[1])
    from reviews import demo_round

    demo_round.load(call, out, regions=round_regions)
    overdue = spread_due_dates(call)
    assignments = Assignment.objects.filter(application__call=call).count()
    out.write(
        f"Instruction de démonstration : {assignments} attribution(s) (dont {overdue} en retard), "
        f"{len(extra)} dossier(s) supplémentaire(s) en Auvergne-Rhône-Alpes, une demande de "
        "compléments ; liste : /instruction/dossiers/"
    )


# Offsets from today of the due dates of the open evaluations, in turn: overdue, due within
# 3 days, later (« Mes évaluations » and the workload page then show every state).
DUE_OFFSETS = [-4, 2, 10, 21, -1]


def spread_due_dates(call, today=None) -> int:
    """Give the call's evaluations not yet transmitted varied due dates (same result on every
    run). Returns how many are overdue."""
    from reviews.models import Evaluation, EvaluationStatus

    today = today or timezone.localdate()
    submitted = Evaluation.objects.filter(
        application__call=call, status=EvaluationStatus.SUBMITTED
    ).values_list("application_id", "reviewer_id")
    done = set(submitted)
    open_assignments = [
        a
        for a in Assignment.objects.filter(application__call=call).order_by("pk")
        if (a.application_id, a.reviewer_id) not in done
    ]
    overdue = 0
    for index, assignment in enumerate(open_assignments):
        offset = DUE_OFFSETS[index % len(DUE_OFFSETS)]
        assignment.due_on = today + timedelta(days=offset)
        overdue += offset < 0
    Assignment.objects.bulk_update(open_assignments, ["due_on"])
    return overdue

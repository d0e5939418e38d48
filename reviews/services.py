"""Business rules of the review (SPEC §5.1–5.3): routing, assignment, conflicts of interest,
scoring, per-file figures, correction requests and messages.

Every status change goes through ``applications.states.change_status``; every action writes
``core.audit.record``; e-mails go through the outbox. Figures come from ``reviews.scoring``.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Role, User
from accounts.permissions import is_cell_lead_for, is_national, is_regional_for
from applications import states
from applications.choices import ApplicationStatus as S
from applications.models import Application
from core import audit
from reviews import scoring
from reviews.conflicts import conflict_q, has_conflict, organisation_matches
from reviews.models import (
    Assignment,
    ConflictOfInterest,
    ConflictSource,
    CorrectionRequest,
    CorrectionSection,
    Evaluation,
    EvaluationStatus,
    Message,
    ReviewSummary,
    RoutingChange,
    Score,
)

DEFAULT_REVIEWERS_PER_FILE = 2
REVIEWER_ROLES = (Role.REGIONAL_REVIEWER, Role.REGIONAL_CELL_LEAD)
# States in which reviewers score and may ask for corrections.
REVIEWABLE = frozenset({S.SUBMITTED, S.UNDER_REVIEW})
# Long texts of a file that lists, rankings and exports never show (deferred when loading
# thousands of files).
LONG_TEXTS = (
    "diagnosis",
    "strategy",
    "projects",
    "innovation",
    "sustainable_development",
    "governance",
)


class ReviewError(Exception):
    """A review action refused, with a French message for the person."""


# ---------------------------------------------------------------- routing


def on_status_changed(sender, application, source, target, actor, reason, **kwargs):
    """Receiver of ``applications.states.status_changed``: route at first submission, close
    correction requests on resubmission."""
    if target != S.SUBMITTED:
        return
    from reviews.identity import refresh_identity

    if source == S.DRAFT:
        route_at_submission(application)
    elif source == S.CORRECTION_REQUESTED:
        answer_corrections(application)
        refresh_territory_flags(application)  # the territory may have been corrected
    detect_conflicts(application)
    refresh_identity(application)


def route_at_submission(application) -> RoutingChange:
    """The submission set ``Application.region`` (territory's région; for a territory over
    several régions the lead organisation's): record it and prepare the file's figures."""
    change = RoutingChange.objects.create(
        application=application,
        from_region=None,
        to_region_id=application.region_id,
        by=None,
        reason="Orientation automatique au dépôt (région du territoire).",
        at=timezone.now(),
    )
    refresh_territory_flags(application)
    audit.record(
        "review.routed",
        obj=application,
        after={"region": application.region_id, "automatic": True},
    )
    return change


def refresh_territory_flags(application) -> ReviewSummary:
    """Main département (the lead organisation's if it is in the territory, else the first)
    and priority-territory flags, from the territory as submitted."""
    from territories.services import summarise_territory

    communes = list(application.communes.values_list("code", flat=True))
    epcis = list(application.epcis.values_list("code", flat=True))
    summary = summarise_territory(communes, epcis)
    departments = summary.departments
    department = None
    if application.lead_commune_id:
        lead_department = getattr(application.lead_commune, "department_id", None)
        department = next((d for d in departments if d.code == lead_department), None)
    if department is None and departments:
        department = departments[0]
    priority = summary.priority
    row, _ = ReviewSummary.objects.get_or_create(application=application)
    row.department = department
    row.is_overseas = any(region.is_overseas for region in summary.regions)
    row.is_rural = priority.is_rural
    row.is_qpv = priority.has_qpv
    row.commune_count = priority.communes
    row.rural_count = priority.rural
    row.qpv_count = priority.qpv
    row.density_unknown_count = priority.density_unknown
    row.save(
        update_fields=[
            "department",
            "is_overseas",
            "is_rural",
            "is_qpv",
            "commune_count",
            "rural_count",
            "qpv_count",
            "density_unknown_count",
            "updated_at",
        ]
    )
    return row


def territory_priority(application):
    """Rural and QPV figures of the file's territory as it stands (staff file page)."""
    from applications.services import territory_codes
    from territories.services import summarise_territory

    return summarise_territory(*territory_codes(application)).priority


def on_reference_loaded(sender, kind, **kwargs):
    """Receiver of ``territories.reference.reference_loaded``: a new density grid or QPV list
    changes the priority flags of every file under review."""
    refresh_all_territory_flags()


def refresh_all_territory_flags() -> int:
    rows = ReviewSummary.objects.select_related("application__lead_commune")
    count = 0
    for row in rows.iterator():
        refresh_territory_flags(row.application)
        count += 1
    return count


def reroute(application, region, *, actor, reason: str) -> RoutingChange:
    """Send a file to another régional cell (national cell only), logged with its reason.
    Assignments of reviewers of the former région are removed (their evaluations stay)."""
    if not is_national(actor):
        raise ReviewError("Seule la cellule nationale peut réorienter un dossier.")
    if not reason.strip():
        raise ReviewError("Indiquez le motif de la réorientation.")
    if application.status == S.DRAFT:
        raise ReviewError("Un brouillon n’est orienté vers aucune cellule.")
    if region.pk == application.region_id:
        raise ReviewError("Le dossier est déjà instruit par cette région.")
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        previous = locked.region_id
        locked.region = region
        locked.save(update_fields=["region", "updated_at"])
        removed = list(
            Assignment.objects.filter(application=locked)
            .exclude(reviewer__region=region)
            .values_list("reviewer__email", flat=True)
        )
        Assignment.objects.filter(application=locked).exclude(reviewer__region=region).delete()
        change = RoutingChange.objects.create(
            application=locked,
            from_region_id=previous,
            to_region=region,
            by=actor,
            reason=reason.strip(),
            at=timezone.now(),
        )
        audit.record(
            "review.rerouted",
            actor=actor,
            obj=locked,
            before={"region": previous},
            after={"region": region.pk, "reason": reason.strip(), "unassigned": removed},
        )
        detect_conflicts(locked)
    application.region = region
    return change


# ---------------------------------------------------------------- conflicts


def detect_conflicts(application) -> list[ConflictOfInterest]:
    """Store an automatic conflict for every staff member whose organisation (SIREN or
    normalised name) is the lead or a member of the grouping."""
    members = list(application.members.all())
    staff = User.objects.filter(is_active=True, role__in=[r for r in Role if r != Role.CANDIDATE])
    staff = staff.filter(~Q(organisation="") | ~Q(siret=""))
    existing = set(
        ConflictOfInterest.objects.filter(application=application).values_list(
            "reviewer_id", flat=True
        )
    )
    created = []
    for user in staff:
        if user.pk in existing:
            continue
        why = organisation_matches(user, application, members)
        if why:
            created.append(
                ConflictOfInterest.objects.create(
                    application=application,
                    reviewer=user,
                    source=ConflictSource.AUTOMATIC,
                    reason=f"Exclusion automatique : {why}.",
                )
            )
            Assignment.objects.filter(application=application, reviewer=user).delete()
            audit.record(
                "review.conflict_detected",
                obj=application,
                after={"reviewer": user.email, "reason": why},
            )
    return created


def declare_conflict(application, reviewer, reason: str) -> ConflictOfInterest:
    """A reviewer declares a conflict: from now on the file is hidden from them, their
    assignment is removed and their evaluation no longer counts."""
    if not reason.strip():
        raise ReviewError("Indiquez la nature du conflit d’intérêts.")
    with transaction.atomic():
        conflict, created = ConflictOfInterest.objects.get_or_create(
            application=application,
            reviewer=reviewer,
            defaults={"source": ConflictSource.DECLARED, "reason": reason.strip()},
        )
        Assignment.objects.filter(application=application, reviewer=reviewer).delete()
        Evaluation.objects.filter(
            application=application, reviewer=reviewer, status=EvaluationStatus.DRAFT
        ).delete()
        if created:
            audit.record(
                "review.conflict_declared",
                actor=reviewer,
                obj=application,
                after={"reason": reason.strip()},
            )
        recompute_summary(application)
    return conflict


# ---------------------------------------------------------------- assignment


def can_assign(user, application) -> bool:
    return (
        is_national(user) or is_cell_lead_for(user, application.region_id)
    ) and not has_conflict(user, application)


def eligible_reviewers(application):
    """Reviewers and cell lead of the file's région without a conflict on it, annotated with
    ``load`` (their number of assignments), fewest first."""
    conflicted = ConflictOfInterest.objects.filter(application=application).values("reviewer_id")
    queryset = User.objects.filter(
        is_active=True, role__in=REVIEWER_ROLES, region_id=application.region_id
    ).exclude(pk__in=conflicted)
    siren_conflicts = [
        user.pk
        for user in queryset.exclude(siret="")
        if has_conflict(user, application)  # SIREN matches checked live
    ]
    return (
        queryset.exclude(pk__in=siren_conflicts)
        .annotate(load=Count("review_assignments", distinct=True))
        .order_by("load", "last_name", "first_name", "pk")
    )


def suggest_reviewers(application, count: int = DEFAULT_REVIEWERS_PER_FILE) -> list:
    """« Fewest reviews first »: eligible reviewers (cell leads only when assigned by hand)
    not yet assigned, lightest load first, enough to reach ``count`` reviewers on the file."""
    assigned = set(application.assignments.values_list("reviewer_id", flat=True))
    missing = max(0, count - len(assigned))
    candidates = eligible_reviewers(application).filter(role=Role.REGIONAL_REVIEWER)
    return [user for user in candidates if user.pk not in assigned][:missing]


def assign(application, reviewers, *, actor) -> list[Assignment]:
    """Assign reviewers (cell lead of the région, or national cell). Each must be a reviewer
    of the file's région without a conflict. The file enters review at its first assignment."""
    if not can_assign(actor, application):
        raise ReviewError("Vous ne pouvez pas attribuer ce dossier.")
    if application.status not in REVIEWABLE:
        raise ReviewError(
            f"Un dossier « {application.get_status_display()} » ne peut pas être attribué."
        )
    from reviews.workload import default_due_on

    allowed = {user.pk for user in eligible_reviewers(application)}
    due_on = default_due_on(application)
    created = []
    with transaction.atomic():
        for reviewer in reviewers:
            if reviewer.pk not in allowed:
                raise ReviewError(
                    f"{reviewer.full_name or reviewer.email} ne peut pas instruire ce dossier "
                    "(autre région ou conflit d’intérêts)."
                )
            assignment, new = Assignment.objects.get_or_create(
                application=application,
                reviewer=reviewer,
                defaults={"assigned_by": actor, "due_on": due_on},
            )
            if new:
                created.append(assignment)
                audit.record(
                    "review.assigned",
                    actor=actor,
                    obj=application,
                    after={"reviewer": reviewer.email, "due_on": due_on.isoformat()},
                )
                _queue(
                    [reviewer.email],
                    "review_assigned",
                    {"application": application, "reviewer": reviewer},
                )
        if created and application.status == S.SUBMITTED:
            states.change_status(
                application, S.UNDER_REVIEW, actor=actor, reason="Attribution aux évaluateurs"
            )
    return created


def bulk_assign(applications, *, actor, per_file: int = DEFAULT_REVIEWERS_PER_FILE) -> dict:
    """Complete every file to ``per_file`` reviewers with the « fewest reviews first » rule
    (loads are re-read after each file, so the work spreads). Returns
    ``{"assigned": {reference: [reviewers]}, "skipped": {reference: reason}}``."""
    done: dict[str, list] = {}
    skipped: dict[str, str] = {}
    for application in applications:
        if not can_assign(actor, application) or application.status not in REVIEWABLE:
            skipped[application.reference] = "attribution impossible dans cet état ou région"
            continue
        chosen = suggest_reviewers(application, per_file)
        if not chosen:
            skipped[application.reference] = "aucun évaluateur disponible ou déjà complet"
            continue
        assign(application, chosen, actor=actor)
        done[application.reference] = chosen
    return {"assigned": done, "skipped": skipped}


def unassign(assignment, *, actor) -> None:
    if not can_assign(actor, assignment.application):
        raise ReviewError("Vous ne pouvez pas modifier les attributions de ce dossier.")
    audit.record(
        "review.unassigned",
        actor=actor,
        obj=assignment.application,
        after={"reviewer": assignment.reviewer.email},
    )
    assignment.delete()


# ---------------------------------------------------------------- scoring


def grid_of(application):
    from calls.models import Grid

    return Grid.objects.filter(call_id=application.call_id).prefetch_related("criteria").first()


def criteria_of(grid) -> list:
    return sorted(grid.criteria.all(), key=lambda c: (c.order, c.pk)) if grid else []


def can_score(user, application) -> bool:
    """Assigned reviewers, and the cell lead of the région, while the file is reviewable."""
    if application.status not in REVIEWABLE or has_conflict(user, application):
        return False
    if not is_regional_for(user, application.region_id):
        return False
    return is_cell_lead_for(user, application.region_id) or (
        application.assignments.filter(reviewer=user).exists()
    )


def evaluation_for(application, reviewer) -> Evaluation:
    evaluation, _ = Evaluation.objects.get_or_create(application=application, reviewer=reviewer)
    return evaluation


def save_evaluation(evaluation, values: dict, *, submit: bool, general_comment: str = ""):
    """Save the scores ``values`` ({criterion code: (raw value or None, comment)}); with
    ``submit`` check them against the grid (``reviews.scoring``: French errors raised as
    ``ScoringError``), freeze the weighted total and update the file's figures."""
    application = evaluation.application
    grid = grid_of(application)
    if grid is None:
        raise ReviewError("L’appel n’a pas de grille d’évaluation.")
    criteria = criteria_of(grid)
    spec = scoring.grid_spec(grid)
    if evaluation.is_submitted and not submit:
        raise ReviewError(
            "Cette évaluation est déjà transmise : modifiez-la en la transmettant à nouveau."
        )
    raw = {code: value for code, (value, _comment) in values.items() if value not in (None, "")}
    errors = scoring.validate_scores(spec, raw)
    if not submit:  # a draft may be incomplete, never out of the scale
        errors = [e for e in errors if not e.endswith("la note est obligatoire.")]
    if errors:
        raise scoring.ScoringError(errors)
    result = scoring.evaluate(spec, raw) if submit else None
    with transaction.atomic():
        for criterion in criteria:
            value, comment = values.get(criterion.code, (None, ""))
            Score.objects.update_or_create(
                evaluation=evaluation,
                criterion=criterion,
                defaults={
                    "value": scoring.parse_decimal(value) if value not in (None, "") else None,
                    "comment": comment or "",
                },
            )
        evaluation.general_comment = general_comment
        if submit:
            evaluation.status = EvaluationStatus.SUBMITTED
            evaluation.submitted_at = timezone.now()
            evaluation.weighted_total = result.weighted_total
            evaluation.eliminated = result.eliminated
        evaluation.save()
        if submit:
            audit.record(
                "review.evaluation_submitted",
                actor=evaluation.reviewer,
                obj=application,
                after={
                    "reviewer": evaluation.reviewer.email,
                    "scores": {code: str(v) for code, v in result.scores.items()},
                    "weighted_total": str(result.weighted_total),
                    "eliminatory_failures": list(result.eliminatory_failures),
                },
            )
            recompute_summary(application)
            if application.status == S.SUBMITTED:
                states.change_status(
                    application,
                    S.UNDER_REVIEW,
                    actor=evaluation.reviewer,
                    reason="Première évaluation transmise",
                )
    return result


def _scores_by_evaluation(evaluations) -> dict:
    rows = Score.objects.filter(evaluation__in=evaluations).select_related("criterion")
    by_evaluation: dict[int, dict] = {}
    for row in rows:
        if row.value is not None:
            by_evaluation.setdefault(row.evaluation_id, {})[row.criterion.code] = row.value
    return by_evaluation


def counted_evaluations(application):
    """Submitted evaluations that count: not those of reviewers now in conflict."""
    conflicted = ConflictOfInterest.objects.filter(application=application).values("reviewer_id")
    return (
        application.evaluations.filter(status=EvaluationStatus.SUBMITTED)
        .exclude(reviewer_id__in=conflicted)
        .select_related("reviewer")
        .order_by("submitted_at", "pk")
    )


def file_statistics(application, evaluations=None):
    """``reviews.scoring.FileStatistics`` of the file from its counted evaluations."""
    grid = grid_of(application)
    evaluations = list(evaluations if evaluations is not None else counted_evaluations(application))
    if grid is None:
        return None
    spec = scoring.grid_spec(grid)
    scores = _scores_by_evaluation(evaluations)
    results = [scoring.evaluate(spec, scores.get(e.pk, {})) for e in evaluations]
    return scoring.file_statistics(spec, results, reference=application.reference or "")


def recompute_summary(application) -> ReviewSummary:
    stats = file_statistics(application)
    row, _ = ReviewSummary.objects.get_or_create(application=application)
    if stats is None or stats.review_count == 0:
        row.review_count, row.mean, row.median, row.std_dev = 0, None, None, None
        row.disagreement = row.eliminated = False
    else:
        row.review_count = stats.review_count
        row.mean, row.median, row.std_dev = stats.mean, stats.median, stats.std_dev
        row.disagreement, row.eliminated = stats.disagreement, stats.eliminated
    row.save()
    return row


def can_see_all_scores(user, application) -> bool:
    """Independence (SPEC §5.2): a reviewer sees the others' scores only once their own is
    submitted. The national cell sees all, and so does a cell lead who is not scoring it."""
    if is_national(user):
        return True
    own = application.evaluations.filter(reviewer=user).first()
    if own is not None:
        return own.is_submitted
    if is_cell_lead_for(user, application.region_id):
        return not application.assignments.filter(reviewer=user).exists()
    return False


@dataclass
class EvaluationView:
    evaluation: Evaluation
    scores: list  # Score rows in criterion order
    z_score: Decimal | None = None
    normalised_total: Decimal | None = None


def visible_evaluations(user, application, *, normalise: bool = False):
    """(evaluations the user may read, figures or None, hidden count). With ``normalise``,
    each evaluation carries its reviewer z-score over the round (raw values kept)."""
    evaluations = list(counted_evaluations(application))
    all_visible = can_see_all_scores(user, application)
    shown = evaluations if all_visible else [e for e in evaluations if e.reviewer_id == user.pk]
    scores = {}
    for row in (
        Score.objects.filter(evaluation__in=shown)
        .select_related("criterion")
        .order_by("criterion__order", "criterion_id")
    ):
        scores.setdefault(row.evaluation_id, []).append(row)
    z_scores = round_z_scores(application) if (normalise and all_visible) else {}
    views = [
        EvaluationView(
            evaluation=e,
            scores=scores.get(e.pk, []),
            z_score=z_scores.get(e.reviewer_id, (None, None))[0],
            normalised_total=z_scores.get(e.reviewer_id, (None, None))[1],
        )
        for e in shown
    ]
    figures = file_statistics(application, evaluations) if all_visible else None
    return views, figures, len(evaluations) - len(shown)


def round_z_scores(application) -> dict:
    """{reviewer id: (z-score, normalised total)} for this file, each reviewer normalised over
    all their submitted evaluations of the same call and round (``reviews.scoring``)."""
    grid = grid_of(application)
    if grid is None:
        return {}
    spec = scoring.grid_spec(grid)
    same_round = Q(
        application__call_id=application.call_id, application__round_id=application.round_id
    )
    conflicts = set(
        ConflictOfInterest.objects.filter(same_round).values_list("application_id", "reviewer_id")
    )
    evaluations = [
        e
        for e in Evaluation.objects.filter(same_round, status=EvaluationStatus.SUBMITTED)
        .select_related("application")
        .order_by("pk")
        if (e.application_id, e.reviewer_id) not in conflicts
    ]
    scores = _scores_by_evaluation(evaluations)
    inputs = [
        scoring.EvaluationInput(
            reference=e.application.reference or str(e.application_id),
            reviewer=str(e.reviewer_id),
            scores=scores.get(e.pk, {}),
        )
        for e in evaluations
    ]
    if not inputs:
        return {}
    stats = scoring.compute_statistics(spec, inputs, normalise=True)
    mine = stats.get(application.reference or str(application.pk))
    if mine is None:
        return {}
    return {int(e.reviewer): (e.z_score, e.normalised_total) for e in mine.evaluations}


# ---------------------------------------------------------------- corrections


def can_request_correction(user, application) -> bool:
    return (is_national(user) or is_regional_for(user, application.region_id)) and not has_conflict(
        user, application
    )


def request_correction(
    application, *, actor, sections, message: str, deadline: date
) -> CorrectionRequest:
    """Ask the candidate for corrections: the file goes to « En correction » and only the
    requested sections become editable again until the candidate resubmits."""
    if not can_request_correction(actor, application):
        raise ReviewError("Vous ne pouvez pas demander de compléments sur ce dossier.")
    if application.status not in REVIEWABLE:
        raise ReviewError(
            f"Un dossier « {application.get_status_display()} » ne peut pas faire l’objet "
            "d’une demande de compléments."
        )
    valid = [s for s in sections if s in CorrectionSection.values]
    if not valid or len(valid) != len(sections):
        raise ReviewError("Choisissez au moins une section à corriger parmi celles proposées.")
    if not message.strip():
        raise ReviewError("Décrivez les corrections ou compléments attendus.")
    if deadline <= timezone.localdate():
        raise ReviewError("La date limite doit être postérieure à aujourd’hui.")
    with transaction.atomic():
        correction = CorrectionRequest.objects.create(
            application=application,
            requested_by=actor,
            sections=valid,
            message=message.strip(),
            deadline=deadline,
        )
        states.change_status(
            application,
            S.CORRECTION_REQUESTED,
            actor=actor,
            reason=f"Demande de compléments : {', '.join(correction.section_labels())}",
        )
        audit.record(
            "review.correction_requested",
            actor=actor,
            obj=application,
            after={"sections": valid, "deadline": deadline.isoformat()},
        )
        _queue(
            _candidate_emails(application),
            "correction_requested",
            {"application": application, "correction": correction},
        )
    return correction


def open_correction(application) -> CorrectionRequest | None:
    return (
        application.correction_requests.filter(answered_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def editable_sections(application) -> frozenset | None:
    """Steps the candidate may change: all of them for a draft (``None``), the requested ones
    while corrections are requested, none otherwise."""
    if application.status == S.DRAFT:
        return None
    if application.status == S.CORRECTION_REQUESTED:
        correction = open_correction(application)
        return frozenset(correction.sections) if correction else frozenset()
    return frozenset()


def answer_corrections(application) -> None:
    version = application.submissions.order_by("-version").values_list("version", flat=True)
    version = version.first()
    now = timezone.now()
    application.correction_requests.filter(answered_at__isnull=True).update(
        answered_at=now, answered_version=version
    )
    reviewers = list(application.assignments.values_list("reviewer__email", flat=True))
    if reviewers:
        _queue(
            reviewers,
            "correction_answered",
            {"application": application, "version": version},
        )


# ---------------------------------------------------------------- messages


def post_message(application, *, author, body: str, upload=None) -> Message:
    """A message on the file, with an optional attachment checked like the file's own
    (``applications.uploads``); the other side is notified by e-mail."""
    from applications.uploads import check_upload

    if not body.strip():
        raise ReviewError("Le message est vide.")
    checked = check_upload(upload) if upload else None  # raises UploadRefused
    from_staff = author.is_staff_role
    with transaction.atomic():
        message = Message(application=application, author=author, from_staff=from_staff)
        message.body = body.strip()
        if checked:
            upload.name = checked.name
            message.attachment.save(checked.name, upload, save=False)
            message.attachment_name = checked.name
            message.attachment_content_type = checked.content_type
            message.attachment_size = checked.size
            message.attachment_sha256 = checked.sha256
        message.save()
        audit.record(
            "review.message_posted",
            actor=author,
            obj=application,
            after={"from_staff": from_staff, "attachment": message.attachment_name},
        )
        if from_staff:
            recipients = _candidate_emails(application)
        else:
            recipients = list(application.assignments.values_list("reviewer__email", flat=True))
            if not recipients:
                recipients = list(
                    User.objects.filter(
                        role=Role.REGIONAL_CELL_LEAD,
                        region_id=application.region_id,
                        is_active=True,
                    )
                    .exclude(
                        pk__in=ConflictOfInterest.objects.filter(application=application).values(
                            "reviewer_id"
                        )
                    )
                    .values_list("email", flat=True)
                )
        if recipients:
            _queue(
                recipients,
                "review_message",
                {"application": application, "message": message, "from_staff": from_staff},
            )
    return message


# ---------------------------------------------------------------- helpers


def _candidate_emails(application) -> list[str]:
    return [application.owner.email, *application.co_editors.values_list("email", flat=True)]


def _queue(recipients, template, context):
    from core.outbox import queue_templated_email

    queue_templated_email(list(recipients), template, context)


def reviewer_queryset_for(user):
    """Files a staff member may review, scoped like every list (``for_user``)."""
    return Application.objects.for_user(user).exclude(status=S.DRAFT).exclude(conflict_q(user))

"""Workload and deadlines of the review (issue 15, item 5).

* An assignment is due ``Call.review_days`` after it is made (``default_due_on``); the cell
  lead of the file's région or the national cell may move it (``set_due_date``), never into
  the past.
* « Mes évaluations » (``my_assignments``) and the cell lead's workload table
  (``reviewer_workload``), with the reassignment of one assignment to another reviewer of the
  same région (``reassign``: due date kept, refused on a conflict of interest).
* A correction request's deadline is enforced at resubmission (``resubmission_problem``);
  staff may grant a later one (``extend_correction``).
* Reminders (``send_deadline_reminders``, run daily by the task worker): to the reviewer 3 days
  before the due date and once overdue, to the candidate 3 days before a correction deadline.
  Each is sent once per assignment (or correction), recipient, date and kind: the outbox's
  unique ``dedup_key`` makes a re-run or a worker restart queue nothing new.

Every change writes ``core.audit.record``.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from accounts.permissions import is_national
from applications.choices import ApplicationStatus as S
from core import audit
from reviews import services
from reviews.conflicts import has_conflict
from reviews.models import Assignment, CorrectionRequest, Evaluation, EvaluationStatus
from reviews.services import REVIEWABLE, REVIEWER_ROLES, ReviewError

REMINDER_DAYS_BEFORE = 3
DEFAULT_REVIEW_DAYS = 21

STATE_NOT_STARTED = "not_started"
STATE_DRAFT = "draft"
STATE_SUBMITTED = "submitted"
STATE_LABELS = {
    STATE_NOT_STARTED: "À faire",
    STATE_DRAFT: "Brouillon",
    STATE_SUBMITTED: "Transmise",
}


def _today(today=None):
    return today or timezone.localdate()


# ---------------------------------------------------------------- due dates


def default_due_on(application, today=None) -> datetime.date:
    """The call's review delay from today (21 days when the call does not say)."""
    days = getattr(application.call, "review_days", None) or DEFAULT_REVIEW_DAYS
    return _today(today) + datetime.timedelta(days=days)


def can_manage_deadlines(user, application) -> bool:
    """The cell lead of the file's région and the national cell, without a conflict."""
    return services.can_assign(user, application)


# The due date a cell lead just tried (refused), kept for the file page's form after the
# redirect: {"assignment": pk, "value": text}.
DUE_DATE_ERROR_KEY = "ptce-due-date-refused"


def refused_date_text(value) -> str:
    """What the date field shows again after a refusal: date characters only, 10 at most
    (never the raw input: it may be 10 000 characters or hold a NUL)."""
    return "".join(c for c in str(value or "") if c.isascii() and (c.isdigit() or c in "-/"))[:10]


def set_due_date(assignment, due_on: datetime.date, *, actor) -> Assignment:
    application = assignment.application
    if not can_manage_deadlines(actor, application):
        raise ReviewError("Vous ne pouvez pas modifier les échéances de ce dossier.")
    if due_on is None:
        raise ReviewError("Indiquez une date d’échéance.")
    if due_on < timezone.localdate():
        raise ReviewError("La date d’échéance ne peut pas être dans le passé.")
    before = assignment.due_on
    if before == due_on:
        return assignment
    with transaction.atomic():
        assignment.due_on = due_on
        assignment.save(update_fields=["due_on"])
        audit.record(
            "review.due_date_changed",
            actor=actor,
            obj=application,
            before={"reviewer": assignment.reviewer.email, "due_on": _iso(before)},
            after={"reviewer": assignment.reviewer.email, "due_on": due_on.isoformat()},
        )
    return assignment


def _iso(value):
    return value.isoformat() if value else None


# ---------------------------------------------------------------- « Mes évaluations »


@dataclass
class AssignmentRow:
    assignment: Assignment
    state: str
    days_left: int | None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_done(self) -> bool:
        return self.state == STATE_SUBMITTED

    @property
    def is_pending(self) -> bool:
        """Still to be scored: not transmitted, on a file under review (not in correction,
        decided or withdrawn)."""
        return not self.is_done and self.assignment.application.status in REVIEWABLE

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and self.days_left is not None and self.days_left < 0

    @property
    def is_due_soon(self) -> bool:
        return (
            self.is_pending
            and self.days_left is not None
            and 0 <= self.days_left <= REMINDER_DAYS_BEFORE
        )

    @property
    def days_late(self) -> int:
        return -self.days_left if self.is_overdue else 0


def _evaluation_status(application_field="application_id", reviewer_field="reviewer_id"):
    return Evaluation.objects.filter(
        application_id=OuterRef(application_field), reviewer_id=OuterRef(reviewer_field)
    ).values("status")[:1]


def _row(assignment, status, today) -> AssignmentRow:
    state = {
        EvaluationStatus.SUBMITTED: STATE_SUBMITTED,
        EvaluationStatus.DRAFT: STATE_DRAFT,
    }.get(status, STATE_NOT_STARTED)
    days_left = (assignment.due_on - today).days if assignment.due_on else None
    return AssignmentRow(assignment, state, days_left)


def _rows(queryset, today):
    from django.db.models import Subquery

    queryset = queryset.annotate(evaluation_status=Subquery(_evaluation_status()))
    return [_row(a, a.evaluation_status, today) for a in queryset]


def _sort_key(row):
    # Work to do first, by due date (no date last), then transmitted or paused files.
    return (not row.is_pending, row.assignment.due_on or datetime.date.max, row.assignment.pk)


def my_assignments(user, today=None) -> list[AssignmentRow]:
    """The person's assignments on files they may still see (no conflict, their scope),
    open ones first by due date."""
    today = _today(today)
    visible = services.reviewer_queryset_for(user).values("pk")
    queryset = Assignment.objects.filter(reviewer=user, application__in=visible).select_related(
        "application__call", "application__region"
    )
    return sorted(_rows(queryset, today), key=_sort_key)


# ---------------------------------------------------------------- workload (cell lead)


def can_see_workload(user) -> bool:
    from accounts.models import Role

    return is_national(user) or (
        getattr(user, "role", None) == Role.REGIONAL_CELL_LEAD and user.region_id is not None
    )


def workload_region(user, requested_region_id=None):
    """The région whose reviewers ``user`` sees: their own for a cell lead, the requested one
    (or all: ``None``) for the national cell."""
    if is_national(user):
        return requested_region_id or None
    return user.region_id


@dataclass
class ReviewerLoad:
    reviewer: User
    assigned: int
    submitted: int
    overdue: int

    @property
    def open(self) -> int:
        return self.assigned - self.submitted


def reviewer_workload(user, region_id=None, today=None) -> list[ReviewerLoad]:
    """Each reviewer (and cell lead) of the région: assignments, transmitted evaluations and
    overdue ones (not transmitted, due date past). One query."""
    today = _today(today)
    region_id = workload_region(user, region_id)
    reviewers = User.objects.filter(is_active=True, role__in=REVIEWER_ROLES)
    if region_id:
        reviewers = reviewers.filter(region_id=region_id)
    elif not is_national(user):
        reviewers = reviewers.none()
    submitted = Exists(
        Evaluation.objects.filter(
            application_id=OuterRef("review_assignments__application_id"),
            reviewer_id=OuterRef("pk"),
            status=EvaluationStatus.SUBMITTED,
        )
    )
    reviewers = (
        reviewers.select_related("region")
        .annotate(
            assigned=Count("review_assignments", distinct=True),
            submitted=Count("review_assignments", filter=Q(submitted), distinct=True),
            overdue=Count(
                "review_assignments",
                filter=Q(
                    review_assignments__due_on__lt=today,
                    review_assignments__application__status__in=REVIEWABLE,
                )
                & ~Q(submitted),
                distinct=True,
            ),
        )
        .order_by("region__name", "last_name", "first_name", "pk")
    )
    return [ReviewerLoad(r, r.assigned, r.submitted, r.overdue) for r in reviewers]


def reviewer_open_assignments(user, reviewer, today=None) -> list[AssignmentRow]:
    """The not-yet-transmitted assignments of ``reviewer`` that ``user`` may move: files of
    their scope without a conflict for ``user``."""
    today = _today(today)
    if not is_national(user) and reviewer.region_id != user.region_id:
        return []
    visible = services.reviewer_queryset_for(user).filter(status__in=REVIEWABLE).values("pk")
    queryset = Assignment.objects.filter(reviewer=reviewer, application__in=visible).select_related(
        "application__call", "reviewer"
    )
    rows = [row for row in _rows(queryset, today) if not row.is_done]
    return sorted(rows, key=_sort_key)


def reassign_targets(assignment):
    """Reviewers of the file's région who may take it over: no conflict, not already on it
    (a queryset annotated with ``load``, lightest first)."""
    application = assignment.application
    assigned = application.assignments.values("reviewer_id")
    return services.eligible_reviewers(application).exclude(pk__in=assigned)


def reassign(assignment, to_reviewer, *, actor) -> Assignment:
    """Move one assignment to another reviewer of the same région (due date kept). Refused
    when the new reviewer has a conflict of interest on the file, belongs to another région,
    is already assigned, or when the evaluation was already transmitted."""
    application = assignment.application
    if not services.can_assign(actor, application):
        raise ReviewError("Vous ne pouvez pas modifier les attributions de ce dossier.")
    name = to_reviewer.full_name or to_reviewer.email
    if to_reviewer.pk == assignment.reviewer_id:
        raise ReviewError(f"Le dossier est déjà attribué à {name}.")
    if has_conflict(to_reviewer, application):
        raise ReviewError(
            f"{name} a un conflit d’intérêts sur le dossier {application.reference} : "
            "réattribution impossible."
        )
    if to_reviewer.region_id != application.region_id or to_reviewer.role not in REVIEWER_ROLES:
        raise ReviewError(f"{name} n’instruit pas les dossiers de cette région.")
    if application.assignments.filter(reviewer=to_reviewer).exists():
        raise ReviewError(f"{name} évalue déjà ce dossier.")
    if not services.eligible_reviewers(application).filter(pk=to_reviewer.pk).exists():
        raise ReviewError(f"{name} ne peut pas instruire ce dossier.")
    if application.evaluations.filter(
        reviewer_id=assignment.reviewer_id, status=EvaluationStatus.SUBMITTED
    ).exists():
        raise ReviewError("L’évaluation est déjà transmise : elle ne peut plus être réattribuée.")
    previous = assignment.reviewer
    with transaction.atomic():
        assignment.reviewer = to_reviewer
        assignment.assigned_by = actor
        assignment.save(update_fields=["reviewer", "assigned_by"])
        audit.record(
            "review.reassigned",
            actor=actor,
            obj=application,
            before={"reviewer": previous.email, "due_on": _iso(assignment.due_on)},
            after={"reviewer": to_reviewer.email, "due_on": _iso(assignment.due_on)},
        )
        services._queue(
            [to_reviewer.email],
            "review_assigned",
            {"application": application, "reviewer": to_reviewer},
        )
    return assignment


# ---------------------------------------------------------------- correction deadlines


def resubmission_problem(application, today=None) -> str | None:
    """Why a file in « En correction » may not be submitted again: its open request's
    deadline is past (the deadline day itself is allowed). ``None`` when it may."""
    if application.status != S.CORRECTION_REQUESTED:
        return None
    correction = services.open_correction(application)
    if correction is None or correction.deadline >= _today(today):
        return None
    from core.formatting import format_date

    return (
        f"Le délai pour déposer les compléments demandés est dépassé (date limite : "
        f"{format_date(correction.deadline)}). Contactez l’équipe d’instruction par la "
        "messagerie du dossier pour obtenir un nouveau délai."
    )


def can_extend_correction(user, application) -> bool:
    return services.can_request_correction(user, application)


def extend_correction(correction, deadline: datetime.date, *, actor) -> CorrectionRequest:
    """Grant a later deadline on an open correction request (staff of the file's région or
    the national cell)."""
    application = correction.application
    if not can_extend_correction(actor, application):
        raise ReviewError("Vous ne pouvez pas modifier ce délai.")
    if not correction.is_open or application.status != S.CORRECTION_REQUESTED:
        raise ReviewError("Cette demande de compléments n’est plus en attente.")
    if deadline is None or deadline <= timezone.localdate():
        raise ReviewError("Le nouveau délai doit être postérieur à aujourd’hui.")
    if deadline <= correction.deadline:
        from core.formatting import format_date

        raise ReviewError(
            "Le nouveau délai doit être postérieur à la date limite actuelle "
            f"({format_date(correction.deadline)})."
        )
    before = correction.deadline
    with transaction.atomic():
        correction.deadline = deadline
        correction.save(update_fields=["deadline"])
        audit.record(
            "review.correction_extended",
            actor=actor,
            obj=application,
            before={"deadline": before.isoformat()},
            after={"deadline": deadline.isoformat()},
        )
    return correction


# ---------------------------------------------------------------- reminders


def _queue_once(recipients, template, context, dedup_key) -> bool:
    """Queue unless an e-mail with this key exists; True when this call queued it."""
    from core.models import OutboundEmail
    from core.outbox import queue_templated_email

    if OutboundEmail.objects.filter(dedup_key=dedup_key).exists():
        return False
    queue_templated_email(list(recipients), template, context, dedup_key=dedup_key)
    return True


def review_reminder_kind(row: AssignmentRow) -> str:
    if row.is_overdue:
        return "review_overdue"
    if row.is_due_soon:
        return "review_due_soon"
    return ""


def send_review_reminders(today=None) -> int:
    """E-mail each reviewer whose evaluation is due within 3 days or overdue and not
    transmitted, on files still under review. Returns how many e-mails were queued."""
    today = _today(today)
    queryset = Assignment.objects.filter(
        due_on__isnull=False,
        due_on__lte=today + datetime.timedelta(days=REMINDER_DAYS_BEFORE),
        application__status__in=REVIEWABLE,
        reviewer__is_active=True,
    ).select_related("application__call", "reviewer")
    sent = 0
    for row in _rows(queryset.order_by("due_on", "pk"), today):
        kind = review_reminder_kind(row)
        assignment = row.assignment
        if not kind or has_conflict(assignment.reviewer, assignment.application):
            continue
        key = f"{kind}:{assignment.pk}:{assignment.reviewer_id}:{assignment.due_on.isoformat()}"
        context = {
            "application": assignment.application,
            "assignment": assignment,
            "days_left": max(row.days_left, 0),
            "days_late": row.days_late,
        }
        sent += _queue_once([assignment.reviewer.email], kind, context, key)
    return sent


def send_correction_reminders(today=None) -> int:
    """E-mail the candidate 3 days (or less) before an open correction deadline, once."""
    today = _today(today)
    corrections = CorrectionRequest.objects.filter(
        answered_at__isnull=True,
        application__status=S.CORRECTION_REQUESTED,
        deadline__gte=today,
        deadline__lte=today + datetime.timedelta(days=REMINDER_DAYS_BEFORE),
    ).select_related("application__call", "application__owner")
    sent = 0
    for correction in corrections.order_by("deadline", "pk"):
        application = correction.application
        key = f"correction_reminder:{correction.pk}:{correction.deadline.isoformat()}"
        context = {
            "application": application,
            "correction": correction,
            "days_left": (correction.deadline - today).days,
        }
        sent += _queue_once(
            services._candidate_emails(application), "correction_reminder", context, key
        )
    return sent


def send_deadline_reminders(today=None) -> dict:
    """The daily job: reviewers' and candidates' reminders (idempotent)."""
    return {
        "reviews": send_review_reminders(today),
        "corrections": send_correction_reminders(today),
    }

"""Workload and deadlines (issue 15, item 5): due dates, reminders, reassignment and the
enforcement of correction deadlines, through the services and the task."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.factories import UserFactory
from applications import services as application_services
from applications.choices import ApplicationStatus as S
from core import periodic
from core.models import AuditLog, OutboundEmail
from reviews import services, workload
from reviews.factories import call_with_grid, reviewers, submit_evaluation, submitted_file
from reviews.models import Assignment, ConflictOfInterest, ConflictSource
from reviews.services import ReviewError

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _assigned(call=None, count=1):
    application = submitted_file(call=call)
    lead = UserFactory(cell_lead=True, region_id=application.region_id)
    people = reviewers(region_id=application.region_id, count=count)
    services.assign(application, people, actor=lead)
    return application, lead, people


def test_assignment_is_due_after_the_calls_review_days():
    call = call_with_grid(review_days=10)
    application, _lead, [reviewer] = _assigned(call)
    assignment = Assignment.objects.get(application=application, reviewer=reviewer)
    assert assignment.due_on == TODAY + timedelta(days=10)


def test_bulk_assign_sets_the_default_due_date():
    application = submitted_file()
    lead = UserFactory(cell_lead=True, region_id=application.region_id)
    reviewers(region_id=application.region_id, count=2)
    services.bulk_assign([application], actor=lead)
    due = set(application.assignments.values_list("due_on", flat=True))
    assert due == {TODAY + timedelta(days=21)}


def test_cell_lead_moves_a_due_date_audited_and_the_past_is_refused():
    application, lead, [reviewer] = _assigned()
    assignment = application.assignments.get()
    new_date = TODAY + timedelta(days=40)
    workload.set_due_date(assignment, new_date, actor=lead)
    assignment.refresh_from_db()
    assert assignment.due_on == new_date
    entry = AuditLog.objects.filter(action="review.due_date_changed").get()
    assert entry.after["due_on"] == new_date.isoformat()
    with pytest.raises(ReviewError, match="ne peut pas être dans le passé"):
        workload.set_due_date(assignment, TODAY - timedelta(days=1), actor=lead)
    assignment.refresh_from_db()
    assert assignment.due_on == new_date
    # A reviewer may not move their own due date.
    with pytest.raises(ReviewError):
        workload.set_due_date(assignment, TODAY + timedelta(days=50), actor=reviewer)


def test_my_assignments_states_and_badges_sorted_by_due_date():
    application, lead, [reviewer] = _assigned()
    late = submitted_file()
    services.assign(late, [reviewer], actor=lead)
    Assignment.objects.filter(application=late).update(due_on=TODAY - timedelta(days=2))
    soon = submitted_file()
    services.assign(soon, [reviewer], actor=lead)
    Assignment.objects.filter(application=soon).update(due_on=TODAY + timedelta(days=3))
    done = submitted_file()
    submit_evaluation(done, reviewer)
    services.evaluation_for(application, reviewer)  # a draft
    rows = workload.my_assignments(reviewer)
    assert [row.assignment.application_id for row in rows] == [
        late.pk,
        soon.pk,
        application.pk,
        done.pk,
    ]
    assert [row.state for row in rows] == ["not_started", "not_started", "draft", "submitted"]
    assert rows[0].is_overdue and rows[0].days_late == 2
    assert rows[1].is_due_soon and not rows[1].is_overdue
    assert not rows[2].is_due_soon and not rows[3].is_overdue


def test_reminders_before_and_overdue_sent_once_even_after_a_rerun(
    django_capture_on_commit_callbacks,
):
    application, lead, [soon_reviewer, late_reviewer, far_reviewer] = _assigned(count=3)
    Assignment.objects.filter(reviewer=soon_reviewer).update(due_on=TODAY + timedelta(days=3))
    Assignment.objects.filter(reviewer=late_reviewer).update(due_on=TODAY - timedelta(days=1))
    Assignment.objects.filter(reviewer=far_reviewer).update(due_on=TODAY + timedelta(days=4))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert workload.send_deadline_reminders() == {"reviews": 2, "corrections": 0}
    by_recipient = {email.to[0]: email for email in mail.outbox}
    assert set(by_recipient) == {soon_reviewer.email, late_reviewer.email}
    assert by_recipient[soon_reviewer.email].subject.startswith("Évaluation à rendre avant le")
    assert "(dans 3 jours)" in by_recipient[soon_reviewer.email].body
    assert by_recipient[late_reviewer.email].subject == (
        f"Évaluation en retard : {application.reference}"
    )
    assert "en retard de 1 jour." in by_recipient[late_reviewer.email].body
    # A re-run the same day (worker restart, scheduler run twice): nothing new.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert workload.send_deadline_reminders() == {"reviews": 0, "corrections": 0}
    assert mail.outbox == []
    # The next day only the third one enters its last 3 days; the late one is not sent again.
    with django_capture_on_commit_callbacks(execute=True):
        tomorrow = TODAY + timedelta(days=1)
        assert workload.send_deadline_reminders(tomorrow) == {"reviews": 1, "corrections": 0}
        assert workload.send_deadline_reminders(tomorrow) == {"reviews": 0, "corrections": 0}
    assert [email.to for email in mail.outbox] == [[far_reviewer.email]]
    # Once past its due date the « soon » one gets the overdue reminder, once.
    with django_capture_on_commit_callbacks(execute=True):
        assert workload.send_deadline_reminders(TODAY + timedelta(days=4))["reviews"] == 1
        assert workload.send_deadline_reminders(TODAY + timedelta(days=5))["reviews"] == 1
        assert workload.send_deadline_reminders(TODAY + timedelta(days=6))["reviews"] == 0
    assert OutboundEmail.objects.filter(template="review_overdue").count() == 3
    assert OutboundEmail.objects.filter(template="review_due_soon").count() == 2


def test_task_runs_the_reminders_and_is_a_daily_periodic_job(django_capture_on_commit_callbacks):
    from reviews.tasks import send_deadline_reminders

    jobs = {job.name: job for job in periodic.registered_jobs()}
    job = jobs["reviews.deadline_reminders"]
    assert job.task_path == "reviews.tasks.send_deadline_reminders"
    assert job.every == timedelta(days=1)
    _application, _lead, [reviewer] = _assigned()
    Assignment.objects.filter(reviewer=reviewer).update(due_on=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        first = send_deadline_reminders.call()
        second = send_deadline_reminders.call()
    assert first == {"reviews": 1, "corrections": 0}
    assert second == {"reviews": 0, "corrections": 0}
    assert OutboundEmail.objects.filter(to=[reviewer.email]).count() == 2  # assigned + reminder


def test_no_reminder_for_a_transmitted_evaluation():
    application, _lead, [reviewer] = _assigned()
    submit_evaluation(application, reviewer)
    Assignment.objects.filter(reviewer=reviewer).update(due_on=TODAY - timedelta(days=5))
    assert workload.send_review_reminders() == 0


def test_reassignment_keeps_the_due_date_and_is_audited(django_capture_on_commit_callbacks):
    application, lead, [first, second] = _assigned(count=2)
    third = reviewers(region_id=application.region_id, count=1)[0]
    assignment = application.assignments.get(reviewer=first)
    due = assignment.due_on
    assert third in workload.reassign_targets(assignment)
    assert second not in workload.reassign_targets(assignment)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workload.reassign(assignment, third, actor=lead)
    assignment.refresh_from_db()
    assert assignment.reviewer == third and assignment.due_on == due
    entry = AuditLog.objects.get(action="review.reassigned")
    assert entry.before["reviewer"] == first.email
    assert entry.after == {"reviewer": third.email, "due_on": due.isoformat()}
    assert [email.to for email in mail.outbox] == [[third.email]]
    with pytest.raises(ReviewError, match="évalue déjà"):
        workload.reassign(assignment, second, actor=lead)


def test_reassignment_to_a_conflicted_reviewer_is_refused():
    application, lead, [reviewer] = _assigned()
    conflicted = reviewers(region_id=application.region_id, count=1)[0]
    ConflictOfInterest.objects.create(
        application=application,
        reviewer=conflicted,
        source=ConflictSource.DECLARED,
        reason="Membre du conseil d’administration",
    )
    assignment = application.assignments.get()
    assert conflicted not in workload.reassign_targets(assignment)
    with pytest.raises(ReviewError, match="conflit d’intérêts"):
        workload.reassign(assignment, conflicted, actor=lead)
    assignment.refresh_from_db()
    assert assignment.reviewer == reviewer


def test_reassignment_to_another_region_or_by_a_reviewer_is_refused():
    application, lead, [reviewer] = _assigned()
    other = UserFactory(reviewer=True, region_id="11" if application.region_id != "11" else "84")
    assignment = application.assignments.get()
    with pytest.raises(ReviewError, match="n’instruit pas"):
        workload.reassign(assignment, other, actor=lead)
    spare = reviewers(region_id=application.region_id, count=1)[0]
    with pytest.raises(ReviewError):
        workload.reassign(assignment, spare, actor=reviewer)


def test_workload_counts_per_reviewer():
    application, lead, [busy, idle] = _assigned(count=2)
    Assignment.objects.filter(reviewer=idle).delete()
    late = submitted_file()
    services.assign(late, [busy], actor=lead)
    Assignment.objects.filter(application=late).update(due_on=TODAY - timedelta(days=1))
    submit_evaluation(application, busy)
    rows = {row.reviewer.pk: row for row in workload.reviewer_workload(lead)}
    assert (rows[busy.pk].assigned, rows[busy.pk].submitted, rows[busy.pk].overdue) == (2, 1, 1)
    assert (rows[idle.pk].assigned, rows[idle.pk].submitted, rows[idle.pk].overdue) == (0, 0, 0)
    assert lead.pk in rows  # the cell lead may score too


def _in_correction(days=5):
    application, lead, [reviewer] = _assigned()
    correction = services.request_correction(
        application,
        actor=reviewer,
        sections=["projet"],
        message="Précisez le diagnostic.",
        deadline=TODAY + timedelta(days=days),
    )
    application.refresh_from_db()
    return application, lead, reviewer, correction


def test_resubmission_after_the_deadline_is_refused_then_allowed_after_an_extension():
    application, lead, reviewer, correction = _in_correction(days=5)
    late = timezone.now() + timedelta(days=6)
    with pytest.raises(application_services.SubmissionRefused) as refusal:
        application_services.submit(application, actor=application.owner, now=late)
    assert "délai pour déposer les compléments demandés est dépassé" in refusal.value.reasons[0]
    application.refresh_from_db()
    assert application.status == S.CORRECTION_REQUESTED
    # The deadline day itself is still allowed; an extension reopens the door.
    correction.deadline = TODAY - timedelta(days=1)
    correction.save(update_fields=["deadline"])
    with pytest.raises(ReviewError, match="postérieur à aujourd’hui"):
        workload.extend_correction(correction, TODAY, actor=lead)
    workload.extend_correction(correction, TODAY + timedelta(days=7), actor=lead)
    entry = AuditLog.objects.get(action="review.correction_extended")
    assert entry.after == {"deadline": (TODAY + timedelta(days=7)).isoformat()}
    [file] = application_services.submit(application, actor=application.owner)
    assert file.status == S.SUBMITTED


def test_correction_reminder_sent_once_three_days_before(django_capture_on_commit_callbacks):
    application, lead, reviewer, correction = _in_correction(days=10)
    assert workload.send_correction_reminders() == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        in_seven = TODAY + timedelta(days=7)
        assert workload.send_correction_reminders(in_seven) == 1
        assert workload.send_correction_reminders(in_seven) == 0
        assert workload.send_correction_reminders(in_seven + timedelta(days=1)) == 0
    [email] = mail.outbox
    assert email.to == [application.owner.email]
    assert email.subject.startswith("Rappel : compléments à déposer avant le")
    assert "(dans 3 jours)" in email.body
    # An extension is a new deadline: one more reminder before it.
    workload.extend_correction(correction, TODAY + timedelta(days=20), actor=lead)
    assert workload.send_correction_reminders(TODAY + timedelta(days=18)) == 1


def test_a_file_in_correction_is_neither_overdue_nor_reminded():
    application, lead, [reviewer] = _assigned()
    Assignment.objects.filter(reviewer=reviewer).update(due_on=TODAY - timedelta(days=3))
    services.request_correction(
        application,
        actor=reviewer,
        sections=["projet"],
        message="Précisez le diagnostic.",
        deadline=TODAY + timedelta(days=5),
    )
    [row] = workload.my_assignments(reviewer)
    assert not row.is_pending and not row.is_overdue
    [load] = [r for r in workload.reviewer_workload(lead) if r.reviewer == reviewer]
    assert (load.assigned, load.overdue) == (1, 0)
    assert workload.send_review_reminders() == 0

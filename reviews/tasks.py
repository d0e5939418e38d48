"""Background tasks of the review (run by the task worker)."""

from django_tasks import task

from reviews import committee, workload


@task()
def send_deadline_reminders() -> dict:
    """Reminders of evaluation due dates and correction deadlines (idempotent: once per
    assignment or correction request, date and kind)."""
    return workload.send_deadline_reminders()


@task()
def send_decision_letters(session_id: int, decision_ids: list[int]) -> int:
    """Decision letters of a published committee session (PDF, one e-mail per file, once)."""
    return committee.send_decision_letters(session_id, decision_ids)

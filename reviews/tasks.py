"""Background tasks of the review (run by the task worker)."""

from django_tasks import task

from reviews import workload


@task()
def send_deadline_reminders() -> dict:
    """Reminders of evaluation due dates and correction deadlines (idempotent: once per
    assignment or correction request, date and kind)."""
    return workload.send_deadline_reminders()

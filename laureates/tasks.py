"""Background tasks of the laureates' follow-up (run by the task worker)."""

from django_tasks import task

from laureates import followup


@task()
def send_report_reminders() -> int:
    """Reminders before and after report due dates (idempotent, once per report and stage)."""
    return followup.send_report_reminders()

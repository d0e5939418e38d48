"""Background tasks of network animation (run by the task worker)."""

from django_tasks import task

from events import services


@task()
def send_event_reminders() -> int:
    """Reminders the day before and one hour before each event (idempotent)."""
    return services.send_due_reminders()

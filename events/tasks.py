"""Background tasks of network animation (run by the task worker)."""

from django_tasks import task

from events import services


@task()
def send_event_reminders() -> int:
    """Reminders the day before and one hour before each event (idempotent)."""
    return services.send_due_reminders()


@task()
def release_event_holds() -> int:
    """Release registrations whose address was not confirmed in time (places, waiting list)."""
    return services.release_expired_holds()

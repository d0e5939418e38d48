from datetime import timedelta

import pytest
from django.utils import timezone

from core import periodic
from core.models import OutboundEmail
from events import services
from events.factories import EventFactory, RegistrationFactory
from events.models import RegistrationStatus

pytestmark = pytest.mark.django_db


def _event_starting_in(delta, **kwargs):
    now = timezone.now()
    return EventFactory(starts_at=now + delta, ends_at=now + delta + timedelta(hours=1), **kwargs)


def _registered(event, **kwargs):
    return RegistrationFactory(
        event=event, created_at=event.starts_at - timedelta(days=5), **kwargs
    )


def test_reminder_job_is_registered_as_a_periodic_task():
    jobs = {job.name: job for job in periodic.registered_jobs()}
    assert jobs["events.reminders"].task_path == "events.tasks.send_event_reminders"
    assert jobs["events.reminders"].every == timedelta(minutes=5)


def test_day_before_reminder_is_sent_once():
    event = _event_starting_in(timedelta(hours=20))
    registration = _registered(event)
    assert services.send_due_reminders() == 1
    assert services.send_due_reminders() == 0
    email = OutboundEmail.objects.get(template="event_reminder")
    assert email.to == [registration.email]
    assert email.subject == f"Rappel, demain : {event.full_title}"
    assert email.dedup_key == f"event:reminder:day:{registration.pk}"
    assert services.access_link(registration) in email.body
    registration.refresh_from_db()
    assert registration.day_reminder_sent_at is not None
    assert registration.hour_reminder_sent_at is None


def test_hour_before_reminder_is_sent_once_after_the_day_one():
    event = _event_starting_in(timedelta(hours=20))
    registration = _registered(event)
    services.send_due_reminders()
    later = timezone.now() + timedelta(hours=19, minutes=30)
    assert services.send_due_reminders(now=later) == 1
    assert services.send_due_reminders(now=later + timedelta(minutes=5)) == 0
    subjects = sorted(
        OutboundEmail.objects.filter(template="event_reminder").values_list("subject", flat=True)
    )
    assert subjects == [
        f"Rappel, dans une heure : {event.full_title}",
        f"Rappel, demain : {event.full_title}",
    ]
    registration.refresh_from_db()
    assert registration.hour_reminder_sent_at == later


def test_no_reminder_for_waiting_cancelled_or_far_away_events():
    soon = _event_starting_in(timedelta(hours=20))
    _registered(soon, status=RegistrationStatus.WAITING)
    _registered(soon, status=RegistrationStatus.CANCELLED)
    _registered(_event_starting_in(timedelta(days=3)))
    cancelled = _event_starting_in(timedelta(hours=20), status="cancelled")
    _registered(cancelled)
    assert services.send_due_reminders() == 0


def test_late_registration_gets_no_day_before_reminder():
    event = _event_starting_in(timedelta(hours=20))
    RegistrationFactory(event=event, created_at=timezone.now())
    assert services.send_due_reminders() == 0


def test_task_runs_the_reminders(django_capture_on_commit_callbacks):
    from events.tasks import send_event_reminders

    event = _event_starting_in(timedelta(minutes=30))
    _registered(event)
    with django_capture_on_commit_callbacks(execute=True):
        send_event_reminders.enqueue()
    assert OutboundEmail.objects.filter(template="event_reminder").count() == 1

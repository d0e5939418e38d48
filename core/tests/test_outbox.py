from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from core import outbox
from core.models import OutboundEmail

pytestmark = pytest.mark.django_db


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP injoignable")


def test_queued_email_is_sent_by_the_task_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = outbox.queue_email(
            "a@exemple.fr",
            "Objet",
            "Corps",
            attachments=[("recu.pdf", b"%PDF-1.4", "application/pdf")],
        )
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@exemple.fr"]
    assert mail.outbox[0].attachments[0][0] == "recu.pdf"


def test_nothing_is_sent_inside_the_request_transaction():
    outbox.queue_email("a@exemple.fr", "Objet", "Corps")
    assert mail.outbox == []
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.PENDING


@override_settings(EMAIL_BACKEND="core.tests.test_outbox.BrokenBackend")
def test_failure_is_kept_and_retried_with_backoff():
    email = outbox.queue_email("a@exemple.fr", "Objet", "Corps")
    before = timezone.now()
    assert outbox.send_email_now(email.pk) == OutboundEmail.Status.PENDING
    email.refresh_from_db()
    assert email.attempts == 1
    assert "SMTP injoignable" in email.last_error
    assert email.next_attempt_at >= before + timedelta(seconds=60)
    # Not due yet: the sweep leaves it alone.
    assert outbox.send_due_emails() == 0


def test_sweep_sends_once_the_server_is_back():
    with override_settings(EMAIL_BACKEND="core.tests.test_outbox.BrokenBackend"):
        email = outbox.queue_email("a@exemple.fr", "Objet", "Corps")
        outbox.send_email_now(email.pk)
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert outbox.send_due_emails() == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 2
    assert len(mail.outbox) == 1


@override_settings(EMAIL_BACKEND="core.tests.test_outbox.BrokenBackend", OUTBOX_MAX_ATTEMPTS=2)
def test_gives_up_after_max_attempts():
    email = outbox.queue_email("a@exemple.fr", "Objet", "Corps")
    outbox.send_email_now(email.pk)
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    outbox.send_email_now(email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED


def test_sent_email_is_never_sent_twice():
    email = outbox.queue_email("a@exemple.fr", "Objet", "Corps")
    assert outbox.send_email_now(email.pk) == OutboundEmail.Status.SENT
    assert outbox.send_email_now(email.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_dedup_key_makes_queueing_idempotent():
    first = outbox.queue_email("a@exemple.fr", "Accusé", "Corps", dedup_key="receipt:1")
    second = outbox.queue_email("a@exemple.fr", "Accusé", "Corps", dedup_key="receipt:1")
    assert first.pk == second.pk
    assert OutboundEmail.objects.count() == 1


def test_retry_delays_grow():
    delays = [outbox.retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays == sorted(delays)
    assert delays[0] == 60
    assert delays[-1] == 12 * 3600

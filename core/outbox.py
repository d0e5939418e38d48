"""The e-mail outbox: requests only write rows; background tasks send them, with retries."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.models import OutboundEmail, OutboundEmailAttachment

logger = logging.getLogger(__name__)

RETRY_DELAYS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600]


def retry_delay(attempts: int) -> timedelta:
    """Back-off after ``attempts`` failed tries: 1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 12 h."""
    index = min(max(attempts - 1, 0), len(RETRY_DELAYS) - 1)
    return timedelta(seconds=RETRY_DELAYS[index])


def queue_email(
    to,
    subject: str,
    body: str,
    *,
    html_body: str = "",
    template: str = "",
    attachments=(),
    reply_to: str = "",
    dedup_key: str | None = None,
) -> OutboundEmail:
    """Store an e-mail in the outbox and ask a worker to send it once the transaction commits.

    ``attachments`` is a list of ``(filename, content_bytes, mimetype)``. With ``dedup_key``,
    queueing the same message twice keeps the first one (idempotent).
    """
    recipients = [to] if isinstance(to, str) else list(to)
    if dedup_key:
        existing = OutboundEmail.objects.filter(dedup_key=dedup_key).first()
        if existing:
            return existing
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.create(
                to=recipients,
                subject=subject[:255],
                body=body,
                html_body=html_body,
                template=template,
                reply_to=reply_to,
                next_attempt_at=timezone.now(),
                dedup_key=dedup_key,
            )
            for filename, content, mimetype in attachments:
                OutboundEmailAttachment.objects.create(
                    email=email, filename=filename, content=content, mimetype=mimetype
                )
    except IntegrityError:
        if dedup_key:
            return OutboundEmail.objects.get(dedup_key=dedup_key)
        raise
    transaction.on_commit(lambda: _enqueue_send(email.pk))
    return email


def queue_templated_email(
    to, template: str, context: dict, *, call_id=None, **kwargs
) -> OutboundEmail:
    """Render the stored e-mail template ``template`` (``mailing``: the call's override, else
    the text for every call, else the shipped default) into text and HTML parts, then queue."""
    from mailing.services import render_email

    rendered = render_email(template, context, call_id=call_id)
    html_body = render_to_string(
        "mailing/email.html", {"subject": rendered.subject, "content": rendered.html}
    )
    return queue_email(
        to, rendered.subject, rendered.text, html_body=html_body, template=template, **kwargs
    )


def requeue_failed_email(email: OutboundEmail, *, actor) -> OutboundEmail:
    """Put a message that failed for good back in the queue (new series of attempts)."""
    from core import audit

    with transaction.atomic():
        locked = OutboundEmail.objects.select_for_update().get(pk=email.pk)
        if locked.status != OutboundEmail.Status.FAILED:
            raise ValueError("Seul un courriel en échec définitif peut être renvoyé.")
        previous = {
            "status": locked.status,
            "attempts": locked.attempts,
            "last_error": locked.last_error,
        }
        locked.status = OutboundEmail.Status.PENDING
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit.record(
            "outbox.resend",
            actor=actor,
            obj=locked,
            before=previous,
            after={"status": locked.status},
        )
    transaction.on_commit(lambda: _enqueue_send(locked.pk))
    return locked


def _enqueue_send(email_id: int) -> None:
    from core.tasks import send_outbound_email

    try:
        send_outbound_email.enqueue(email_id)
    except Exception:  # the periodic sweep will pick the row up
        logger.exception("Impossible de mettre en file l'envoi du courriel %s", email_id)


def send_email_now(email_id: int) -> str:
    """Send one outbox row if it is due; returns its resulting status.

    The row is claimed under a lock so two workers never send it twice.
    """
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update()
            .filter(pk=email_id, status=OutboundEmail.Status.PENDING)
            .first()
        )
        if email is None:
            return "skipped"
        email.status = OutboundEmail.Status.SENDING
        email.attempts += 1
        email.next_attempt_at = timezone.now()
        email.save(update_fields=["status", "attempts", "next_attempt_at"])
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.to,
        reply_to=[email.reply_to] if email.reply_to else None,
        headers={"X-PTCE-Outbox-Id": str(email.pk)},
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    for attachment in email.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content or b""), attachment.mimetype)
    try:
        message.send(fail_silently=False)
    except Exception as error:
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            email.status = OutboundEmail.Status.FAILED
        else:
            email.status = OutboundEmail.Status.PENDING
            email.next_attempt_at = timezone.now() + retry_delay(email.attempts)
        email.save(update_fields=["status", "last_error", "next_attempt_at"])
        logger.warning("Échec d'envoi du courriel %s : %s", email.pk, email.last_error)
        return email.status
    email.status = OutboundEmail.Status.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.save(update_fields=["status", "sent_at", "last_error"])
    return email.status


def send_due_emails(limit: int = 500) -> int:
    """Send every pending e-mail whose next attempt is due (periodic sweep)."""
    # A row stuck in SENDING for long belongs to a worker that died mid-send: retry it.
    stale = timezone.now() - timedelta(minutes=15)
    OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING, next_attempt_at__lt=stale
    ).update(status=OutboundEmail.Status.PENDING)
    due = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)[:limit]
    return sum(1 for pk in list(due) if send_email_now(pk) == OutboundEmail.Status.SENT)

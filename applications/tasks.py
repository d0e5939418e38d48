"""Background work of application files (run by the task worker, never in a request)."""

from django.core.files.base import ContentFile
from django.db import transaction
from django_tasks import task

from applications.models import Submission
from applications.receipts import paris_time, receipt_pdf


def _stored_receipt(submission) -> bytes:
    """The PDF receipt of ``submission``, rendered and kept on first use."""
    if submission.receipt:
        with submission.receipt.open("rb") as handle:
            return handle.read()
    content = receipt_pdf(submission)
    application = submission.application
    name = f"accuses/{application.uuid}/{submission.reference}-v{submission.version}.pdf"
    submission.receipt.save(name, ContentFile(content), save=False)
    submission.save(update_fields=["receipt"])
    return content


@task()
def generate_receipt(submission_id: int) -> str:
    """Render the PDF receipt, keep it with the submission and queue the acknowledgement
    e-mail with the PDF attached (exactly once: ``dedup_key``)."""
    return _send_receipts([submission_id])[0]


@task()
def send_receipts(submission_ids: list[int]) -> list[str]:
    """The receipts of phases 1 and 2 filed together, in one e-mail (see below)."""
    return _send_receipts(submission_ids)


def _references(submissions) -> str:
    """« PTCE-2026-0042 », or « PTCE-2026-0130 (phase 1) et PTCE-2026-0131 (phase 2) »."""
    if len(submissions) == 1:
        return submissions[0].reference
    short = {"emergence": "phase 1", "funding": "phase 2"}
    return " et ".join(
        f"{s.reference} ({short.get(s.application.phase, s.application.phase)})"
        for s in submissions
    )


def _send_receipts(submission_ids: list[int]) -> list[str]:
    """The receipts of the files submitted together (one, or two when phases 1 and 2 are
    filed together): every PDF is rendered and kept, and ONE acknowledgement e-mail lists
    every reference with every receipt attached (exactly once: ``dedup_key``)."""
    from core.outbox import queue_templated_email

    submissions = list(
        Submission.objects.select_related("application__owner", "application__call")
        .filter(pk__in=submission_ids)
        .order_by("reference")
    )
    attachments = [
        (f"accuse-reception-{s.reference}.pdf", _stored_receipt(s), "application/pdf")
        for s in submissions
    ]
    first = submissions[0]
    application = first.application
    recipients = [application.owner.email]
    if application.contact_email and application.contact_email.lower() not in recipients:
        recipients.append(application.contact_email.lower())
    key = (
        f"receipt:{first.pk}"
        if len(submissions) == 1
        else "receipts:" + "-".join(str(s.pk) for s in submissions)
    )
    with transaction.atomic():
        queue_templated_email(
            recipients,
            "application_receipt",
            {
                "application": application,
                "submission": first,
                "joint_filing": len(submissions) > 1,
                "references": _references(submissions),
                "submitted_at": paris_time(first.submitted_at),
            },
            attachments=attachments,
            dedup_key=key,
        )
    return [s.reference for s in submissions]

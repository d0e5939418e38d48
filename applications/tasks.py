"""Background work of application files (run by the task worker, never in a request)."""

from django.core.files.base import ContentFile
from django.db import transaction
from django_tasks import task

from applications.models import Submission
from applications.receipts import paris_time, receipt_pdf


@task()
def generate_receipt(submission_id: int) -> str:
    """Render the PDF receipt, keep it with the submission and queue the acknowledgement
    e-mail with the PDF attached (exactly once: ``dedup_key``)."""
    from core.outbox import queue_templated_email

    submission = Submission.objects.select_related("application__owner").get(pk=submission_id)
    if submission.receipt:
        with submission.receipt.open("rb") as handle:
            content = handle.read()
    else:
        content = receipt_pdf(submission)
        application = submission.application
        name = f"accuses/{application.uuid}/{submission.reference}-v{submission.version}.pdf"
        submission.receipt.save(name, ContentFile(content), save=False)
        submission.save(update_fields=["receipt"])
    application = submission.application
    recipients = [application.owner.email]
    if application.contact_email and application.contact_email.lower() not in recipients:
        recipients.append(application.contact_email.lower())
    with transaction.atomic():
        queue_templated_email(
            recipients,
            "application_receipt",
            {
                "application": application,
                "submission": submission,
                "submitted_at": paris_time(submission.submitted_at),
            },
            attachments=[
                (f"accuse-reception-{submission.reference}.pdf", content, "application/pdf")
            ],
            dedup_key=f"receipt:{submission.pk}",
        )
    return submission.reference

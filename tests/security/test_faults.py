"""Fault injection (issue 10, point 3): database lost mid-submission, SMTP unreachable, task
worker killed mid-task, attachment storage failing. See docs/faults.md (the PostgreSQL
stop/start under load and the real worker kill are in bench/faults.py)."""

import errno
import socket
from datetime import timedelta
from email import message_from_string
from email.policy import default as default_policy

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.factories import UserFactory
from applications.factories import CallFactory, complete_application
from applications.models import Application, Attachment, ReferenceCounter, Submission
from core.models import AuditLog, OutboundEmail
from tests.security.smtp import SmtpServer

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def owner_client(application) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(application.owner)
    return client


# ------------------------------------------------------------ database lost mid-submission


def lose_connection_on(statement_start: str):
    """A database fault: the connection is lost when ``statement_start`` is executed."""

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(statement_start.upper()):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    return wrapper


@pytest.mark.parametrize(
    "statement",
    ['INSERT INTO "applications_submission"', 'INSERT INTO "applications_statuschange"'],
)
def test_database_lost_during_submission_answers_503_and_writes_nothing(
    statement, django_capture_on_commit_callbacks
):
    application = complete_application()
    client = owner_client(application)
    url = reverse("applications:submit", args=[application.uuid])
    audit_before = AuditLog.objects.count()

    with connection.execute_wrapper(lose_connection_on(statement)):
        response = client.post(url, {"certify": "on"})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "<h1>Service momentanément indisponible</h1>" in page
    assert "il n’est pas déposé et votre brouillon est intact" in page
    assert 'lang="fr"' in page
    application.refresh_from_db()
    assert (application.status, application.reference, application.submitted_at) == (
        "draft",
        None,
        None,
    )
    assert Submission.objects.count() == 0
    assert ReferenceCounter.objects.filter(last_number__gt=0).count() == 0
    assert AuditLog.objects.count() == audit_before

    # The database is back: the same click files it, with the first number of the sequence.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"certify": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    year = timezone.localtime().year
    assert application.reference == f"PTCE-{year}-0001"
    assert Submission.objects.get().reference == f"PTCE-{year}-0001"
    assert OutboundEmail.objects.filter(template="application_receipt").count() == 1


def test_unexpected_error_page_is_french_dsfr_without_database():
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(lose_connection_on("SELECT")):
        response = client.get(reverse("core:health"))
    assert response.status_code == 503
    assert "Service momentanément indisponible" in response.content.decode()


# ------------------------------------------------------------ SMTP unreachable


def test_smtp_unreachable_keeps_mail_and_sends_it_when_back(settings):
    from core import outbox

    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    email = outbox.queue_email("candidat@exemple.fr", "Accusé de réception", "Bonjour")

    assert outbox.send_email_now(email.pk) == OutboundEmail.Status.PENDING
    email.refresh_from_db()
    assert email.attempts == 1
    assert email.last_error.startswith("ConnectionRefusedError")
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert outbox.send_due_emails() == 0  # not due yet: the back-off is respected

    with SmtpServer(port) as server:
        OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        assert outbox.send_due_emails() == 1
        assert outbox.send_due_emails() == 0
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 2, "")
    assert len(server.messages) == 1
    message = message_from_string(server.messages[0], policy=default_policy)
    assert message["Subject"] == "Accusé de réception"
    assert message["X-PTCE-Outbox-Id"] == str(email.pk)
    assert message.get_content().strip() == "Bonjour"


# ------------------------------------------------------------ task worker killed mid-task


def test_worker_killed_mid_task_is_retried_and_receipt_sent_once(
    settings, django_capture_on_commit_callbacks
):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from applications import services
    from core.taskrecovery import requeue_stalled

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    application = complete_application()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(application, actor=application.owner)
    submission = Submission.objects.get()
    queued = DBTaskResult.objects.get(task_path="applications.tasks.generate_receipt")
    assert queued.status == TaskResultStatus.READY

    # A worker claims the task, does its work (PDF stored, e-mail queued) and is killed
    # before it can record the result: the row stays RUNNING.
    queued.claim("worker-tue")
    with django_capture_on_commit_callbacks(execute=True):
        queued.task.call(submission.pk)
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.RUNNING
    first_receipt = Submission.objects.get().receipt.name

    assert requeue_stalled() == 0  # a task still running normally is left alone
    assert requeue_stalled(now=timezone.now() + timedelta(minutes=31)) == 1
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.READY

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="worker-2",
        excluded_queue_names=[],
    )
    retried = DBTaskResult.objects.ready().get(task_path="applications.tasks.generate_receipt")
    retried.claim("worker-2")
    with django_capture_on_commit_callbacks(execute=True):
        worker.run_task(retried)
    retried.refresh_from_db()
    assert retried.status == TaskResultStatus.SUCCESSFUL
    assert retried.worker_ids == ["worker-tue", "worker-2"]
    assert Submission.objects.get().receipt.name == first_receipt
    receipts = OutboundEmail.objects.filter(dedup_key=f"receipt:{submission.pk}")
    assert receipts.count() == 1
    # One sending task for that e-mail, queued by the first run only.
    sends = DBTaskResult.objects.filter(task_path="core.tasks.send_outbound_email")
    assert [s.args_kwargs["args"] for s in sends] == [[receipts.get().pk]]


def test_stalled_task_recovery_is_a_periodic_job():
    from core import periodic

    jobs = {job.name: job for job in periodic.registered_jobs()}
    job = jobs["core.requeue_stalled_tasks"]
    assert (job.task_path, job.every) == ("core.tasks.requeue_stalled_tasks", timedelta(minutes=5))


# ------------------------------------------------------------ attachment storage failing


class FullDisk(FileSystemStorage):
    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")


class ReadOnly(FileSystemStorage):
    def _save(self, name, content):
        raise PermissionError(errno.EACCES, "Permission denied")


@pytest.mark.parametrize("storage", [FullDisk, ReadOnly])
def test_storage_failure_gives_clear_message_and_keeps_draft(settings, tmp_path, storage):
    application = complete_application(call=CallFactory())
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.{storage.__name__}",
            "OPTIONS": {"location": tmp_path / "full"},
        },
    }
    before = Application.objects.values().get(pk=application.pk)
    audit_before = AuditLog.objects.count()
    client = owner_client(application)
    response = client.post(
        reverse("applications:attachments", args=[application.uuid]),
        {"kind": "other", "file": SimpleUploadedFile("budget.pdf", PDF), "action": "save"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Le fichier n’a pas pu être enregistré : le stockage des pièces est" in page
    assert "Votre dossier n’a pas été modifié" in page
    assert Attachment.objects.count() == 0
    assert Application.objects.values().get(pk=application.pk) == before
    assert AuditLog.objects.count() == audit_before
    assert not (tmp_path / "full").exists() or not any((tmp_path / "full").rglob("*.pdf"))
    # The draft can still be submitted once storage is back (nothing was left half-done).
    assert UserFactory._meta.model.objects.filter(pk=application.owner_id).exists()

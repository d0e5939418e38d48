"""Liveness (/sante/) and readiness (/sante/pret/, manage.py check_readiness)."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.migrations import Migration
from django.test import override_settings
from django.utils import timezone

from core import health, periodic
from core.models import Heartbeat, OutboundEmail

pytestmark = pytest.mark.django_db

WITH_WORKER = override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    PTCE_WORKER_HEARTBEAT_TIMEOUT=300,
)


def beat(seconds_ago):
    Heartbeat.objects.update_or_create(
        name="worker", defaults={"beat_at": timezone.now() - timedelta(seconds=seconds_ago)}
    )


def test_liveness_stays_simple(client):
    assert client.get("/sante/").json() == {"status": "ok"}


@WITH_WORKER
def test_ready_when_everything_is_fine(client):
    beat(30)
    response = client.get("/sante/pret/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["ready"] is True
    assert list(body["checks"]) == [
        "database",
        "migrations",
        "worker",
        "outbox",
        "tasks",
        "backups",
    ]
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True, "unapplied": 0, "names": []}
    worker = body["checks"]["worker"]
    assert worker["ok"] is True and 30 <= worker["heartbeat_age_seconds"] <= 35
    assert worker["timeout_seconds"] == 300
    assert body["checks"]["outbox"] == {
        "ok": True,
        "pending": 0,
        "oldest_pending_age_seconds": None,
        "max_age_seconds": 24 * 3600,
    }
    assert body["checks"]["tasks"] == {"ok": True, "queued": 0, "failed": 0, "failed_last_24h": 0}
    assert response["Cache-Control"].startswith("max-age=0")


@WITH_WORKER
def test_worker_stopped_makes_the_platform_not_ready(client):
    """Fault: the worker stopped — its heartbeat is older than the timeout."""
    beat(301)
    response = client.get("/sante/pret/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready" and body["ready"] is False
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["heartbeat_age_seconds"] >= 301
    assert all(body["checks"][name]["ok"] for name in ["database", "migrations", "outbox"])


@WITH_WORKER
def test_no_heartbeat_yet_is_not_ready(client):
    response = client.get("/sante/pret/")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {
        "ok": False,
        "heartbeat_age_seconds": None,
        "timeout_seconds": 300,
    }


@WITH_WORKER
def test_unapplied_migrations_make_the_platform_not_ready(client):
    beat(0)
    with mock.patch(
        "django.db.migrations.executor.MigrationExecutor.migration_plan",
        return_value=[(Migration("0099_future", "core"), False)],
    ):
        response = client.get("/sante/pret/")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {
        "ok": False,
        "unapplied": 1,
        "names": ["core.0099_future"],
    }


@WITH_WORKER
def test_outbox_backlog_is_reported_and_too_old_is_not_ready(client):
    beat(0)
    email = OutboundEmail.objects.create(
        to=["camille@example.org"], subject="Objet", body="Texte", next_attempt_at=timezone.now()
    )
    body = client.get("/sante/pret/").json()
    assert body["checks"]["outbox"]["pending"] == 1
    assert body["checks"]["outbox"]["oldest_pending_age_seconds"] < 5
    assert body["ready"] is True

    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    response = client.get("/sante/pret/")
    assert response.status_code == 503
    assert response.json()["checks"]["outbox"]["ok"] is False
    assert "camille" not in response.content.decode()  # figures only, no personal data


@WITH_WORKER
def test_failed_tasks_are_counted_but_do_not_block(client):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    beat(0)
    now = timezone.now()
    for status, finished in [
        (TaskResultStatus.FAILED, now - timedelta(days=3)),
        (TaskResultStatus.FAILED, now - timedelta(hours=1)),
        (TaskResultStatus.READY, None),
    ]:
        DBTaskResult.objects.create(
            status=status,
            finished_at=finished,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="core.tasks.send_due_emails",
            backend_name="default",
            run_after=now - timedelta(minutes=1),
        )
    response = client.get("/sante/pret/")
    assert response.status_code == 200
    assert response.json()["checks"]["tasks"] == {
        "ok": True,
        "queued": 1,
        "failed": 2,
        "failed_last_24h": 1,
    }


def test_a_check_that_raises_is_not_ok_without_its_message(client):
    def broken():
        raise RuntimeError("db.interne:5432 camille@example.org")

    with mock.patch.object(health, "CHECKS", [*health.CHECKS]):
        health.register_check("backups", broken)
        response = client.get("/sante/pret/")
    assert response.status_code == 503
    assert response.json()["checks"]["backups"] == {"ok": False, "error": "RuntimeError"}
    assert "interne" not in response.content.decode()


def test_tasks_run_inline_need_no_worker(client):
    """Tests (and any set-up with the immediate backend) have no worker to wait for."""
    body = client.get("/sante/pret/").json()
    assert body["checks"]["worker"]["ok"] is True
    assert body["checks"]["worker"]["heartbeat_age_seconds"] is None


def test_heartbeat_is_a_periodic_task_every_minute():
    jobs = {job.name: job for job in periodic.registered_jobs()}
    job = jobs["core.worker_heartbeat"]
    assert job.every == timedelta(minutes=1)
    assert job.task_path == "core.tasks.worker_heartbeat"


@WITH_WORKER
def test_the_heartbeat_task_makes_a_stopped_worker_ready_again(client):
    from core.tasks import worker_heartbeat

    beat(3600)
    assert client.get("/sante/pret/").status_code == 503
    worker_heartbeat.call()
    assert client.get("/sante/pret/").status_code == 200


def test_readiness_refuses_writes(client):
    assert client.post("/sante/pret/").status_code == 405


@WITH_WORKER
def test_check_readiness_command(capsys):
    beat(0)
    call_command("check_readiness")
    assert json.loads(capsys.readouterr().out)["ready"] is True

    beat(1000)
    with pytest.raises(CommandError, match="non prête : worker"):
        call_command("check_readiness")
    assert json.loads(capsys.readouterr().out)["checks"]["worker"]["ok"] is False


def test_the_heartbeat_keeps_only_its_recent_results():
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from core.tasks import worker_heartbeat

    now = timezone.now()

    def result(path, status, minutes_ago):
        return DBTaskResult.objects.create(
            status=status,
            finished_at=now - timedelta(minutes=minutes_ago),
            args_kwargs={"args": [], "kwargs": {}},
            task_path=path,
            backend_name="default",
            run_after=now,
        )

    old = result("core.tasks.worker_heartbeat", TaskResultStatus.SUCCESSFUL, 61)
    recent = result("core.tasks.worker_heartbeat", TaskResultStatus.SUCCESSFUL, 59)
    failed = result("core.tasks.worker_heartbeat", TaskResultStatus.FAILED, 600)
    other = result("core.tasks.send_due_emails", TaskResultStatus.SUCCESSFUL, 600)
    worker_heartbeat.call()
    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert old.pk not in remaining
    assert {recent.pk, failed.pk, other.pk} <= remaining
    assert Heartbeat.objects.get(name="worker").beat_at >= now


@WITH_WORKER
def test_a_full_backup_target_makes_the_platform_not_ready(client):
    from core.backup_schedule import FULL_MESSAGE
    from core.models import BackupRun

    beat(30)
    now = timezone.now()
    BackupRun.objects.create(
        kind=BackupRun.Kind.BACKUP, started_at=now, finished_at=now, ok=False, message=FULL_MESSAGE
    )
    response = client.get("/sante/pret/")
    assert response.status_code == 503
    backups = response.json()["checks"]["backups"]
    assert backups["ok"] is False and backups["error"] == "stockage des sauvegardes plein"

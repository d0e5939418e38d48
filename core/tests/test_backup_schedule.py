"""Scheduled backups (issue 19 §5): archive to the backups storage, rotation, restore check
on a scratch database, full target, status for readiness."""

import errno
import sqlite3
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.utils import timezone

from core import audit, backup_schedule
from core.models import BackupRun

pytestmark = pytest.mark.django_db


class FullStorage(FileSystemStorage):
    """A backup target with no space left."""

    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def backups(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("PTCE_TESTING", "1")
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "pieces").mkdir(parents=True)
    (tmp_path / "media" / "pieces" / "statuts.pdf").write_bytes(b"%PDF-1.4 test")
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "backups"},
        },
    }
    return tmp_path / "backups"


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_rotation_keeps_the_newest_of_each_recent_day_and_week(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    start = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
    for day in range(40):
        for hour in (2, 14):
            when = start + timedelta(days=day, hours=hour - 2)
            storage.save(f"ptce-{when:%Y%m%d-%H%M%S}.tar", ContentFile(b"x"))
    storage.save("notes.txt", ContentFile(b"not an archive"))

    deleted = backup_schedule.rotate(storage, keep_daily=3, keep_weekly=3)

    kept = sorted(_names(tmp_path))
    # 09/11/2026 is a Monday: the last 3 ISO weeks end on 01/11, 08/11 and 09/11 (their
    # newest archives), the last 3 days are 07/11, 08/11 and 09/11.
    assert kept == [
        "notes.txt",
        "ptce-20261101-140000.tar",
        "ptce-20261107-140000.tar",
        "ptce-20261108-140000.tar",
        "ptce-20261109-140000.tar",
    ]
    assert len(deleted) == 80 - 4
    # Idempotent.
    assert backup_schedule.rotate(storage, keep_daily=3, keep_weekly=3) == []


@pytest.mark.django_db(transaction=True)
def test_backup_goes_to_the_storage_and_the_restore_check_verifies_it(backups):
    for i in range(3):
        audit.record("test.backup", label=str(i))
    run = backup_schedule.run_backup()
    assert run.ok, run.message
    assert _names(backups) == {run.name}
    archive = backups / run.name
    assert run.size == archive.stat().st_size
    with tarfile.open(archive) as tar:
        members = set(tar.getnames())
    folder = run.name.removesuffix(".tar")
    assert {f"{folder}/manifest.json", f"{folder}/media.tar.gz"} <= members

    check = backup_schedule.run_restore_check()
    assert check.ok, check.message
    assert check.name == run.name
    assert "journal d’audit intègre" in check.message

    status = backup_schedule.backup_status()
    assert status["ok"] is True and status["error"] is None
    assert status["last_backup_size"] == run.size
    assert status["last_restore_check_ok"] is True
    assert status["last_backup_at"] == run.finished_at.isoformat()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="edits the SQLite archive")
def test_restore_check_fails_on_an_altered_audit_chain(backups, tmp_path):
    audit.record("test.backup", label="un")
    audit.record("test.backup", label="deux")
    run = backup_schedule.run_backup()
    assert run.ok, run.message
    # Tamper with the archived database, saved as a newer archive.
    work = tmp_path / "work"
    with tarfile.open(backups / run.name) as tar:
        tar.extractall(work, filter="data")
    folder = work / run.name.removesuffix(".tar")
    with sqlite3.connect(folder / "database.sqlite3") as db:
        db.execute("UPDATE core_auditlog SET object_label = 'falsifié' WHERE sequence = 1")
    later = datetime.now(UTC) + timedelta(minutes=5)
    name = f"ptce-{later:%Y%m%d-%H%M%S}"
    folder.rename(work / name)
    with tarfile.open(backups / f"{name}.tar", "w") as tar:
        tar.add(work / name, arcname=name)

    check = backup_schedule.run_restore_check()
    assert not check.ok
    assert check.name == f"{name}.tar"
    assert "contenu modifié après écriture" in check.message
    status = backup_schedule.backup_status()
    assert status["ok"] is False
    assert status["error"] == "dernière vérification de restauration en échec"
    assert status["last_restore_check_ok"] is False


def test_restore_check_without_any_archive_fails_clearly(backups):
    check = backup_schedule.run_restore_check()
    assert not check.ok
    assert "aucune sauvegarde dans le stockage" in check.message


@pytest.mark.django_db(transaction=True)
def test_full_backup_target_is_a_clear_error_recorded_without_crashing_the_worker(
    backups, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {
            "BACKEND": "core.tests.test_backup_schedule.FullStorage",
            "OPTIONS": {"location": str(backups)},
        },
    }
    assert isinstance(storages["backups"], FullStorage)
    from core.tasks import scheduled_backup

    result = scheduled_backup.enqueue()  # the worker runs it; it must not fail
    assert result.status == "SUCCESSFUL"
    assert result.return_value == {"ok": False, "message": backup_schedule.FULL_MESSAGE}
    run = BackupRun.objects.get()
    assert not run.ok and run.name == "" and run.size is None
    assert "l’espace de stockage des sauvegardes est plein" in run.message
    assert _names(backups) == set()
    status = backup_schedule.backup_status()
    assert status["ok"] is False
    assert status["error"] == "stockage des sauvegardes plein"
    assert status["last_backup_at"] is None and status["last_backup_failed_at"]


def test_status_before_any_run_and_with_a_stale_backup(settings):
    assert backup_schedule.backup_status() == {
        "ok": True,
        "last_backup_at": None,
        "last_backup_size": None,
        "last_backup_failed_at": None,
        "last_restore_check_at": None,
        "last_restore_check_ok": None,
        "error": None,
    }
    settings.PTCE_BACKUP_MAX_AGE_HOURS = 36
    old = timezone.now() - timedelta(hours=40)
    BackupRun.objects.create(
        kind="backup", started_at=old, finished_at=old, ok=True, name="ptce-x.tar", size=10
    )
    status = backup_schedule.backup_status()
    assert status["ok"] is False
    assert status["error"] == "dernière sauvegarde trop ancienne"


def test_backup_and_restore_check_are_daily_periodic_jobs():
    from core import periodic

    jobs = {job.name: job for job in periodic.registered_jobs()}
    assert jobs["core.scheduled_backup"].every == timedelta(days=1)
    assert jobs["core.backup_restore_check"].every == timedelta(days=1)

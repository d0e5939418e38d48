"""Scheduled backups (issue 19 §5): a daily backup sent to the ``backups`` storage with
rotation, a daily restore check on a scratch database, and their status for readiness.

- :func:`run_backup` builds a backup with :func:`core.backup.create_backup` in a temporary
  folder, packs it into one ``ptce-AAAAMMJJ-HHMMSS.tar`` and saves it to
  ``storages["backups"]`` (a folder by default, an S3 bucket with ``PTCE_BACKUP_BUCKET``),
  then applies the rotation (:func:`rotate`: the newest archive of each of the last
  ``PTCE_BACKUP_KEEP_DAILY`` days and of each of the last ``PTCE_BACKUP_KEEP_WEEKLY`` ISO
  weeks are kept, the others deleted).
- :func:`run_restore_check` takes the newest archive back from the storage and restores it
  into a scratch database — SQLite: the archive's own database file in a temporary folder;
  PostgreSQL: a temporary database created next to the real one and dropped afterwards (the
  role needs ``CREATEDB``; without it the check fails saying so) — then runs
  ``manage.py verify_backup_restore`` against it in a child process, which compares the row
  counts of every table with the manifest and verifies the audit chain and its head.
- Each run is stored as a :class:`core.models.BackupRun`; failures never raise (the worker
  goes on) but are recorded with a French message, and :func:`backup_status` — a readiness
  check — reports them.
"""

import errno
import json
import logging
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

from core.backup import MANIFEST, BackupError, _pg_args, _pg_env, create_backup
from core.models import BackupRun

logger = logging.getLogger(__name__)

ARCHIVE = re.compile(r"^ptce-(\d{8}-\d{6})\.tar$")
FULL_MESSAGE = (
    "Sauvegarde impossible : l’espace de stockage des sauvegardes est plein. "
    "Libérez de la place ou réduisez PTCE_BACKUP_KEEP_DAILY / PTCE_BACKUP_KEEP_WEEKLY."
)


def backup_storage():
    return storages["backups"]


def archive_time(name: str) -> datetime | None:
    match = ARCHIVE.match(name)
    if not match:
        return None
    return datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=UTC)


def list_archives(storage=None) -> list[tuple[datetime, str]]:
    """``(time, name)`` of every backup archive in the storage, newest first."""
    storage = storage or backup_storage()
    try:
        _folders, files = storage.listdir("")
    except FileNotFoundError:
        return []
    found = [(archive_time(name), name) for name in files]
    return sorted(((when, name) for when, name in found if when), reverse=True)


def to_keep(archives: list[tuple[datetime, str]], keep_daily: int, keep_weekly: int) -> set[str]:
    """The newest archive of each of the ``keep_daily`` most recent days that have one, and
    of each of the ``keep_weekly`` most recent ISO weeks that have one."""
    kept: set[str] = set()
    days: list = []
    weeks: list = []
    for when, name in sorted(archives, reverse=True):
        day = when.date()
        week = when.isocalendar()[:2]
        if day not in days:
            days.append(day)
            if len(days) <= keep_daily:
                kept.add(name)
        if week not in weeks:
            weeks.append(week)
            if len(weeks) <= keep_weekly:
                kept.add(name)
    return kept


def rotate(storage=None, *, keep_daily=None, keep_weekly=None) -> list[str]:
    """Delete the archives the rotation does not keep; returns their names."""
    storage = storage or backup_storage()
    keep_daily = settings.PTCE_BACKUP_KEEP_DAILY if keep_daily is None else keep_daily
    keep_weekly = settings.PTCE_BACKUP_KEEP_WEEKLY if keep_weekly is None else keep_weekly
    archives = list_archives(storage)
    kept = to_keep(archives, keep_daily, keep_weekly)
    deleted = []
    for _when, name in archives:
        if name not in kept:
            storage.delete(name)
            deleted.append(name)
    return deleted


def _describe(error: Exception) -> str:
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return FULL_MESSAGE
    if isinstance(error, BackupError):
        return f"Sauvegarde impossible : {error}"
    return f"Sauvegarde impossible : {error.__class__.__name__} — {error}"


def run_backup() -> BackupRun:
    """Back up, store, rotate. Never raises: the outcome is the returned (stored) run."""
    started = timezone.now()
    storage = backup_storage()
    name, size, saved = "", None, None
    try:
        with tempfile.TemporaryDirectory(prefix="ptce-backup-") as scratch:
            folder = create_backup(Path(scratch))
            archive = Path(scratch) / f"{folder.name}.tar"
            with tarfile.open(archive, "w") as tar:
                tar.add(folder, arcname=folder.name)
            size = archive.stat().st_size
            with archive.open("rb") as content:
                saved = storage.save(archive.name, File(content))
            name = saved
        deleted = rotate(storage)
        message = f"Archive {name} enregistrée" + (
            f" ; rotation : {len(deleted)} ancienne(s) archive(s) supprimée(s)." if deleted else "."
        )
        ok = True
    except Exception as error:  # recorded, never raised: the worker goes on
        logger.exception("Sauvegarde planifiée en échec")
        message, ok = _describe(error), False
        if saved:  # a partial archive would look like a good one to the rotation
            try:
                storage.delete(saved)
            except Exception:
                logger.exception("Archive partielle %s non supprimée", saved)
    return BackupRun.objects.create(
        kind=BackupRun.Kind.BACKUP,
        started_at=started,
        finished_at=timezone.now(),
        ok=ok,
        name=name if ok else "",
        size=size if ok else None,
        message=message,
    )


# --- restore check -------------------------------------------------------------------------


def _scratch_postgres(folder: Path):
    """Create a temporary database, restore the dump into it; returns (url, drop)."""
    import psycopg

    db = settings.DATABASES["default"]
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    user = db.get("USER") or ""
    password = db.get("PASSWORD") or ""
    name = f"ptce_restore_check_{uuid.uuid4().hex[:10]}"
    admin_url = f"postgresql://{host}:{port}/postgres"
    kwargs = {"user": user, "password": password} if password else {"user": user}
    try:
        with psycopg.connect(admin_url, autocommit=True, **kwargs) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.errors.InsufficientPrivilege as error:
        raise BackupError(
            "le rôle PostgreSQL ne peut pas créer de base temporaire (droit CREATEDB) : "
            "vérification de restauration impossible, voir docs/deploy.md"
        ) from error

    def drop():
        with psycopg.connect(admin_url, autocommit=True, **kwargs) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    result = subprocess.run(
        ["pg_restore", "--no-owner", "-d", name, *_pg_args(db), str(folder / "database.dump")],
        env=_pg_env(db),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        drop()
        raise BackupError(f"pg_restore a échoué : {result.stderr.strip()[:1000]}")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{credentials}{host}:{port}/{name}", drop


def verify_in_scratch_database(folder: Path) -> dict:
    """Restore the unpacked backup ``folder`` into a scratch database and verify it there
    (child process, so nothing touches the platform's own connection)."""
    manifest = json.loads((folder / MANIFEST).read_text())
    if manifest["engine"] != connection.vendor:
        raise BackupError(f"sauvegarde {manifest['engine']}, base {connection.vendor}")
    drop = None
    if manifest["engine"] == "sqlite":
        url = f"sqlite:///{folder / 'database.sqlite3'}"
    else:
        url, drop = _scratch_postgres(folder)
    try:
        result = subprocess.run(
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "verify_backup_restore",
                str(folder / MANIFEST),
            ],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=1800,
        )
    finally:
        if drop:
            drop()
    if result.returncode:
        lines = (result.stderr.strip() or result.stdout.strip()).splitlines()
        raise BackupError(lines[-1] if lines else "vérification en échec")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_restore_check() -> BackupRun:
    """Restore the newest archive into a scratch database and verify counts and audit
    chain. Never raises; the outcome is stored."""
    started = timezone.now()
    storage = backup_storage()
    name = ""
    try:
        archives = list_archives(storage)
        if not archives:
            raise BackupError("aucune sauvegarde dans le stockage")
        name = archives[0][1]
        with tempfile.TemporaryDirectory(prefix="ptce-restore-check-") as scratch:
            local = Path(scratch) / name
            with storage.open(name, "rb") as source, local.open("wb") as target:
                for chunk in iter(lambda: source.read(1024 * 1024), b""):
                    target.write(chunk)
            with tarfile.open(local) as tar:
                tar.extractall(scratch, filter="data")
            folder = Path(scratch) / name.removesuffix(".tar")
            figures = verify_in_scratch_database(folder)
        ok = True
        message = (
            f"Restauration de {name} vérifiée : {figures['tables']} tables, "
            f"{figures['rows']} lignes, journal d’audit intègre."
        )
    except Exception as error:
        logger.exception("Vérification de restauration en échec")
        ok = False
        message = f"Vérification de restauration en échec ({name or 'aucune archive'}) : {error}"
    return BackupRun.objects.create(
        kind=BackupRun.Kind.RESTORE_CHECK,
        started_at=started,
        finished_at=timezone.now(),
        ok=ok,
        name=name,
        message=message,
    )


# --- status (readiness) --------------------------------------------------------------------


def backup_status(now=None) -> dict:
    """State of the scheduled backups, as a readiness check: ``ok`` is false when the last
    backup or the last restore check failed, or when the last good backup is older than
    ``PTCE_BACKUP_MAX_AGE_HOURS``. Before any run (fresh installation) it is ``ok``.
    No personal data and no paths: the readiness answer is public; the full message of a
    failure is in its ``BackupRun`` row."""
    now = now or timezone.now()
    last_backup = BackupRun.objects.filter(kind=BackupRun.Kind.BACKUP).first()
    last_good = BackupRun.objects.filter(kind=BackupRun.Kind.BACKUP, ok=True).first()
    last_check = BackupRun.objects.filter(kind=BackupRun.Kind.RESTORE_CHECK).first()
    max_age = timedelta(hours=settings.PTCE_BACKUP_MAX_AGE_HOURS)
    error = None
    if last_backup and not last_backup.ok:
        error = (
            "stockage des sauvegardes plein"
            if last_backup.message == FULL_MESSAGE
            else "dernière sauvegarde en échec"
        )
    elif last_good and now - last_good.finished_at > max_age:
        error = "dernière sauvegarde trop ancienne"
    elif last_check and not last_check.ok:
        error = "dernière vérification de restauration en échec"
    return {
        "ok": error is None,
        "last_backup_at": last_good.finished_at.isoformat() if last_good else None,
        "last_backup_size": last_good.size if last_good else None,
        "last_backup_failed_at": (
            last_backup.finished_at.isoformat() if last_backup and not last_backup.ok else None
        ),
        "last_restore_check_at": last_check.finished_at.isoformat() if last_check else None,
        "last_restore_check_ok": last_check.ok if last_check else None,
        "error": error,
    }

"""Backup then restore into a fresh database, on the engine the suite runs on."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _manage(database_url: str, *args: str, media: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
        "PTCE_TESTING": "1",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def two_databases(tmp_path, django_db_blocker):
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    settings = connection.settings_dict
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    base = f"postgres://{settings['USER']}@{host}:{port}"
    names = [f"ptce_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    yield tuple(f"{base}/{name}" for name in names)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_backup_restores_into_a_fresh_database_with_counts_and_audit_chain(tmp_path, two_databases):
    source, fresh = two_databases
    media = tmp_path / "media"
    (media / "pieces").mkdir(parents=True)
    (media / "pieces" / "statuts.pdf").write_bytes(b"%PDF-1.4 test")
    for command in (["migrate", "--noinput"], ["import_cog"], ["load_demo"]):
        result = _manage(source, *command, media=media)
        assert result.returncode == 0, result.stderr
    # Some audited activity, so the chain is not empty.
    result = _manage(
        source,
        "shell",
        "-c",
        "from core import audit; [audit.record('test.backup', label=str(i)) for i in range(5)]",
        media=media,
    )
    assert result.returncode == 0, result.stderr
    backup = _manage(source, "backup", "--output", str(tmp_path / "backups"), media=media)
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().split(" : ", 1)[1])
    assert (folder / "manifest.json").exists()

    restored_media = tmp_path / "restored-media"
    restore = _manage(fresh, "restore", str(folder), "--yes", media=restored_media)
    assert restore.returncode == 0, restore.stderr
    assert "Restauration vérifiée" in restore.stdout
    assert (restored_media / "pieces" / "statuts.pdf").read_bytes() == b"%PDF-1.4 test"
    check = _manage(fresh, "verify_audit_log", media=restored_media)
    manifest = json.loads((folder / "manifest.json").read_text())
    entries = manifest["counts"]["core.AuditLog"]
    assert entries >= 5  # the demo's entries plus the five written above
    assert f"Journal d'audit intègre : {entries} entrée(s)" in check.stdout


def test_restore_refuses_without_confirmation(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "PTCE_TESTING": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "--yes" in result.stderr

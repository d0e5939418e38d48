"""Backups: the database (SQLite online backup API or pg_dump) plus stored files, with a
manifest of row counts and the audit-chain head so a restore can be verified."""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

from core.audit import verify_chain
from core.models import AuditChainHead

MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def table_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.label] = model._default_manager.count()
    return counts


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _pg_args(db: dict) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["-h", db["HOST"]]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    return args


def create_backup(target_dir: Path) -> Path:
    db = settings.DATABASES["default"]
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    folder = Path(target_dir) / f"ptce-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    if connection.vendor == "sqlite":
        # Through Django's own connection: works for a file and for the in-memory test base.
        if connection.in_atomic_block:  # SQLite would wait forever for its own write lock
            raise BackupError("Sauvegarde impossible à l’intérieur d’une transaction.")
        connection.ensure_connection()
        destination = sqlite3.connect(folder / "database.sqlite3")
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    elif connection.vendor == "postgresql":
        result = subprocess.run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                "-f",
                str(folder / "database.dump"),
                *_pg_args(db),
                db["NAME"],
            ],
            env=_pg_env(db),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(f"pg_dump a échoué : {result.stderr.strip()}")
    else:
        raise BackupError(f"Moteur non pris en charge : {connection.vendor}")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
            archive.add(media, arcname="media")
    head = AuditChainHead.objects.filter(pk=1).first()
    manifest = {
        "created_at": stamp,
        "engine": connection.vendor,
        "counts": table_counts(),
        "audit_head": {
            "sequence": head.last_sequence if head else 0,
            "hash": head.last_hash if head else "",
        },
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return folder


def restore_backup(folder: Path) -> dict:
    """Restore ``folder`` into the configured database (replacing its content)."""
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{folder} n’est pas une sauvegarde (manifest.json absent).")
    manifest = json.loads(manifest_path.read_text())
    db = settings.DATABASES["default"]
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"Sauvegarde {manifest['engine']} : restaurez-la dans une base du même moteur "
            f"(base actuelle : {connection.vendor})."
        )
    connection.close()
    if connection.vendor == "sqlite":
        with sqlite3.connect(folder / "database.sqlite3") as source:
            destination = sqlite3.connect(db["NAME"])
            source.backup(destination)
            destination.close()
    else:
        result = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "-d",
                db["NAME"],
                *_pg_args(db),
                str(folder / "database.dump"),
            ],
            env=_pg_env(db),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(f"pg_restore a échoué : {result.stderr.strip()[:2000]}")
    media_archive = folder / "media.tar.gz"
    if media_archive.exists():
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.rmtree(media)
        media.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(media_archive) as archive:
            archive.extractall(media.parent, filter="data")
            extracted = media.parent / "media"
            if extracted != media:
                extracted.rename(media)
    return verify_restore(manifest)


def verify_restore(manifest: dict) -> dict:
    counts = table_counts()
    differences = {
        label: (expected, counts.get(label))
        for label, expected in manifest["counts"].items()
        if counts.get(label) != expected
    }
    problems = verify_chain()
    head = AuditChainHead.objects.filter(pk=1).first()
    head_matches = (head.last_hash if head else "") == manifest["audit_head"]["hash"]
    if differences or problems or not head_matches:
        raise BackupError(
            "Restauration incomplète : "
            + "; ".join(
                [f"{label} attendu {a}, trouvé {b}" for label, (a, b) in differences.items()]
                + [p.message for p in problems]
                + ([] if head_matches else ["tête du journal d’audit différente"])
            )
        )
    return {"tables": len(counts), "rows": sum(counts.values())}

"""Copies of the audit chain head kept out of the database.

Every hour (``core.write_audit_head``, core/apps.py) the last entry's number and seal are
written to the logs and appended to ``audit-heads/<day>.jsonl`` (``AUDIT_HEADS_DIR``) in the
default storage. Someone who can only write to the database cannot seal entries (no key) but
could still delete the last ones, or put back an older copy of the database: ``verify_heads``
then finds a recorded head that the chain no longer contains.
"""

import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from core.audit import GENESIS_HASH, ChainProblem
from core.models import AuditLog

logger = logging.getLogger("ptce.audit")


def heads_dir() -> str:
    return settings.AUDIT_HEADS_DIR


@dataclass
class RecordedHead:
    file: str
    recorded_at: str
    sequence: int
    hash: str


def write_head(*, log_model=AuditLog, reason: str = "périodique", now=None) -> dict:
    """Log the chain head, then append it to today's file; returns the line written."""
    now = now or timezone.now()
    last = log_model.objects.order_by("-sequence").values("sequence", "hash", "algorithm").first()
    line = {
        "recorded_at": now.isoformat(timespec="seconds"),
        "sequence": last["sequence"] if last else 0,
        "hash": last["hash"] if last else GENESIS_HASH,
        "algorithm": last["algorithm"] if last else "",
        "reason": reason,
    }
    logger.info(
        "Tête du journal d'audit : entrée n° %s, empreinte %s (%s, %s)",
        line["sequence"],
        line["hash"],
        line["algorithm"] or "journal vide",
        reason,
        extra={"audit_head": line},
    )
    name = f"{heads_dir()}/{timezone.localdate(now).isoformat()}.jsonl"
    existing = b""
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            existing = handle.read()
        default_storage.delete(name)
    text = json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"
    try:
        default_storage.save(name, ContentFile(existing + text.encode()))
    except Exception:
        # Any storage failure (full disk, S3 refusing): said in the logs, the task fails.
        logger.exception("Tête du journal d'audit non enregistrée dans le stockage (%s)", name)
        raise
    return line


def recorded_heads() -> tuple[list[RecordedHead], list[ChainProblem]]:
    """Every head recorded in storage, and the lines that cannot be read."""
    try:
        _, files = default_storage.listdir(heads_dir())
    except FileNotFoundError:
        return [], []
    heads, problems = [], []
    for filename in sorted(f for f in files if f.endswith(".jsonl")):
        name = f"{heads_dir()}/{filename}"
        with default_storage.open(name, "rb") as handle:
            lines = handle.read().decode("utf-8", errors="replace").splitlines()
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
                heads.append(
                    RecordedHead(name, data["recorded_at"], int(data["sequence"]), data["hash"])
                )
            except (ValueError, KeyError, TypeError):
                problems.append(
                    ChainProblem(0, f"tête enregistrée illisible : {name}, ligne {number}")
                )
    return heads, problems


def verify_heads() -> list[ChainProblem]:
    """Each recorded head must still be an entry of the chain, with the same seal."""
    try:
        heads, problems = recorded_heads()
    except Exception as error:  # storage unreachable: the check cannot say the log is intact
        logger.exception("Têtes du journal d'audit illisibles")
        return [ChainProblem(0, f"têtes enregistrées illisibles dans le stockage ({error})")]
    wanted = {head.sequence for head in heads if head.sequence}
    found = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 500):
        found.update(
            AuditLog.objects.filter(sequence__in=ordered[start : start + 500]).values_list(
                "sequence", "hash"
            )
        )
    for head in heads:
        if not head.sequence:
            continue
        where = f"tête enregistrée le {head.recorded_at} ({head.file})"
        if head.sequence not in found:
            problems.append(ChainProblem(head.sequence, f"{where} : l'entrée a disparu du journal"))
        elif found[head.sequence] != head.hash:
            problems.append(
                ChainProblem(
                    head.sequence,
                    f"{where} : l'empreinte ne correspond plus, la chaîne a été réécrite depuis",
                )
            )
    return problems


def count_recorded_heads() -> int:
    return len(recorded_heads()[0])

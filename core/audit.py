"""Append-only audit log, chained by SHA-256 so that any change or deletion is detectable."""

import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from core.models import AuditChainHead, AuditLog

GENESIS_HASH = "0" * 64


def _canonical(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)


def _normalise(value):
    """Round-trip through JSON so hashed values equal what the database gives back; NUL
    characters dropped (PostgreSQL refuses them in JSON; found by the hostile-input tests
    through the filters of an audited export)."""
    if value is None:
        return None
    return _without_nul(json.loads(_canonical(value)))


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def compute_hash(entry: AuditLog) -> str:
    payload = {
        "sequence": entry.sequence,
        "created_at": entry.created_at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_label": entry.object_label,
        "before": entry.before,
        "after": entry.after,
        "previous_hash": entry.previous_hash,
    }
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def _actor_label(actor) -> str:
    if actor is None:
        return "système"
    return getattr(actor, "email", None) or str(actor)


def record(action: str, *, actor=None, obj=None, before=None, after=None, label: str = ""):
    """Append one entry to the audit log, inside the caller's transaction if any."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        created_at = timezone.now()
        entry = AuditLog(
            sequence=head.last_sequence + 1,
            created_at=created_at,
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=_actor_label(actor),
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_label=(label or str(obj))[:255] if obj is not None else label[:255],
            before=_normalise(before),
            after=_normalise(after),
            previous_hash=head.last_hash,
        )
        entry.hash = compute_hash(entry)
        entry.save()
        head.last_sequence = entry.sequence
        head.last_hash = entry.hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return entry


def record_many(entries, *, actor=None) -> list[AuditLog]:
    """Append several entries at once (imports): ``entries`` are dicts with the keyword
    arguments of ``record`` (``action``, and ``obj``, ``before``, ``after``, ``label``), chained
    in order under one lock of the chain head and written with one bulk insert."""
    entries = list(entries)
    if not entries:
        return []
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        sequence, previous = head.last_sequence, head.last_hash
        rows = []
        for item in entries:
            obj, label = item.get("obj"), item.get("label", "")
            sequence += 1
            entry = AuditLog(
                sequence=sequence,
                created_at=timezone.now(),
                actor=actor if getattr(actor, "pk", None) else None,
                actor_label=_actor_label(actor),
                action=item["action"],
                object_type=obj._meta.label_lower if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "",
                object_label=(label or str(obj))[:255] if obj is not None else label[:255],
                before=_normalise(item.get("before")),
                after=_normalise(item.get("after")),
                previous_hash=previous,
            )
            entry.hash = compute_hash(entry)
            previous = entry.hash
            rows.append(entry)
        AuditLog.objects.bulk_create(rows, batch_size=500)
        head.last_sequence, head.last_hash = sequence, previous
        head.save(update_fields=["last_sequence", "last_hash"])
    return rows


@dataclass
class ChainProblem:
    sequence: int
    message: str


def verify_chain(batch_size: int = 2000) -> list[ChainProblem]:
    """Return every break in the chain: altered rows, missing rows, a head out of step."""
    problems: list[ChainProblem] = []
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    last_hash = GENESIS_HASH
    for entry in AuditLog.objects.order_by("sequence").iterator(chunk_size=batch_size):
        if entry.sequence != expected_sequence:
            problems.append(
                ChainProblem(
                    expected_sequence,
                    f"entrée(s) n° {expected_sequence} à {entry.sequence - 1} manquante(s)",
                )
            )
        if entry.previous_hash != expected_previous:
            problems.append(
                ChainProblem(entry.sequence, "le lien vers l'entrée précédente est rompu")
            )
        if compute_hash(entry) != entry.hash:
            problems.append(ChainProblem(entry.sequence, "contenu modifié après écriture"))
        expected_previous = entry.hash
        expected_sequence = entry.sequence + 1
        last_hash = entry.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (
        head.last_sequence != expected_sequence - 1 or head.last_hash != last_hash
    ):
        problems.append(
            ChainProblem(
                head.last_sequence,
                "les dernières entrées du journal ont été supprimées "
                f"(attendu jusqu'au n° {head.last_sequence}, trouvé {expected_sequence - 1})",
            )
        )
    return problems


def snapshot(instance, fields: list[str]) -> dict:
    """A JSON-ready dict of ``fields`` of ``instance``, for before/after values."""
    data = {}
    for name in fields:
        value = getattr(instance, name)
        data[name] = value.pk if hasattr(value, "pk") else value
    return data

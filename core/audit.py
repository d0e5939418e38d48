"""Append-only audit log: each entry is sealed with HMAC-SHA-256 under a key kept out of the
database (``PTCE_AUDIT_KEY``) and chained to the previous one, so that a change, a deletion or
a rebuilt chain is detectable. Entries written before the key existed (algorithm ``sha256``)
stay verifiable as the legacy start of the chain, anchored by the first sealed entry
(docs/adr/0012-audit-chain-hmac.md). The chain head is also copied out of the database by
``core/audit_heads.py``.
"""

import hashlib
import hmac
import json
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from core.models import AuditChainHead, AuditLog

GENESIS_HASH = "0" * 64
LEGACY_ALGORITHM = "sha256"
HMAC_PREFIX = "hmac-sha256:"


class AuditKeyMissing(ImproperlyConfigured):
    """An audited write outside development and tests without ``PTCE_AUDIT_KEY``."""


class UnknownAuditKey(Exception):
    def __init__(self, key_id: str):
        super().__init__(key_id)
        self.key_id = key_id


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


# --------------------------------------------------------------------------------- keys


def keyring() -> dict[str, str]:
    """Every key able to verify entries, by key id: the old ones and the current one."""
    keys = dict(settings.AUDIT_OLD_KEYS)
    if settings.AUDIT_KEY:
        keys[settings.AUDIT_KEY_ID] = settings.AUDIT_KEY
    return keys


def current_algorithm() -> str:
    """``hmac-sha256:<key id>`` of the key that seals new entries; refuses without a key."""
    if not settings.AUDIT_KEY:
        raise AuditKeyMissing(
            "PTCE_AUDIT_KEY n'est pas définie : le journal d'audit ne peut pas être scellé. "
            "Définissez-la (voir docs/deploy.md, « Journal d'audit »)."
        )
    return HMAC_PREFIX + settings.AUDIT_KEY_ID


def _payload(entry) -> dict:
    return {
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


def legacy_hash(entry) -> str:
    """Plain SHA-256 of the entry, as written before the key (no ``algorithm`` in it)."""
    return hashlib.sha256(_canonical(_payload(entry)).encode()).hexdigest()


def compute_hash(entry, keys: dict[str, str] | None = None) -> str:
    """The seal of ``entry`` under its own algorithm; the algorithm itself is sealed too."""
    if entry.algorithm == LEGACY_ALGORITHM:
        return legacy_hash(entry)
    keys = keyring() if keys is None else keys
    key_id = entry.algorithm.removeprefix(HMAC_PREFIX)
    if not entry.algorithm.startswith(HMAC_PREFIX) or key_id not in keys:
        raise UnknownAuditKey(key_id)
    message = _canonical({**_payload(entry), "algorithm": entry.algorithm}).encode()
    return hmac.new(keys[key_id].encode(), message, hashlib.sha256).hexdigest()


# ------------------------------------------------------------------------------ writing


def _actor_label(actor) -> str:
    if actor is None:
        return "système"
    return getattr(actor, "email", None) or str(actor)


def append(log_model, head_model, **fields):
    """Seal and append one entry, the chain head row locked (SELECT … FOR UPDATE; on SQLite
    the project's ``BEGIN IMMEDIATE`` serialises writers). Models are parameters so that a
    data migration can append with its historical models."""
    algorithm = current_algorithm()
    with transaction.atomic():
        head, _ = head_model.objects.select_for_update().get_or_create(pk=1)
        entry = log_model(
            sequence=head.last_sequence + 1,
            created_at=timezone.now(),
            previous_hash=head.last_hash,
            algorithm=algorithm,
            **fields,
        )
        entry.hash = compute_hash(entry)
        entry.save()
        head.last_sequence = entry.sequence
        head.last_hash = entry.hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return entry


def record(action: str, *, actor=None, obj=None, before=None, after=None, label: str = ""):
    """Append one entry to the audit log, inside the caller's transaction if any."""
    return append(
        AuditLog,
        AuditChainHead,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=(label or str(obj))[:255] if obj is not None else label[:255],
        before=_normalise(before),
        after=_normalise(after),
    )


def record_many(entries, *, actor=None) -> list[AuditLog]:
    """Append several entries at once (imports): ``entries`` are dicts with the keyword
    arguments of ``record`` (``action``, and ``obj``, ``before``, ``after``, ``label``), chained
    in order under one lock of the chain head and written with one bulk insert."""
    entries = list(entries)
    if not entries:
        return []
    algorithm = current_algorithm()
    keys = keyring()
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
                algorithm=algorithm,
            )
            entry.hash = compute_hash(entry, keys)
            previous = entry.hash
            rows.append(entry)
        AuditLog.objects.bulk_create(rows, batch_size=500)
        head.last_sequence, head.last_hash = sequence, previous
        head.save(update_fields=["last_sequence", "last_hash"])
    return rows


# ---------------------------------------------------------------------------- checking


@dataclass
class ChainProblem:
    sequence: int
    message: str


@dataclass
class _Walk:
    problems: list
    count: int = 0
    last_sequence: int = 0
    last_hash: str = GENESIS_HASH
    unsealed_from: int | None = None  # first entry of a legacy run not followed by a seal


def _walk(entries, keys: dict[str, str]) -> _Walk:
    """Check the links and seals of ``entries`` (ordered by sequence)."""
    walk = _Walk(problems=[])
    problems = walk.problems
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    sealed_seen = False
    checked, failed, first_failed = Counter(), Counter(), {}
    for entry in entries:
        walk.count += 1
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
        if entry.algorithm == LEGACY_ALGORITHM:
            if sealed_seen:
                problems.append(
                    ChainProblem(
                        entry.sequence,
                        "entrée sans clé après le début de la chaîne scellée : "
                        "réécrite sans la clé d'audit",
                    )
                )
            elif walk.unsealed_from is None:
                walk.unsealed_from = entry.sequence
        else:
            sealed_seen = True
            walk.unsealed_from = None
        try:
            expected_hash = compute_hash(entry, keys)
        except UnknownAuditKey as error:
            problems.append(
                ChainProblem(
                    entry.sequence,
                    f"scellée par la clé « {error.key_id} », inconnue ici : "
                    "ajoutez-la à PTCE_AUDIT_OLD_KEYS",
                )
            )
        else:
            checked[entry.algorithm] += 1
            if expected_hash != entry.hash:
                failed[entry.algorithm] += 1
                first_failed.setdefault(entry.algorithm, entry.sequence)
                problems.append(
                    ChainProblem(
                        entry.sequence,
                        "contenu modifié après écriture, ou empreinte calculée sans la bonne "
                        f"clé ({entry.algorithm})",
                    )
                )
        expected_previous = entry.hash
        expected_sequence = entry.sequence + 1
        walk.last_sequence = entry.sequence
        walk.last_hash = entry.hash
    # Every seal of one key wrong: the key given here is not the one that sealed them.
    for algorithm, count in checked.items():
        if algorithm != LEGACY_ALGORITHM and count > 1 and failed[algorithm] == count:
            problems.insert(
                0,
                ChainProblem(
                    first_failed[algorithm],
                    f"aucune des {count} entrées scellées par la clé "
                    f"« {algorithm.removeprefix(HMAC_PREFIX)} » ne se vérifie : la clé "
                    "configurée (PTCE_AUDIT_KEY ou PTCE_AUDIT_OLD_KEYS) n'est pas celle qui "
                    "les a scellées, ou la chaîne a été reconstruite sans elle",
                ),
            )
    return walk


def verify_chain(batch_size: int = 2000) -> list[ChainProblem]:
    """Return every break in the chain: altered, rebuilt or missing rows, a head out of step."""
    walk = _walk(AuditLog.objects.order_by("sequence").iterator(chunk_size=batch_size), keyring())
    problems = walk.problems
    if walk.unsealed_from is not None:
        problems.append(
            ChainProblem(
                walk.unsealed_from,
                f"les entrées n° {walk.unsealed_from} à {walk.last_sequence} ne sont scellées "
                "par aucune clé : chaîne réécrite sans la clé d'audit, ou migration core "
                "« audit_chain_seal » non appliquée",
            )
        )
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (
        head.last_sequence != walk.last_sequence or head.last_hash != walk.last_hash
    ):
        problems.append(
            ChainProblem(
                head.last_sequence,
                "les dernières entrées du journal ont été supprimées "
                f"(attendu jusqu'au n° {head.last_sequence}, trouvé {walk.last_sequence})",
            )
        )
    return problems


def verify_all() -> list[ChainProblem]:
    """The chain, then the heads recorded outside the database (what verify_audit_log runs)."""
    from core.audit_heads import verify_heads

    return verify_chain() + verify_heads()


def seal_legacy_chain(log_model, head_model):
    """Anchor the entries written before the key: append one sealed entry after them, which
    records how many there are, the last one's hash and whether they still verified.

    Does nothing when there is no legacy entry or when a sealed entry already follows them.
    Run by the migration ``core.0003_audit_chain_seal``; needs the key if there is work."""
    legacy = log_model.objects.filter(algorithm=LEGACY_ALGORITHM)
    if not legacy.exists() or log_model.objects.exclude(algorithm=LEGACY_ALGORITHM).exists():
        return None
    walk = _walk(log_model.objects.order_by("sequence").iterator(), {})
    return append(
        log_model,
        head_model,
        actor=None,
        actor_label="système",
        action="audit.chain_sealed",
        object_type="",
        object_id="",
        object_label="journal d'audit",
        before=None,
        after={
            "legacy_algorithm": LEGACY_ALGORITHM,
            "legacy_entries": walk.count,
            "legacy_last_sequence": walk.last_sequence,
            "legacy_last_hash": walk.last_hash,
            "legacy_problems": [f"n° {p.sequence} : {p.message}" for p in walk.problems],
        },
    )


def snapshot(instance, fields: list[str]) -> dict:
    """A JSON-ready dict of ``fields`` of ``instance``, for before/after values."""
    data = {}
    for name in fields:
        value = getattr(instance, name)
        data[name] = value.pk if hasattr(value, "pk") else value
    return data

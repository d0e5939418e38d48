"""Entries written before the key (plain SHA-256) keep their hashes and stay verifiable as the
legacy start of the chain; one sealed entry anchors them (docs/adr/0012-audit-chain-hmac.md)."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core import audit
from core.models import AuditChainHead, AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def heads_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def _legacy_entries(log_model, head_model, count=3, **extra):
    """The chain as the code before the key wrote it."""
    previous = audit.GENESIS_HASH
    for n in range(1, count + 1):
        entry = log_model(
            sequence=n,
            created_at=timezone.now(),
            actor_id=None,
            actor_label="système",
            action="test.legacy",
            object_type="",
            object_id="",
            object_label=f"ancienne {n}",
            before=None,
            after={"n": n},
            previous_hash=previous,
            **extra,
        )
        entry.hash = audit.legacy_hash(entry)
        entry.save()
        previous = entry.hash
    head_model.objects.update_or_create(
        pk=1, defaults={"last_sequence": count, "last_hash": previous}
    )
    return previous


def _sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=AuditLog._meta.db_table), params)


def test_seal_keeps_legacy_hashes_and_anchors_them(heads_storage):
    last_legacy = _legacy_entries(AuditLog, AuditChainHead, algorithm="sha256")
    legacy_hashes = list(AuditLog.objects.values_list("hash", flat=True))
    seal = audit.seal_legacy_chain(AuditLog, AuditChainHead)
    assert (seal.sequence, seal.action, seal.algorithm) == (
        4,
        "audit.chain_sealed",
        "hmac-sha256:dev",
    )
    assert seal.previous_hash == last_legacy
    assert seal.after == {
        "legacy_algorithm": "sha256",
        "legacy_entries": 3,
        "legacy_last_sequence": 3,
        "legacy_last_hash": last_legacy,
        "legacy_problems": [],
    }
    assert list(AuditLog.objects.filter(sequence__lte=3).values_list("hash", flat=True)) == (
        legacy_hashes
    )
    assert audit.verify_chain() == []
    # Run twice (migration re-applied): nothing more.
    assert audit.seal_legacy_chain(AuditLog, AuditChainHead) is None
    audit.record("test.after", label="Après")
    assert audit.verify_chain() == []


def test_legacy_entry_rewritten_after_the_seal_breaks_the_link():
    _legacy_entries(AuditLog, AuditChainHead, algorithm="sha256")
    audit.seal_legacy_chain(AuditLog, AuditChainHead)
    # Someone without the key rewrites entry 2 and rehashes the legacy part consistently.
    previous = audit.GENESIS_HASH
    for entry in AuditLog.objects.filter(sequence__lte=3).order_by("sequence"):
        entry.previous_hash = previous
        if entry.sequence == 2:
            entry.object_label = "falsifiée"
        entry.hash = audit.legacy_hash(entry)
        _sql(
            "UPDATE {table} SET object_label = %s, previous_hash = %s, hash = %s WHERE id = %s",
            [entry.object_label, entry.previous_hash, entry.hash, entry.pk],
        )
        previous = entry.hash
    assert [(p.sequence, p.message) for p in audit.verify_chain()] == [
        (4, "le lien vers l'entrée précédente est rompu")
    ]


def test_broken_legacy_chain_is_sealed_as_found_and_still_reported():
    _legacy_entries(AuditLog, AuditChainHead, algorithm="sha256")
    _sql("UPDATE {table} SET object_label = %s WHERE sequence = 2", ["falsifiée avant"])
    seal = audit.seal_legacy_chain(AuditLog, AuditChainHead)
    assert seal.after["legacy_problems"] == [
        "n° 2 : contenu modifié après écriture, ou empreinte calculée sans la bonne clé (sha256)"
    ]
    assert [p.sequence for p in audit.verify_chain()] == [2]


def test_seal_needs_the_key(settings):
    _legacy_entries(AuditLog, AuditChainHead, algorithm="sha256")
    settings.AUDIT_KEY = ""
    with pytest.raises(audit.AuditKeyMissing):
        audit.seal_legacy_chain(AuditLog, AuditChainHead)


@pytest.mark.django_db(transaction=True)
def test_migration_seals_an_existing_legacy_chain(heads_storage):
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([("core", "0001_initial")])
        old = executor.loader.project_state([("core", "0001_initial")]).apps
        last_legacy = _legacy_entries(
            old.get_model("core", "AuditLog"), old.get_model("core", "AuditChainHead")
        )
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
    finally:
        MigrationExecutor(connection).migrate(leaves)
    entries = list(AuditLog.objects.order_by("sequence"))
    assert [e.algorithm for e in entries] == ["sha256"] * 3 + ["hmac-sha256:dev"]
    assert entries[3].previous_hash == last_legacy
    assert entries[3].after["legacy_entries"] == 3
    assert audit.verify_all() == []
    [day_file] = (heads_storage / "audit-heads-tests").iterdir()
    head = json.loads(day_file.read_text())
    assert (head["sequence"], head["hash"], head["reason"]) == (4, entries[3].hash, "scellement")

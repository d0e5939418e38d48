import errno
import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.factories import UserFactory
from core import audit
from core.audit_heads import recorded_heads, write_head
from core.models import AuditChainHead, AuditLog

pytestmark = pytest.mark.django_db

KEY_V1 = "cle-v1-" + "a" * 40
KEY_V2 = "cle-v2-" + "b" * 40


@pytest.fixture
def heads_storage(settings, tmp_path):
    """Default storage in a temporary folder (the recorded heads live there)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture
def key_v1(settings):
    settings.AUDIT_KEY, settings.AUDIT_KEY_ID, settings.AUDIT_OLD_KEYS = KEY_V1, "v1", {}
    return settings


def _three_entries():
    user = UserFactory()
    for index in range(3):
        audit.record(
            "test.action", actor=user, obj=user, before={"n": index}, after={"n": index + 1}
        )
    return list(AuditLog.objects.order_by("sequence"))


def _sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=AuditLog._meta.db_table), params)


def _verify_fails(match):
    with pytest.raises(CommandError, match=match):
        call_command("verify_audit_log")


def test_entries_are_sealed_with_the_key_and_chained(key_v1, capsys):
    entries = _three_entries()
    assert [e.algorithm for e in entries] == ["hmac-sha256:v1"] * 3
    assert entries[0].previous_hash == "0" * 64
    assert entries[1].previous_hash == entries[0].hash
    # The seal is an HMAC under the key, not a plain hash of the same content.
    assert entries[0].hash != audit.legacy_hash(entries[0])
    assert audit.verify_chain() == []
    call_command("verify_audit_log")
    assert "Journal d'audit intègre : 3 entrée(s), 0 tête(s)" in capsys.readouterr().out


def test_development_and_tests_use_the_public_dev_key(settings):
    assert settings.AUDIT_KEY == settings.AUDIT_DEV_KEY
    assert audit.record("test.one", label="Un").algorithm == "hmac-sha256:dev"


def test_no_key_refuses_to_write(settings):
    settings.AUDIT_KEY = ""
    with pytest.raises(audit.AuditKeyMissing, match="PTCE_AUDIT_KEY n'est pas définie"):
        audit.record("test.one", label="Un")
    assert AuditLog.objects.count() == 0


def test_many_entries_at_once_continue_the_chain(django_assert_max_num_queries):
    entries = _three_entries()
    user = entries[0].actor
    with django_assert_max_num_queries(6):  # lock the head, one INSERT, move the head
        written = audit.record_many(
            [
                {"action": "test.bulk", "label": "Pôle A", "after": {"line": 2}},
                {"action": "test.bulk", "obj": user, "before": {"n": 1}},
            ],
            actor=user,
        )
    assert [entry.sequence for entry in written] == [4, 5]
    assert written[0].previous_hash == entries[-1].hash
    rows = list(AuditLog.objects.filter(action="test.bulk").order_by("sequence"))
    assert [(row.object_label, row.after, row.actor_id) for row in rows] == [
        ("Pôle A", {"line": 2}, user.pk),
        (str(user), None, user.pk),
    ]
    assert audit.verify_chain() == []
    audit.record("test.after", actor=user)
    assert audit.verify_chain() == []
    assert audit.record_many([]) == []


def test_orm_cannot_update_or_delete_entries():
    entry = _three_entries()[0]
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.update(action="x")


def test_modified_row_is_detected_at_that_row():
    entries = _three_entries()
    _sql("UPDATE {table} SET action = %s WHERE id = %s", ["falsified", entries[1].pk])
    problems = audit.verify_chain()
    assert [(p.sequence, p.message) for p in problems] == [
        (
            2,
            "contenu modifié après écriture, ou empreinte calculée sans la bonne clé "
            "(hmac-sha256:dev)",
        )
    ]
    _verify_fails(r"1 anomalie\(s\) sur 3 entrée\(s\) ; première anomalie à l'entrée n° 2")


def _rebuild_with_plain_sha256(algorithm_label):
    """What someone who can write to the database, but has no key, can do: recompute every
    hash (plain SHA-256) after changing a row, and fix the head row."""
    previous = audit.GENESIS_HASH
    for entry in AuditLog.objects.order_by("sequence"):
        entry.previous_hash = previous
        entry.algorithm = algorithm_label
        if entry.sequence == 2:
            entry.action = "falsified"
        payload = {**audit._payload(entry)}
        if algorithm_label != audit.LEGACY_ALGORITHM:
            payload["algorithm"] = algorithm_label
        entry.hash = hashlib.sha256(audit._canonical(payload).encode()).hexdigest()
        _sql(
            "UPDATE {table} SET action = %s, previous_hash = %s, hash = %s, algorithm = %s "
            "WHERE id = %s",
            [entry.action, entry.previous_hash, entry.hash, entry.algorithm, entry.pk],
        )
        previous = entry.hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=previous)


def test_chain_rebuilt_with_plain_sha256_under_the_key_label_fails(key_v1):
    _three_entries()
    _rebuild_with_plain_sha256("hmac-sha256:v1")
    problems = audit.verify_chain()
    assert problems[0].sequence == 1
    assert "aucune des 3 entrées scellées par la clé « v1 » ne se vérifie" in problems[0].message
    assert [p.sequence for p in problems[1:]] == [1, 2, 3]
    _verify_fails("première anomalie à l'entrée n° 1")


def test_chain_rebuilt_as_legacy_entries_fails(key_v1):
    _three_entries()
    _rebuild_with_plain_sha256(audit.LEGACY_ALGORITHM)
    [problem] = audit.verify_chain()
    assert problem.sequence == 1
    assert "les entrées n° 1 à 3 ne sont scellées par aucune clé" in problem.message


def test_legacy_entry_after_sealed_ones_fails(key_v1):
    entries = _three_entries()
    last = entries[2]
    last.algorithm = audit.LEGACY_ALGORITHM
    _sql(
        "UPDATE {table} SET algorithm = %s, hash = %s WHERE id = %s",
        [last.algorithm, audit.legacy_hash(last), last.pk],
    )
    AuditChainHead.objects.filter(pk=1).update(last_hash=audit.legacy_hash(last))
    messages = [(p.sequence, p.message) for p in audit.verify_chain()]
    assert (
        3,
        "entrée sans clé après le début de la chaîne scellée : réécrite sans la clé d'audit",
    ) in messages


def test_wrong_key_fails_loudly_naming_the_first_entry(key_v1, capsys):
    _three_entries()
    key_v1.AUDIT_KEY = "une-autre-cle-" + "z" * 40
    with pytest.raises(CommandError) as error:
        call_command("verify_audit_log")
    assert str(error.value).startswith(
        "Journal d'audit altéré : 4 anomalie(s) sur 3 entrée(s) ; première anomalie à "
        "l'entrée n° 1 : aucune des 3 entrées scellées par la clé « v1 » ne se vérifie : la clé "
        "configurée (PTCE_AUDIT_KEY ou PTCE_AUDIT_OLD_KEYS) n'est pas celle qui les a scellées"
    )
    assert "Entrée n° 1 : aucune des 3 entrées" in capsys.readouterr().err


def test_unknown_key_id_is_named(key_v1):
    _three_entries()
    key_v1.AUDIT_KEY, key_v1.AUDIT_KEY_ID = KEY_V2, "v2"
    problems = audit.verify_chain()
    assert [p.sequence for p in problems] == [1, 2, 3]
    assert problems[0].message == (
        "scellée par la clé « v1 », inconnue ici : ajoutez-la à PTCE_AUDIT_OLD_KEYS"
    )


def test_rotation_old_entries_verify_with_the_old_key_new_with_the_new(key_v1):
    _three_entries()
    key_v1.AUDIT_KEY, key_v1.AUDIT_KEY_ID, key_v1.AUDIT_OLD_KEYS = KEY_V2, "v2", {"v1": KEY_V1}
    audit.record("test.after_rotation", label="Après")
    entries = list(AuditLog.objects.order_by("sequence"))
    assert [e.algorithm for e in entries] == ["hmac-sha256:v1"] * 3 + ["hmac-sha256:v2"]
    assert entries[3].previous_hash == entries[2].hash  # the chain goes on
    assert audit.verify_chain() == []
    # The old key changed: only the entries it sealed fail.
    key_v1.AUDIT_OLD_KEYS = {"v1": "pas-la-bonne-" + "c" * 40}
    assert [p.sequence for p in audit.verify_chain()] == [1, 1, 2, 3]


def test_deleted_row_in_the_middle_is_detected():
    entries = _three_entries()
    _sql("DELETE FROM {table} WHERE id = %s", [entries[1].pk])
    messages = [p.message for p in audit.verify_chain()]
    assert "entrée(s) n° 2 à 2 manquante(s)" in messages[0]
    assert "le lien vers l'entrée précédente est rompu" in messages


def test_deleted_last_row_is_detected():
    entries = _three_entries()
    _sql("DELETE FROM {table} WHERE id = %s", [entries[-1].pk])
    [problem] = audit.verify_chain()
    assert "supprimées" in problem.message


# ---------------------------------------------------------------------- recorded heads


def test_head_is_written_to_the_logs_and_to_a_file_per_day(heads_storage, caplog):
    entries = _three_entries()
    with caplog.at_level("INFO", logger="ptce.audit"):
        line = write_head()
    assert (line["sequence"], line["hash"], line["algorithm"]) == (
        3,
        entries[2].hash,
        "hmac-sha256:dev",
    )
    assert f"entrée n° 3, empreinte {entries[2].hash}" in caplog.text
    audit.record("test.four", label="Quatre")
    write_head()
    [day_file] = (heads_storage / "audit-heads-tests").iterdir()
    assert day_file.name.endswith(".jsonl")
    lines = [json.loads(text) for text in day_file.read_text().splitlines()]
    assert [item["sequence"] for item in lines] == [3, 4]
    assert len(recorded_heads()[0]) == 2


def test_head_job_runs_every_hour(heads_storage):
    from datetime import timedelta

    from core import periodic
    from core.tasks import write_audit_head

    jobs = {job.name: job for job in periodic.registered_jobs()}
    job = jobs["core.write_audit_head"]
    assert (job.task_path, job.every) == ("core.tasks.write_audit_head", timedelta(hours=1))
    _three_entries()
    result = write_audit_head.enqueue()
    assert result.return_value["sequence"] == 3


def test_verify_checks_recorded_heads(heads_storage, capsys):
    _three_entries()
    write_head()
    call_command("verify_audit_log")
    assert "3 entrée(s), 1 tête(s) enregistrée(s) concordante(s)" in capsys.readouterr().out


def test_truncated_chain_with_head_row_fixed_fails_on_the_recorded_head(heads_storage):
    """Delete the last entry and fix the head row: the chain alone looks intact."""
    entries = _three_entries()
    write_head()
    _sql("DELETE FROM {table} WHERE id = %s", [entries[2].pk])
    AuditChainHead.objects.filter(pk=1).update(last_sequence=2, last_hash=entries[1].hash)
    assert audit.verify_chain() == []
    [problem] = audit.verify_all()
    assert problem.sequence == 3
    assert problem.message.endswith(": l'entrée a disparu du journal")
    _verify_fails("première anomalie à l'entrée n° 3 : tête enregistrée le")


def test_head_file_mismatch_fails(heads_storage):
    _three_entries()
    write_head()
    [day_file] = (heads_storage / "audit-heads-tests").iterdir()
    line = json.loads(day_file.read_text())
    line["hash"] = "f" * 64
    day_file.write_text(json.dumps(line) + "\n")
    [problem] = audit.verify_all()
    assert problem.sequence == 3
    assert "l'empreinte ne correspond plus, la chaîne a été réécrite depuis" in problem.message
    _verify_fails("première anomalie à l'entrée n° 3")


def test_unreadable_head_line_is_reported(heads_storage):
    _three_entries()
    write_head()
    default_storage.save("audit-heads-tests/2026-01-01.jsonl", ContentFile(b"{oups\n"))
    [problem] = audit.verify_all()
    assert problem.message == (
        "tête enregistrée illisible : audit-heads-tests/2026-01-01.jsonl, ligne 1"
    )


class _FullDisk(FileSystemStorage):
    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")


class _Unreachable(FileSystemStorage):
    def listdir(self, path):
        raise OSError(errno.EHOSTUNREACH, "No route to host")


def _storage(settings, backend, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": backend, "OPTIONS": {"location": str(tmp_path)}},
    }


def test_head_on_a_full_disk_is_still_logged_and_the_job_fails(settings, tmp_path, caplog):
    _storage(settings, f"{__name__}._FullDisk", tmp_path)
    _three_entries()
    with caplog.at_level("INFO", logger="ptce.audit"), pytest.raises(OSError):
        write_head()
    assert "Tête du journal d'audit : entrée n° 3" in caplog.text
    assert "non enregistrée dans le stockage" in caplog.text


def test_unreadable_heads_storage_fails_the_check(settings, tmp_path):
    _storage(settings, f"{__name__}._Unreachable", tmp_path)
    _three_entries()
    [problem] = audit.verify_all()
    assert problem.message.startswith("têtes enregistrées illisibles dans le stockage")
    _verify_fails("première anomalie : têtes enregistrées illisibles")

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.factories import UserFactory
from core import audit
from core.models import AuditLog

pytestmark = pytest.mark.django_db


def _three_entries():
    user = UserFactory()
    for index in range(3):
        audit.record(
            "test.action", actor=user, obj=user, before={"n": index}, after={"n": index + 1}
        )
    return list(AuditLog.objects.order_by("sequence"))


def test_entries_are_chained():
    entries = _three_entries()
    assert entries[0].previous_hash == "0" * 64
    assert entries[1].previous_hash == entries[0].hash
    assert audit.verify_chain() == []
    call_command("verify_audit_log")


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


def test_modified_row_is_detected():
    entries = _three_entries()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditLog._meta.db_table} SET action = %s WHERE id = %s",
            ["falsified", entries[1].pk],
        )
    problems = audit.verify_chain()
    assert [(p.sequence, p.message) for p in problems] == [
        (entries[1].sequence, "contenu modifié après écriture")
    ]
    with pytest.raises(CommandError, match="Journal d'audit altéré"):
        call_command("verify_audit_log")


def test_deleted_row_in_the_middle_is_detected():
    entries = _three_entries()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditLog._meta.db_table} WHERE id = %s", [entries[1].pk])
    messages = [p.message for p in audit.verify_chain()]
    assert "entrée(s) n° 2 à 2 manquante(s)" in messages[0]
    assert "le lien vers l'entrée précédente est rompu" in messages


def test_deleted_last_row_is_detected():
    entries = _three_entries()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditLog._meta.db_table} WHERE id = %s", [entries[-1].pk])
    [problem] = audit.verify_chain()
    assert "supprimées" in problem.message

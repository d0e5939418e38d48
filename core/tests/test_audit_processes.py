"""The audit chain across real processes: concurrent writers (one chain, on SQLite's file
database with ``BEGIN IMMEDIATE``, and on PostgreSQL with ``SELECT … FOR UPDATE``), and the exit
status of ``verify_audit_log`` with a wrong key, as an operator or a cron job sees it."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections

from core import audit
from core.models import AuditLog

ROOT = Path(__file__).resolve().parents[2]
KEY = "cle-des-processus-" + "p" * 40


@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audit-processes")
    env = {
        **os.environ,
        "PTCE_TESTING": "1",
        "DATABASE_URL": f"sqlite:///{folder / 'audit.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "PTCE_AUDIT_KEY": KEY,
    }
    env.pop("PTCE_AUDIT_KEY_ID", None)
    env.pop("PTCE_AUDIT_OLD_KEYS", None)
    migrated = _manage(env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    return env


def _command(*args):
    return [sys.executable, "manage.py", *args]


def _manage(env, *args):
    return subprocess.run(
        _command(*args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


WRITE = (
    "from core import audit\nfor i in range(50):\n    audit.record('test.concurrent', label=str(i))"
)


def test_separate_processes_on_sqlite_form_one_chain(sqlite_file):
    writers = [
        subprocess.Popen(
            _command("shell", "-c", WRITE),
            cwd=ROOT,
            env=sqlite_file,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for writer in writers:
        _, stderr = writer.communicate(timeout=300)
        assert writer.returncode == 0, stderr
    verified = _manage(sqlite_file, "verify_audit_log")
    assert verified.returncode == 0, verified.stderr
    assert "Journal d'audit intègre : 200 entrée(s)" in verified.stdout


def test_wrong_key_makes_verify_audit_log_exit_non_zero(sqlite_file):
    written = _manage(sqlite_file, "shell", "-c", "from core import audit; audit.record('x.y')")
    assert written.returncode == 0, written.stderr
    assert _manage(sqlite_file, "verify_audit_log").returncode == 0
    wrong = _manage(
        {**sqlite_file, "PTCE_AUDIT_KEY": "mauvaise-cle-" + "y" * 40}, "verify_audit_log"
    )
    assert wrong.returncode == 1
    assert "Journal d'audit altéré" in wrong.stderr
    assert "première anomalie à l'entrée n° 1 : aucune des" in wrong.stderr
    assert "clé « v1 » ne se vérifie" in wrong.stderr


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_form_one_chain():
    if connection.vendor == "sqlite" and "mode=memory" in str(
        connection.settings_dict.get("NAME", "")
    ):
        pytest.skip("Base SQLite en mémoire : accès concurrent testé par des processus ci-dessus.")
    barrier = threading.Barrier(8)
    errors = []

    def write(n):
        try:
            barrier.wait(timeout=10)
            for i in range(10):
                audit.record("test.concurrent", label=f"{n}-{i}")
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(AuditLog.objects.values_list("sequence", flat=True)) == list(range(1, 81))
    assert audit.verify_chain() == []

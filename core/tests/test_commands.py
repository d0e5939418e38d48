import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_load_demo_is_idempotent():
    call_command("load_demo", stdout=StringIO())
    first = User.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert User.objects.count() == first
    assert set(User.objects.values_list("role", flat=True)) == {
        "candidate",
        "regional_reviewer",
        "regional_cell_lead",
        "national_cell",
        "committee",
        "programme_admin",
    }


@pytest.mark.parametrize(
    "url, expected",
    [
        ("mysql2://nope", "Configuration incorrecte : DATABASE_URL"),
        ("postgres://postgres@127.0.0.1:1/ptce", "Base de données injoignable"),
    ],
)
def test_wrong_database_url_gives_a_one_line_explanation(url, expected):
    env = {**os.environ, "DATABASE_URL": url, "PTCE_TESTING": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(expected)
    assert "Traceback" not in result.stderr


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-for-the-check-only-0123456789",
        "DJANGO_ALLOWED_HOSTS": "ptce.example.gouv.fr",
        "PTCE_TESTING": "",
        "PTCE_AUDIT_KEY": "audit-key-for-the-check-only-" + "k" * 30,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("audit_key", "check_id"), [("", "ptce.W040"), ("trop-courte", "ptce.W041")]
)
def test_check_deploy_warns_without_a_real_audit_key(audit_key, check_id):
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-for-the-check-only-0123456789",
        "DJANGO_ALLOWED_HOSTS": "ptce.example.gouv.fr",
        "PTCE_TESTING": "",
        "PTCE_AUDIT_KEY": audit_key,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"({check_id}) PTCE_AUDIT_KEY" in result.stderr + result.stdout

"""The `make run` launcher (scripts/dev_server.py): the environment it gives the server and the
worker, and the box it prints once the server answers."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def dev_server():
    spec = importlib.util.spec_from_file_location("dev_server", ROOT / "scripts/dev_server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_children_serve_the_address_and_write_e_mails_to_var_log(dev_server):
    env = dev_server.child_environment("127.0.0.1:8123", {"PATH": "/usr/bin"})
    assert env["HOST"] == "127.0.0.1" and env["PORT"] == "8123"
    assert env["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert env["EMAIL_FILE_PATH"] == str(ROOT / "var" / "log" / "courriels")
    assert env["PATH"] == "/usr/bin"
    assert "PTCE_SITE_URL" not in env  # settings derive it from HOST/PORT


def test_a_chosen_e_mail_backend_and_site_url_are_kept(dev_server):
    env = dev_server.child_environment(
        "0.0.0.0:8000",  # noqa: S104
        {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "PTCE_SITE_URL": "https://ptce.exemple.gouv.fr",
        },
    )
    assert env["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert "EMAIL_FILE_PATH" not in env
    assert env["PTCE_SITE_URL"] == "https://ptce.exemple.gouv.fr"
    assert env["HOST"] == "0.0.0.0"  # noqa: S104


def test_split_address(dev_server):
    assert dev_server.split_address("127.0.0.1:8000") == ("127.0.0.1", "8000")
    assert dev_server.split_address("[::1]:8123") == ("::1", "8123")
    assert dev_server.split_address("8123") == ("127.0.0.1", "8123")


def test_banner(dev_server):
    box = dev_server.banner(
        "127.0.0.1:8123",
        "http://127.0.0.1:8123",
        "django.core.mail.backends.filebased.EmailBackend",
    )
    lines = box.splitlines()
    assert lines[0].startswith("┌") and lines[-1].startswith("└")
    assert len({len(line) for line in lines}) == 1  # a closed box
    text = "\n".join(line.strip("│ ") for line in lines)
    assert "Plateforme PTCE : http://127.0.0.1:8123/   (Ctrl+C pour arrêter)" in text
    assert "Liens des courriels et agendas : http://127.0.0.1:8123" in text
    assert "mot de passe « Demo-PTCE-2026! »" in text
    # One account per role, with the role's French label.
    for email, label in [
        ("porteur@demo.ptce.fr", "Porteur de projet"),
        ("instructeur.ara@demo.ptce.fr", None),
        ("admin@demo.ptce.fr", None),
    ]:
        assert email in text
        if label:
            assert label.lower() in text.lower()
    assert "porteuse2@demo.ptce.fr" not in text
    assert "manage.py demo_otp_code ADRESSE" in text
    assert "Journaux : var/log/worker.log (tâches de fond)" in text
    assert "Courriels : var/log/courriels/ (un fichier par courriel)" in text
    assert len(lines) <= 20  # short


def test_banner_names_another_e_mail_backend(dev_server):
    box = dev_server.banner("127.0.0.1:8000", "", "django.core.mail.backends.console.EmailBackend")
    assert "selon EMAIL_BACKEND (django.core.mail.backends.console.EmailBackend)" in box
    assert "Liens des courriels" not in box

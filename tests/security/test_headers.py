"""Security headers on the page types the matrix does not reach (error pages, static files,
admin), production settings (HSTS, cookies) and ``check --deploy`` in production mode.

Every route × role × method of the matrix is checked for the same headers
(tests/security/test_authorization_matrix.py, ``header_problems``)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import path

from tests.security.headers import header_problems

BASE = Path(__file__).resolve().parents[2]


def _boom(request):
    raise RuntimeError("panne simulée")


def _database_lost(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [  # added to the project's in _urlconf_with_handlers
    path("panne/", _boom),
    path("base-perdue/", _database_lost),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/cette-page-n-existe-pas/", 404),
        ("/compte/deconnexion/", 405),
        ("/compte/confirmer/jeton-inconnu/", 400),
        ("/admin/login/", 200),
        ("/api/v1/ptce", 200),
        ("/donnees-ouvertes/ptce.csv", 200),
    ],
)
def test_headers_on_error_and_special_pages(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert header_problems(response) == []


def test_headers_on_csrf_failure_page():
    response = Client(enforce_csrf_checks=True).post("/compte/connexion/", {"username": "x"})
    assert response.status_code == 403
    assert header_problems(response) == []


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "status"), [("/panne/", 500), ("/base-perdue/", 503)])
def test_headers_on_server_error_pages(url, status):
    import ptce.urls

    with override_settings(ROOT_URLCONF=_urlconf_with_handlers(ptce.urls)):
        response = Client(raise_request_exception=False).get(url)
    assert response.status_code == status
    assert header_problems(response) == []


def _urlconf_with_handlers(project_urls):
    """The project's routes and error handlers, plus this module's two failing views."""
    import types

    module = types.ModuleType("tests.security._failing_urls")
    module.urlpatterns = [*urlpatterns, *project_urls.urlpatterns]
    module.handler500 = project_urls.handler500
    sys.modules[module.__name__] = module
    return module.__name__


def test_static_files_are_not_sniffed(client, settings):
    response = client.get(f"{settings.STATIC_URL}css/ptce.css")
    if response.streaming:
        b"".join(response.streaming_content)  # the client closes the file at the end
    else:
        response.close()
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_production_headers_and_cookies(settings):
    """With the production values: HSTS on HTTPS responses, Secure + HttpOnly + SameSite
    session and CSRF cookies (read from the real settings module in production mode in
    ``test_production_settings`` below)."""
    from accounts.factories import UserFactory

    with override_settings(
        SECURE_HSTS_SECONDS=31536000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=True,
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
    ):
        client = Client()
        page = client.get("/compte/connexion/", secure=True)
        assert page["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
        csrf = page.cookies[settings.CSRF_COOKIE_NAME]
        assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
        user = UserFactory(email="camille@exemple.fr")
        user.set_password("Un-mot-de-passe-solide-42")
        user.save()
        signed_in = client.post(
            "/compte/connexion/",
            {"username": "camille@exemple.fr", "password": "Un-mot-de-passe-solide-42"},
            secure=True,
        )
        assert signed_in.status_code == 302
        session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
        assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def _production_env():
    env = {k: v for k, v in os.environ.items() if k not in {"PTCE_TESTING", "DJANGO_DEBUG"}}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="prod-" + "x7Q!k2#Lm9" * 6,
        DJANGO_ALLOWED_HOSTS="ptce.exemple.gouv.fr",
        DATABASE_URL="sqlite:////tmp/ptce-check-deploy.sqlite3",
        PTCE_AUDIT_KEY="audit-" + "Zq8#pW3k" * 6,
    )
    return env


def test_check_deploy_is_clean_in_production_mode():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings():
    code = (
        "import json, django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'ptce.settings'); django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ["
        "'DEBUG', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT',"
        "'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE',"
        "'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY', 'CSRF_COOKIE_SAMESITE',"
        "'SESSION_COOKIE_NAME', 'CSRF_COOKIE_NAME', 'X_FRAME_OPTIONS']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "X_FRAME_OPTIONS": "DENY",
    }


def test_production_refuses_a_weak_secret_key():
    env = _production_env() | {"DJANGO_SECRET_KEY": "court"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "50 caractères" in result.stderr

"""Structured JSON logs with a request id (PTCE_LOG_FORMAT=json, core/requestid.py)."""

import io
import json
import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from ptce.observability import logging_config

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_logs():
    """Logging configured as in production with PTCE_LOG_FORMAT=json, its console handler
    writing to a buffer; returns a function giving the JSON lines written so far."""
    logging.config.dictConfig(logging_config("json", "INFO"))
    buffer = io.StringIO()
    (handler,) = logging.getLogger().handlers
    handler.setStream(buffer)

    def lines():
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line]

    with override_settings(PTCE_LOG_REQUESTS=True):
        yield lines
    logging.config.dictConfig(settings.LOGGING)


def test_every_line_of_a_request_carries_its_id(client, json_logs):
    response = client.get("/page-inexistante/", headers={"X-Request-ID": "proxy-1234abcd"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "proxy-1234abcd"
    lines = json_logs()
    # Django logs the 404 once every middleware has returned: the id still follows.
    assert [line["logger"] for line in lines] == ["ptce.request", "django.request"]
    assert {line["request_id"] for line in lines} == {"proxy-1234abcd"}
    request, warning = lines
    assert warning["level"] == "WARNING" and warning["message"].startswith("Not Found")
    assert request["level"] == "INFO"
    assert request["method"] == "GET" and request["status"] == 404
    assert request["duration_ms"] >= 0
    assert "timestamp" in request


def test_request_line_names_the_route_never_the_path(client, json_logs):
    client.get("/compte/mot-de-passe/MQ/jeton-secret/")
    (line,) = [line for line in json_logs() if line["logger"] == "ptce.request"]
    assert line["view"] == "accounts:password_reset_confirm"
    assert "jeton-secret" not in json.dumps(line)
    assert "<token>" in line["route"]


@pytest.mark.parametrize(
    "incoming",
    [
        "",
        "court",
        "a" * 129,
        "id avec espaces",
        "id\ninjecté-12345678",
        "<script>alert(1)</script>",
    ],
)
def test_malformed_incoming_id_is_replaced(client, incoming):
    response = client.get("/sante/", headers={"X-Request-ID": incoming} if incoming else {})
    generated = response["X-Request-ID"]
    assert generated != incoming and len(generated) == 32 and generated.isalnum()


def test_each_request_gets_its_own_id(client):
    first = client.get("/sante/")["X-Request-ID"]
    second = client.get("/sante/")["X-Request-ID"]
    assert first != second


def test_lines_outside_a_request_have_no_id(json_logs):
    logging.getLogger("core.tasks").warning("Hors requête")
    (line,) = json_logs()
    assert line["request_id"] is None and line["message"] == "Hors requête"


def test_unknown_format_is_refused():
    with pytest.raises(ImproperlyConfigured, match="PTCE_LOG_FORMAT"):
        logging_config("xml")


def test_environment_variable_switches_json_on():
    """The real switch, in a fresh process: PTCE_LOG_FORMAT=json."""
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('essai').warning('bonjour %s', 'Camille')"
    )
    env = {**os.environ, "PTCE_LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "ptce.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "bonjour Camille"
    assert line["logger"] == "essai" and line["level"] == "WARNING"
    assert line["request_id"] is None


def test_an_error_is_logged_with_its_request_id_and_traceback(json_logs):
    from unittest import mock

    from django.test import Client

    client = Client(raise_request_exception=False)
    with mock.patch("core.views.HomeView.get_context_data", side_effect=RuntimeError("boum")):
        response = client.get("/", headers={"X-Request-ID": "erreur-5678efgh"})
    assert response.status_code == 500
    (error,) = [line for line in json_logs() if line["logger"] == "django.request"]
    assert error["level"] == "ERROR" and error["request_id"] == "erreur-5678efgh"
    assert "RuntimeError: boum" in error["exc_info"]
    assert response["X-Request-ID"] == "erreur-5678efgh"

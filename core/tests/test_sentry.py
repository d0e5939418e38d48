"""Optional Sentry (SENTRY_DSN): nothing personal leaves — no e-mail address, cookie, request
body or user name. Events are caught by a transport that keeps them (no network)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import sentry_sdk
from sentry_sdk.transport import Transport

from ptce.observability import EMAIL_MASK, init_sentry, scrub_event, sentry_options

ROOT = Path(__file__).resolve().parents[2]
DSN = "https://cle-publique@sentry.example.invalid/42"
EMAIL = "camille.dupont@example.org"
# Far from the frames captured below: their source lines are sent as context.
USER = {"id": 7, "email": EMAIL, "username": "cdupont", "name": "Camille Dupont"}


class KeepEvents(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        self.events.extend(item.payload.json for item in envelope.items if item.type == "event")


def test_no_dsn_no_sentry():
    assert init_sentry({}, "production") is False
    assert init_sentry({"SENTRY_DSN": "  "}, "production") is False
    assert not sentry_sdk.get_client().is_active()


def test_exception_with_an_email_address_leaves_without_it():
    transport = KeepEvents()
    options = sentry_options(DSN, environment="test")
    assert options["data_collection"]["user_info"] is False  # send_default_pii=False
    client = sentry_sdk.Client(transport=transport, default_integrations=False, **options)
    with sentry_sdk.isolation_scope() as scope:
        scope.set_client(client)
        scope.set_user(USER)
        scope.set_extra("destinataire", EMAIL)
        sentry_sdk.add_breadcrumb(message=f"courriel envoyé à {EMAIL}")
        try:
            raise ValueError(f"Adresse refusée : {EMAIL}")
        except ValueError:
            sentry_sdk.capture_exception()
    client.flush()
    (event,) = transport.events
    text = json.dumps(event, ensure_ascii=False)
    assert EMAIL not in text and "camille" not in text.lower() and "Dupont" not in text
    assert event["exception"]["values"][0]["value"] == f"Adresse refusée : {EMAIL_MASK}"
    assert event["user"] == {"id": 7}
    assert event["extra"]["destinataire"] == EMAIL_MASK


def test_request_cookies_body_and_identifying_headers_are_dropped():
    event = {
        "request": {
            "url": "https://ptce.exemple.gouv.fr/compte/",
            "method": "POST",
            "cookies": {"sessionid": "secret"},
            "data": {"email": EMAIL, "password": "x"},
            "query_string": f"email={EMAIL}",
            "env": {"REMOTE_ADDR": "203.0.113.9"},
            "headers": {
                "Cookie": "sessionid=secret",
                "Authorization": "Bearer jeton",
                "X-Forwarded-For": "203.0.113.9",
                "User-Agent": "Firefox",
                "Referer": f"https://exemple.org/?a={EMAIL}",
            },
        },
        "logentry": {"message": f"Échec pour {EMAIL}", "params": [EMAIL]},
    }
    scrubbed = scrub_event(event)
    assert scrubbed["request"] == {
        "url": "https://ptce.exemple.gouv.fr/compte/",
        "method": "POST",
        "headers": {"User-Agent": "Firefox", "Referer": f"https://exemple.org/?a={EMAIL_MASK}"},
    }
    assert scrubbed["logentry"] == {
        "message": f"Échec pour {EMAIL_MASK}",
        "params": [EMAIL_MASK],
    }


SCRIPT = f"""
import io, json, django
from unittest import mock
from wsgiref.util import setup_testing_defaults
django.setup()
import sentry_sdk
from django.conf import settings
from sentry_sdk.transport import Transport

events = []
class Keep(Transport):
    def capture_envelope(self, envelope):
        events.extend(i.payload.json for i in envelope.items if i.type == "event")

assert settings.SENTRY_ENABLED
client = sentry_sdk.get_client()
client.transport = Keep(client.options)
from ptce.wsgi import application

body = "email={EMAIL}&nom=Dupont".encode()
csrf = "a" * 32
environ = {{
    "REQUEST_METHOD": "POST", "PATH_INFO": "/", "QUERY_STRING": "email={EMAIL}",
    "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
    "wsgi.input": io.BytesIO(body), "HTTP_X_CSRFTOKEN": csrf,
    "HTTP_COOKIE": "csrftoken=" + csrf + "; preferences={EMAIL}",
    "HTTP_X_FORWARDED_FOR": "203.0.113.9", "HTTP_USER_AGENT": "Firefox",
}}
setup_testing_defaults(environ)
statuses = []
error = ValueError("Refus : {EMAIL}")
with mock.patch("core.views.HomeView.post", create=True, side_effect=error):
    b"".join(application(environ, lambda status, headers, *a: statuses.append(status)))
client.flush()
print(json.dumps({{"status": statuses[0], "events": events}}))
"""


def test_settings_start_sentry_from_the_environment_and_a_django_error_is_scrubbed(tmp_path):
    """End to end in a fresh process: SENTRY_DSN set, a view fails with an e-mail address in
    its message, a cookie and a request body holding one: the event sent has none of them."""
    env = {
        key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "DJANGO_ENV"}
    }
    env.update(
        PTCE_TESTING="1",
        SENTRY_DSN=DSN,
        DJANGO_SETTINGS_MODULE="ptce.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'sentry.sqlite3'}",
        DJANGO_DEBUG="0",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout.strip().splitlines()[-1])
    assert output["status"].startswith("500")
    (event,) = output["events"]
    text = json.dumps(event, ensure_ascii=False)
    assert EMAIL not in text
    assert event["exception"]["values"][0]["value"] == f"Refus : {EMAIL_MASK}"
    assert "Dupont" not in text and "203.0.113.9" not in text
    request = event["request"]
    assert request["method"] == "POST" and request["url"] == "http://127.0.0.1/"
    assert not {"cookies", "data", "query_string", "env"} & set(request)
    assert request["headers"]["User-Agent"] == "Firefox"
    assert not {"Cookie", "X-Csrftoken", "X-Forwarded-For"} & set(request["headers"])

"""PTCE_SITE_URL, else the address `make run` serves (HOST/PORT): the links of e-mails and .ics."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ptce.env import site_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8101"}, "http://127.0.0.1:8101"),
        ({"HOST": "localhost", "PORT": "8123"}, "http://localhost:8123"),
        ({"HOST": "0.0.0.0", "PORT": "8000"}, "http://127.0.0.1:8000"),  # noqa: S104
        ({"HOST": "::", "PORT": "8000"}, "http://localhost:8000"),
        ({"HOST": "::1", "PORT": "8000"}, "http://[::1]:8000"),
        ({"HOST": "ptce.local", "PORT": "80"}, "http://ptce.local"),
        ({"HOST": "", "PORT": ""}, "http://127.0.0.1:8000"),
        (
            {"PTCE_SITE_URL": "https://ptce.exemple.gouv.fr/", "PORT": "8101"},
            "https://ptce.exemple.gouv.fr",
        ),
        ({"PTCE_SITE_URL": "  ", "PORT": "8101"}, "http://127.0.0.1:8101"),
    ],
)
def test_site_url_rule(environ, expected):
    assert site_url(environ) == expected


def _settings_site_url(**variables) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"PTCE_SITE_URL", "HOST", "PORT"}}
    env.update(variables)
    result = subprocess.run(
        [sys.executable, "-c", "from ptce import settings; print(settings.SITE_URL)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_settings_follow_the_served_port_unless_the_site_url_is_set():
    assert _settings_site_url(HOST="127.0.0.1", PORT="8101") == "http://127.0.0.1:8101"
    assert (
        _settings_site_url(HOST="127.0.0.1", PORT="8101", PTCE_SITE_URL="https://ptce.gouv.fr")
        == "https://ptce.gouv.fr"
    )


@pytest.mark.django_db
def test_calendar_links_follow_the_served_port(settings):
    from events.factories import EventFactory
    from events.ics import event_url

    settings.SITE_URL = site_url({"HOST": "127.0.0.1", "PORT": "8101"})
    event = EventFactory()
    assert event_url(event) == "http://127.0.0.1:8101" + event.get_absolute_url()

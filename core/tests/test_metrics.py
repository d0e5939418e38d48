"""Prometheus metrics at /sante/metriques/: bearer token rules and content."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from core.models import Heartbeat, OutboundEmail

pytestmark = pytest.mark.django_db

URL = "/sante/metriques/"
TOKEN = "jeton-de-supervision-0123456789abcdef"
WITH_TOKEN = override_settings(PTCE_METRICS_TOKEN=TOKEN)


def sample(text: str, name: str, labels: str = "") -> float:
    """The value of the series ``name{labels}`` in an exposition text."""
    prefix = f"{name}{{{labels}}} " if labels else f"{name} "
    lines = [line for line in text.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, f"{prefix!r} absent ou en double"
    return float(lines[0].rsplit(" ", 1)[1])


@override_settings(PTCE_METRICS_TOKEN="")
def test_no_token_configured_means_no_page(client):
    assert client.get(URL).status_code == 404
    assert client.get(URL, headers={"Authorization": "Bearer "}).status_code == 404


@WITH_TOKEN
@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer mauvais-jeton", f"Basic {TOKEN}", f"Bearer {TOKEN}x", TOKEN],
)
def test_missing_or_wrong_token_is_refused(client, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.get(URL, headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metriques"'
    assert response.json() == {"detail": "Jeton d’accès aux métriques absent ou invalide."}


@WITH_TOKEN
def test_token_is_compared_in_constant_time(client, monkeypatch):
    import hmac

    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    assert client.get(URL, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert calls == [(TOKEN.encode(), TOKEN.encode())]


@WITH_TOKEN
@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    PTCE_WORKER_HEARTBEAT_TIMEOUT=300,
)
def test_metrics_content(client):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    Heartbeat.objects.create(name="worker", beat_at=timezone.now() - timedelta(seconds=42))
    for _ in range(3):
        OutboundEmail.objects.create(
            to=["camille@example.org"],
            subject="Objet",
            body="Texte",
            next_attempt_at=timezone.now(),
        )
    for status in [TaskResultStatus.READY, TaskResultStatus.READY, TaskResultStatus.FAILED]:
        DBTaskResult.objects.create(
            status=status,
            finished_at=timezone.now() if status == TaskResultStatus.FAILED else None,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="core.tasks.send_due_emails",
            backend_name="default",
            run_after=timezone.now() - timedelta(minutes=1),
        )
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = client.get(URL, headers=auth).content.decode()
    client.get("/sante/")
    client.get("/page-inexistante/")
    response = client.get(URL, headers=auth)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    text = response.content.decode()

    # platform gauges, computed at scrape time
    assert sample(text, "ptce_ready") == 1
    assert sample(text, "ptce_readiness_check_ok", 'check="worker"') == 1
    assert sample(text, "ptce_outbox_pending_emails") == 3
    assert sample(text, "ptce_outbox_oldest_pending_age_seconds") < 5
    assert sample(text, "ptce_tasks_queued") == 2
    assert sample(text, "ptce_tasks_failed") == 1
    assert 42 <= sample(text, "ptce_worker_heartbeat_age_seconds") < 50
    assert sample(text, "ptce_migrations_unapplied") == 0

    # requests by view and status, latency histogram (django-prometheus)
    def by_status(body, view, status):
        name = "django_http_responses_total_by_status_view_method_total"
        labels = f'method="GET",status="{status}",view="{view}"'
        return sample(body, name, labels) if f"{name}{{{labels}}}" in body else 0

    assert by_status(text, "core:health", 200) - by_status(before, "core:health", 200) == 1
    assert by_status(text, "<unnamed view>", 404) - by_status(before, "<unnamed view>", 404) == 1
    latency = "django_http_requests_latency_seconds_by_view_method"
    assert f'{latency}_bucket{{le="0.1",method="GET",view="core:health"}}' in text
    assert sample(text, f"{latency}_count", 'method="GET",view="core:health"') >= 1

    assert "camille" not in text  # figures only


@WITH_TOKEN
def test_metrics_refuse_writes(client):
    assert client.post(URL, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 405

"""The webhook payloads built by ``webhooks.triggers`` (wrapped by ``services.emit``) match their
description in the OpenAPI document (``webhooks.schemas``, extra keys forbidden)."""

import json

import pytest
from django.utils import timezone

from laureates.factories import PtceFactory
from webhooks import services, triggers
from webhooks.factories import WebhookEndpointFactory
from webhooks.models import EventType
from webhooks.schemas import PAYLOADS
from webhooks.tests.test_webhooks import decided_session

pytestmark = pytest.mark.django_db


def _body(event) -> dict:
    body = json.loads(event.body)
    PAYLOADS[body["type"]].model_validate(body)
    return body


def test_ptce_changed_payloads_match_their_schema(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    endpoint = WebhookEndpointFactory()
    ptce = PtceFactory(name="Pôle décrit")
    emit = services.emit
    first = emit(
        EventType.PTCE_CHANGED, "s", lambda: triggers.ptce_payload(ptce.pk), endpoints=[endpoint]
    )
    assert _body(first)["data"]["name"] == "Pôle décrit"
    ptce.name = "Pôle renommé"
    ptce.save()
    second = emit(
        EventType.PTCE_CHANGED, "s", lambda: triggers.ptce_payload(ptce.pk), endpoints=[endpoint]
    )
    assert _body(second)["data"]["changed_fields"] == ["name"]
    deleted = {"uuid": str(ptce.uuid), "slug": ptce.slug, "name": ptce.name, "deleted": True}
    third = emit(EventType.PTCE_CHANGED, "d", lambda: deleted, endpoints=[endpoint])
    assert _body(third)["data"]["deleted"] is True


def test_decision_published_payload_matches_its_schema(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    session, _first, _second = decided_session()
    session.published_at = timezone.now()
    session.save()
    event = services.emit(
        EventType.DECISION_PUBLISHED,
        "session",
        lambda: triggers.decision_payload(session.pk),
        endpoints=[WebhookEndpointFactory()],
    )
    body = _body(event)
    assert [d["decision"] for d in body["data"]["decisions"]] == ["accepted", "rejected"]


def test_an_undescribed_key_is_refused():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        PAYLOADS["ptce.changed"].model_validate(
            {
                "id": "x",
                "type": "ptce.changed",
                "created_at": "2026-01-01T00:00:00+00:00",
                "data": {"uuid": "u", "slug": "s", "name": "n", "inconnu": 1},
            }
        )

"""Deliveries follow the Standard Webhooks specification: a receiver verifies them with the
stock ``standardwebhooks`` library and nothing else."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from laureates.factories import PtceFactory
from webhooks import services, signing
from webhooks.factories import WebhookEndpointFactory
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def _headers(request) -> dict:
    return {name.lower(): value for name, value in request["headers"].items()}


def test_a_delivery_verifies_with_the_stock_library(receiver, django_capture_on_commit_callbacks):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        PtceFactory(name="Pôle des Deux Rives")
    [request] = receiver.requests
    payload = Webhook(endpoint.secret).verify(request["body"], _headers(request))
    assert payload["type"] == "ptce.changed"
    assert payload["data"]["name"] == "Pôle des Deux Rives"
    assert _headers(request)["webhook-id"] == f"msg_{payload['id']}"
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.generate_secret()).verify(request["body"], _headers(request))
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request["body"] + b" ", _headers(request))


def test_the_message_id_stays_the_same_across_attempts(
    receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500]
    endpoint = WebhookEndpointFactory(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        PtceFactory()
    services.deliver_due(now=timezone.now() + datetime.timedelta(seconds=31))
    assert WebhookDelivery.objects.get().attempts == 2
    ids = {_headers(request)["webhook-id"] for request in receiver.requests}
    assert len(ids) == 1
    for request in receiver.requests:
        Webhook(endpoint.secret).verify(request["body"], _headers(request))


def test_the_legacy_header_is_kept_for_one_release_behind_a_setting(
    receiver, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        PtceFactory()
    legacy = _headers(receiver.requests[0])["x-ptce-signature"]
    assert signing.verify(endpoint.secret, legacy, receiver.requests[0]["body"])
    with (
        override_settings(WEBHOOKS_LEGACY_SIGNATURE=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        PtceFactory()
    assert "x-ptce-signature" not in _headers(receiver.requests[1])
    Webhook(endpoint.secret).verify(receiver.requests[1]["body"], _headers(receiver.requests[1]))


def test_new_secrets_are_standard_and_old_undecodable_ones_fall_back_to_the_legacy_header():
    secret = signing.generate_secret()
    assert secret.startswith("whsec_")
    assert len(signing.standard_key(secret)) == 32
    # A URL-safe secret of the previous release that base64 cannot read (45 characters).
    old = "whsec_" + "A" * 45
    assert signing.standard_key(old) is None
    headers = signing.headers(old, "msg_1", b"{}", timestamp=1_700_000_000)
    assert set(headers) == {signing.HEADER}
    with override_settings(WEBHOOKS_LEGACY_SIGNATURE=False):
        assert set(signing.headers(old, "msg_1", b"{}")) == {signing.HEADER}
        assert set(signing.headers(secret, "msg_1", b"{}")) == set(signing.STANDARD_HEADERS)


def test_known_vector_of_the_specification():
    """The example of the Standard Webhooks specification (its reference test vector)."""
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    signature = signing.standard_signature(
        signing.standard_key(secret), "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

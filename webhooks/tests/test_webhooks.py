import datetime
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.factories import UserFactory, login_staff
from applications import states
from applications.choices import ApplicationStatus as S
from laureates.factories import PtceFactory
from laureates.models import Ptce, PtceStatus
from laureates.services import change_ptce_status
from reviews import committee
from reviews.factories import reviewers, submit_evaluation, submitted_file
from reviews.models import CommitteeSession
from webhooks import services, signing
from webhooks.factories import WebhookEndpointFactory
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def later(seconds: int):
    return timezone.now() + timedelta(seconds=seconds)


# ------------------------------------------------------------------ signature


def test_signature_round_trip_and_refusals():
    body = b'{"type": "ptce.changed"}'
    header = signing.header_value("whsec_abc", body, timestamp=1_700_000_000)
    assert header.startswith("t=1700000000,v1=")
    assert signing.verify("whsec_abc", header, body, now=1_700_000_100)
    assert not signing.verify("whsec_abc", header, body + b" ", now=1_700_000_100)
    assert not signing.verify("autre", header, body, now=1_700_000_100)
    assert not signing.verify("whsec_abc", header, body, now=1_700_000_000 + 301)
    for broken in ("", "t=abc,v1=00", "v1=00", "t=1700000000", "n'importe quoi"):
        assert not signing.verify("whsec_abc", broken, body, now=1_700_000_000)


def test_docs_snippet_verifies_a_real_delivery(receiver, django_capture_on_commit_callbacks):
    """The verification function published in docs/webhooks.md accepts what we send."""
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.BASE_DIR) / "docs" / "webhooks.md").read_text()
    snippet = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(snippet, "docs/webhooks.md", "exec"), namespace)  # noqa: S102 (our own docs)
    endpoint = WebhookEndpointFactory(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        PtceFactory(name="Pôle de la Vallée")
    [request] = receiver.requests
    assert namespace["verify_ptce_signature"](
        endpoint.secret, request["headers"]["X-PTCE-Signature"], request["body"]
    )
    assert not namespace["verify_ptce_signature"](
        "mauvais", request["headers"]["X-PTCE-Signature"], request["body"]
    )


# ------------------------------------------------------------------ ptce.changed


def test_ptce_change_is_delivered_signed_once_per_transaction(
    receiver, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        ptce = PtceFactory(name="Pôle Sud Ardèche", status=PtceStatus.EMERGING)
        ptce.description = "Mise à jour"
        ptce.save()
        ptce.save()
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert headers["X-PTCE-Event"] == "ptce.changed"
    assert headers["Content-Type"].startswith("application/json")
    assert signing.verify(endpoint.secret, headers["X-PTCE-Signature"], body)
    payload = json.loads(body)
    assert payload["type"] == "ptce.changed"
    assert payload["data"]["slug"] == ptce.slug
    assert payload["data"]["name"] == "Pôle Sud Ardèche"
    assert payload["data"]["url"].endswith(f"/annuaire/{ptce.slug}/")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.last_status_code == 200
    [attempt] = delivery.attempt_log.all()
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, "")
    assert attempt.response_excerpt == '{"recu": true}'
    assert headers["X-PTCE-Delivery"] == str(delivery.uuid)
    # Saving again without change sends nothing; a status change is sent with what changed.
    with django_capture_on_commit_callbacks(execute=True):
        ptce.save()
    assert len(receiver.requests) == 1
    with django_capture_on_commit_callbacks(execute=True):
        change_ptce_status(ptce, PtceStatus.ACTIVE, actor=None)
    assert len(receiver.requests) == 2
    data = receiver.bodies()[1]["data"]
    assert data["status"] == "active" and data["status_label"] == "Actif"
    assert "status" in data["changed_fields"] and "name" not in data["changed_fields"]


def test_nothing_is_stored_without_subscriber_or_for_inactive_endpoints(
    receiver, django_capture_on_commit_callbacks
):
    WebhookEndpointFactory(url=receiver.url, is_active=False)
    WebhookEndpointFactory(url=receiver.url, events=["decision.published"])
    with django_capture_on_commit_callbacks(execute=True):
        PtceFactory()
    assert not WebhookEvent.objects.exists()
    assert receiver.requests == []


def test_rolled_back_change_sends_nothing(receiver, django_capture_on_commit_callbacks):
    from django.db import transaction

    WebhookEndpointFactory(url=receiver.url)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        PtceFactory()
        raise RuntimeError("annulé")
    assert callbacks == []
    assert receiver.requests == []


# ------------------------------------------------------------------ failures and retries


def test_receiver_down_is_retried_with_back_off_then_fails(
    closed_port_url, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    WebhookEndpointFactory(url=closed_port_url)
    with django_capture_on_commit_callbacks(execute=True):
        PtceFactory()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert "ConnectError" in delivery.last_error
    first_retry = delivery.next_attempt_at - delivery.attempt_log.get().started_at
    assert first_retry == timedelta(seconds=30)
    assert services.deliver_due(now=later(10)) == 0  # not due yet
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    services.deliver_due(now=later(31))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 2)
    assert delivery.next_attempt_at - later(31) > timedelta(seconds=110)  # 2 minutes
    services.deliver_due(now=later(31 + 121))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert [a.number for a in delivery.attempt_log.all()] == [1, 2, 3]
    assert all(a.status_code is None and a.error for a in delivery.attempt_log.all())
    assert services.deliver_due(now=later(100_000)) == 0  # never again


def test_receiver_answering_500_is_retried_until_success(
    receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500, 503]
    endpoint = WebhookEndpointFactory(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        PtceFactory()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.PENDING, 500)
    services.deliver_due(now=later(31))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.PENDING, 503)
    assert services.deliver_due(now=later(31 + 121)) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    codes = [a.status_code for a in delivery.attempt_log.all()]
    assert codes == [500, 503, 200]
    assert [a.response_excerpt for a in delivery.attempt_log.all()][0] == "erreur du receveur"
    # Same event body each time, signed afresh at each attempt.
    bodies = {request["body"] for request in receiver.requests}
    assert len(bodies) == 1
    assert [r["headers"]["X-PTCE-Attempt"] for r in receiver.requests] == ["1", "2", "3"]
    for request in receiver.requests:
        assert signing.verify(
            endpoint.secret, request["headers"]["X-PTCE-Signature"], request["body"]
        )


def test_receiver_answering_500_forever_fails_after_the_last_attempt(
    receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    receiver.statuses = [500] * 5
    WebhookEndpointFactory(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        PtceFactory()
    services.deliver_due(now=later(31))
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    assert delivery.last_error == "Réponse HTTP 500"


def test_slow_receiver_times_out_and_is_retried(
    receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.2
    receiver.release.clear()  # the receiver holds every request until released
    WebhookEndpointFactory(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        PtceFactory()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith("Délai dépassé (0.2 s)")
    assert delivery.last_status_code is None
    receiver.release.set()
    services.deliver_due(now=later(31))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED


def test_redirects_are_not_followed(receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [302]
    WebhookEndpointFactory(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        PtceFactory()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code == 302
    assert len(receiver.requests) == 1


def test_internal_address_refused_at_delivery_time_in_production_policy(
    receiver, settings, django_capture_on_commit_callbacks
):
    WebhookEndpointFactory(url=receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with django_capture_on_commit_callbacks(execute=True):
        PtceFactory()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("Adresse refusée")
    assert receiver.requests == []


# ------------------------------------------------------------------ decision.published


def reviewed_file(call=None):
    application = submitted_file(call=call)
    [reviewer] = reviewers(count=1)
    submit_evaluation(application, reviewer)
    states.change_status(application, S.REVIEWED, actor=UserFactory(cell_lead=True))
    application.refresh_from_db()
    return application


def decided_session():
    first = reviewed_file()
    second = reviewed_file(call=first.call)
    session = CommitteeSession.objects.create(
        call=first.call, title="Comité de juin", date=datetime.date(2026, 6, 15)
    )
    member = UserFactory(committee=True)
    committee.record_decision(session, first, actor=member, decision="accepted")
    committee.record_decision(
        session, second, actor=member, decision="rejected", reasons="Gouvernance fragile"
    )
    return session, first, second


def test_publication_request_does_not_wait_for_the_receiver(
    client, receiver, settings, django_capture_on_commit_callbacks
):
    """With the real task backend the HTTP call happens in a worker: here the dummy backend
    keeps the task queued, and the receiver holds any request it would get."""
    settings.TASKS = DUMMY_TASKS
    receiver.release.clear()
    endpoint = WebhookEndpointFactory(url=receiver.url, events=["decision.published"])
    session, first, second = decided_session()
    login_staff(client, UserFactory(national=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/instruction/comite/{session.pk}/publier/")
    assert response.status_code == 302
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    from django_tasks import default_task_backend

    queued = [r for r in default_task_backend.results if r.task.name == "deliver_webhook"]
    assert len(queued) == 1
    assert queued[0].args == [delivery.pk]
    # The worker then sends it.
    receiver.release.set()
    assert services.deliver_now(delivery.pk) == DeliveryStatus.SUCCEEDED
    payload = receiver.bodies()[0]
    assert payload["type"] == "decision.published"
    data = payload["data"]
    assert data["session"]["title"] == "Comité de juin"
    assert data["call"]["slug"] == first.call.slug
    decisions = {d["application_reference"]: d for d in data["decisions"]}
    assert decisions[first.reference]["decision"] == "accepted"
    assert decisions[first.reference]["ptce"]["slug"] == Ptce.objects.get().slug
    assert decisions[second.reference]["decision"] == "rejected"
    assert decisions[second.reference]["ptce"] is None
    assert decisions[first.reference]["pole_name"] == first.display_name
    assert decisions[second.reference]["pole_name"] is None  # not a laureate: not named
    assert signing.verify(
        endpoint.secret,
        receiver.requests[0]["headers"]["X-PTCE-Signature"],
        receiver.requests[0]["body"],
    )


def test_publication_succeeds_when_the_receiver_is_down(
    client, closed_port_url, django_capture_on_commit_callbacks
):
    WebhookEndpointFactory(url=closed_port_url, events=["decision.published"])
    session, first, _ = decided_session()
    login_staff(client, UserFactory(national=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/instruction/comite/{session.pk}/publier/")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == S.ACCEPTED
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.event.type == "decision.published"


def test_deleted_ptce_is_announced(receiver, django_capture_on_commit_callbacks):
    WebhookEndpointFactory(url=receiver.url, events=["ptce.changed"])
    with django_capture_on_commit_callbacks(execute=True):
        ptce = PtceFactory(name="Pôle fermé")
    slug = ptce.slug
    with django_capture_on_commit_callbacks(execute=True):
        ptce.delete()
    data = receiver.bodies()[-1]["data"]
    assert data["deleted"] is True and data["slug"] == slug
    assert len(receiver.requests) == 2


def test_old_finished_events_are_purged_pending_ones_kept(
    receiver, closed_port_url, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETENTION_DAYS = 30
    WebhookEndpointFactory(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        PtceFactory()
    done = WebhookEvent.objects.get()
    WebhookEndpointFactory(url=closed_port_url)
    with django_capture_on_commit_callbacks(execute=True):
        PtceFactory()
    assert WebhookEvent.objects.count() == 2
    assert services.purge_old_events(now=later(29 * 86400)) == 0
    assert services.purge_old_events(now=later(31 * 86400)) == 1
    assert not WebhookEvent.objects.filter(pk=done.pk).exists()
    assert WebhookEvent.objects.count() == 1  # one delivery of it is still pending

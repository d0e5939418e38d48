"""Webhook events and deliveries.

Triggers (``webhooks.triggers``) call :func:`emit` only after the triggering transaction has
committed; :func:`emit` stores the event and one delivery per subscribed endpoint, then asks a
background task to send each one. The request that triggered the event never waits for a
receiver. :func:`deliver_now` makes one signed HTTP attempt and schedules the next one with
exponential back-off; :func:`deliver_due` is the periodic sweep that also catches deliveries
whose task was lost.
"""

import hashlib
import json
import logging
import time
from datetime import timedelta

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from core import audit
from webhooks import policy, signing
from webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

logger = logging.getLogger(__name__)

RETRY_DELAYS = [30, 120, 600, 1800, 3600]  # seconds after attempt 1, 2, 3, 4, 5
USER_AGENT = "PlateformePTCE-Webhooks/1.0"


def max_attempts() -> int:
    return int(getattr(settings, "WEBHOOKS_MAX_ATTEMPTS", len(RETRY_DELAYS) + 1))


def timeout_seconds() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 10))


def retry_delay(attempts: int) -> timedelta:
    """Back-off after ``attempts`` failed tries: 30 s, 2 min, 10 min, 30 min, then 1 h."""
    index = min(max(attempts - 1, 0), len(RETRY_DELAYS) - 1)
    return timedelta(seconds=RETRY_DELAYS[index])


# ------------------------------------------------------------------ endpoints


def create_endpoint(*, name, url, events, is_active=True, actor) -> WebhookEndpoint:
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            name=name,
            url=url,
            events=list(events),
            is_active=is_active,
            secret=signing.generate_secret(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            "webhooks.endpoint_created",
            actor=actor,
            obj=endpoint,
            after={"url": url, "events": list(events), "is_active": is_active},
        )
    return endpoint


def update_endpoint(endpoint, *, name, url, events, is_active, actor) -> WebhookEndpoint:
    before = {"name": endpoint.name, "url": endpoint.url, "events": endpoint.events}
    before["is_active"] = endpoint.is_active
    with transaction.atomic():
        endpoint.name, endpoint.url, endpoint.events = name, url, list(events)
        endpoint.is_active = is_active
        endpoint.save()
        audit.record(
            "webhooks.endpoint_updated",
            actor=actor,
            obj=endpoint,
            before=before,
            after={"name": name, "url": url, "events": list(events), "is_active": is_active},
        )
    return endpoint


def regenerate_secret(endpoint, *, actor) -> str:
    with transaction.atomic():
        endpoint.secret = signing.generate_secret()
        endpoint.save(update_fields=["secret", "updated_at"])
        audit.record("webhooks.secret_regenerated", actor=actor, obj=endpoint)
    return endpoint.secret


def delete_endpoint(endpoint, *, actor) -> None:
    with transaction.atomic():
        audit.record(
            "webhooks.endpoint_deleted", actor=actor, obj=endpoint, before={"url": endpoint.url}
        )
        endpoint.delete()


# ------------------------------------------------------------------ events


def _canonical(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)


def subscribers(event_type: str) -> list[WebhookEndpoint]:
    # A handful of rows: filtering the JSON list in Python works on SQLite and PostgreSQL.
    return [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True)
        if event_type in (endpoint.events or [])
    ]


def emit(event_type: str, subject: str, build_data, *, endpoints=None) -> WebhookEvent | None:
    """Store the event ``build_data()`` and a delivery per active subscribed endpoint, then
    enqueue the deliveries. Nothing is stored when nobody subscribes, nor when the data equal
    those of the last event about the same ``subject`` (several saves, one change)."""
    endpoints = subscribers(event_type) if endpoints is None else endpoints
    if not endpoints:
        return None
    data = build_data()
    if data is None:
        return None
    digest = hashlib.sha256(_canonical(data).encode()).hexdigest()
    previous = WebhookEvent.objects.filter(type=event_type, subject=subject).first()
    if previous is not None and previous.digest == digest:
        return None
    if previous is not None and isinstance(data, dict):
        old = json.loads(previous.body).get("data", {})
        data = {**data, "changed_fields": sorted(k for k in data if old.get(k) != data.get(k))}
    with transaction.atomic():
        event = WebhookEvent(type=event_type, subject=subject, digest=digest)
        event.body = _canonical(
            {
                "id": str(event.uuid),
                "type": event_type,
                "created_at": event.created_at,
                "data": data,
            }
        )
        event.save()
        deliveries = WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(endpoint=endpoint, event=event) for endpoint in endpoints]
        )
        ids = [delivery.pk for delivery in deliveries]
        if any(pk is None for pk in ids):  # backends that do not return ids
            ids = list(event.deliveries.values_list("pk", flat=True))
        transaction.on_commit(lambda: [_enqueue(pk) for pk in ids])
    return event


def _enqueue(delivery_id: int, run_after=None) -> None:
    from webhooks.tasks import deliver_webhook

    try:
        task = deliver_webhook
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return  # the periodic sweep sends it when due
            task = task.using(run_after=run_after)
        task.enqueue(delivery_id)
    except Exception:  # the periodic sweep will pick the row up
        logger.exception("Impossible de mettre en file la livraison de webhook %s", delivery_id)


# ------------------------------------------------------------------ delivery


def _claim(delivery_id: int, now) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.next_attempt_at = now
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    return WebhookDelivery.objects.select_related("endpoint", "event").get(pk=delivery.pk)


def _post(delivery: WebhookDelivery) -> tuple[int | None, str, str]:
    """One HTTP attempt: (status code or None, error, first characters of the answer)."""
    endpoint = delivery.endpoint
    try:
        policy.check_url(endpoint.url)
    except ValidationError as error:
        return None, "Adresse refusée : " + " ".join(error.messages), ""
    body = delivery.event.body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-PTCE-Event": delivery.event.type,
        "X-PTCE-Delivery": str(delivery.uuid),
        "X-PTCE-Event-Id": str(delivery.event.uuid),
        "X-PTCE-Attempt": str(delivery.attempts),
        **signing.headers(endpoint.secret, f"msg_{delivery.event.uuid}", body),
    }
    try:
        with httpx.Client(
            timeout=timeout_seconds(), follow_redirects=False, trust_env=False
        ) as client:
            response = client.post(endpoint.url, content=body, headers=headers)
    except httpx.TimeoutException as error:
        return None, f"Délai dépassé ({timeout_seconds():g} s) : {type(error).__name__}", ""
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"[:2000], ""
    excerpt = response.text[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, "", excerpt
    return response.status_code, f"Réponse HTTP {response.status_code}", excerpt


def deliver_now(delivery_id: int, *, now=None) -> str:
    """Make one attempt if the delivery is due; returns its resulting status."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return "skipped"
    if not delivery.endpoint.is_active:
        status_code, error, excerpt = None, "Point de réception désactivé.", ""
        final = True
        duration_ms = 0
    else:
        started = time.monotonic()
        status_code, error, excerpt = _post(delivery)
        duration_ms = int((time.monotonic() - started) * 1000)
        final = error.startswith("Adresse refusée")
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        started_at=now,
        duration_ms=duration_ms,
        status_code=status_code,
        error=error,
        response_excerpt=excerpt,
    )
    delivery.last_status_code = status_code
    delivery.last_error = error
    if not error:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = timezone.now()
    elif final or delivery.attempts >= max_attempts():
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    delivery.save(
        update_fields=[
            "status",
            "last_status_code",
            "last_error",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    if delivery.status == DeliveryStatus.PENDING:
        _enqueue(delivery.pk, run_after=delivery.next_attempt_at)
        logger.warning("Webhook %s : %s ; nouvel essai prévu", delivery.pk, error)
    return delivery.status


def retention_days() -> int:
    return int(getattr(settings, "WEBHOOKS_RETENTION_DAYS", 90))


def purge_old_events(*, now=None) -> int:
    """Delete events (with their deliveries and attempts) older than the retention period
    once none of their deliveries is still to be sent; returns how many events went."""
    now = now or timezone.now()
    old = WebhookEvent.objects.filter(created_at__lt=now - timedelta(days=retention_days()))
    unfinished = WebhookDelivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    ).values("event_id")
    deleted, per_model = old.exclude(pk__in=unfinished).delete()
    return per_model.get(WebhookEvent._meta.label, 0)


def deliver_due(*, now=None, limit: int = 200) -> int:
    """Send every pending delivery whose next attempt is due (periodic sweep); returns how
    many were received."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(
        status=DeliveryStatus.SENDING, next_attempt_at__lt=now - timedelta(minutes=15)
    ).update(status=DeliveryStatus.PENDING)
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    received = sum(1 for pk in due if deliver_now(pk, now=now) == DeliveryStatus.SUCCEEDED)
    purge_old_events(now=now)
    return received


def redeliver(delivery: WebhookDelivery, *, actor) -> WebhookDelivery:
    """Staff ask for one more try now (after fixing the receiver)."""
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).exclude(
            status=DeliveryStatus.SENDING
        ).update(status=DeliveryStatus.PENDING, next_attempt_at=timezone.now())
        audit.record("webhooks.redelivery_requested", actor=actor, obj=delivery.endpoint)
        transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery

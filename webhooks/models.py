"""Outgoing webhooks: endpoints registered by staff, events, signed deliveries and attempts."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class EventType(models.TextChoices):
    DECISION_PUBLISHED = "decision.published", "Publication des décisions du comité"
    PTCE_CHANGED = "ptce.changed", "Création ou modification d’un PTCE de l’annuaire"


class WebhookEndpoint(models.Model):
    """A receiver URL. The secret signs every delivery (HMAC-SHA256); it is shown in full once,
    when created or regenerated, and only its last characters afterwards."""

    name = models.CharField("nom", max_length=120)
    url = models.URLField("adresse de réception", max_length=500)
    secret = models.CharField("secret de signature", max_length=128, editable=False)
    events = models.JSONField("événements", default=list)
    is_active = models.BooleanField("actif", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "point de réception de webhooks"
        verbose_name_plural = "points de réception de webhooks"

    def __str__(self):
        return self.name

    @property
    def secret_hint(self) -> str:
        return f"…{self.secret[-4:]}" if self.secret else ""

    @property
    def uses_standard_signature(self) -> bool:
        """False for a secret made before Standard Webhooks that the stock libraries cannot
        decode: its deliveries carry the legacy header only until the secret is regenerated."""
        from webhooks.signing import standard_key

        return standard_key(self.secret) is not None

    @property
    def event_labels(self) -> list[str]:
        return [EventType(event).label for event in self.events if event in EventType.values]


class WebhookEvent(models.Model):
    """Something that happened, with the exact JSON body sent to every subscribed endpoint.
    ``subject`` (e.g. ``ptce:<uuid>``) and ``digest`` let a change be sent once even when the
    object is saved several times in one transaction."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField("type", max_length=40, choices=EventType)
    subject = models.CharField("objet", max_length=120, db_index=True)
    body = models.TextField("corps JSON")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "événement"

    def __str__(self):
        return f"{self.type} {self.subject}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    SENDING = "sending", "En cours d’envoi"
    SUCCEEDED = "succeeded", "Reçu"
    FAILED = "failed", "Échec définitif"


class WebhookDelivery(models.Model):
    """One event for one endpoint, retried with exponential back-off until the receiver
    answers 2xx or the attempts run out."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        "état", max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField("dernier code HTTP", null=True, blank=True)
    last_error = models.TextField("dernière erreur", blank=True)
    delivered_at = models.DateTimeField("reçu le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "livraison"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_event")
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """The log of one HTTP attempt: when, how long, what came back."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField("tentative n°")
    started_at = models.DateTimeField("début")
    duration_ms = models.PositiveIntegerField("durée (ms)")
    status_code = models.PositiveSmallIntegerField("code HTTP", null=True, blank=True)
    error = models.TextField("erreur", blank=True)
    response_excerpt = models.CharField("début de la réponse", max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = "tentative de livraison"

    def __str__(self):
        return f"{self.delivery_id} #{self.number}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

"""One inactive demo webhook endpoint towards a local receiver (see docs/webhooks.md)."""

from webhooks import signing
from webhooks.models import EventType, WebhookEndpoint

NAME = "Receveur local de démonstration"


def load(stdout):
    endpoint, created = WebhookEndpoint.objects.get_or_create(
        name=NAME,
        defaults={
            "url": "http://127.0.0.1:8765/webhooks",
            "events": [EventType.DECISION_PUBLISHED, EventType.PTCE_CHANGED],
            "is_active": False,
            "secret": signing.generate_secret(),
        },
    )
    state = "créé" if created else "déjà là"
    stdout.write(f"Webhooks : point de réception de démonstration {state} (inactif).")

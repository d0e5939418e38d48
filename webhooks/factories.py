import factory

from webhooks.models import EventType, WebhookEndpoint


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    name = factory.Sequence(lambda n: f"Système partenaire {n}")
    url = "http://127.0.0.1:9/webhooks"
    secret = factory.Sequence(lambda n: f"whsec_test_secret_{n:04d}_0123456789abcdef")
    events = factory.LazyFunction(lambda: [EventType.DECISION_PUBLISHED, EventType.PTCE_CHANGED])
    is_active = True

from io import StringIO

import pytest

from dynamics import demo
from dynamics.models import LocalDynamic, ModerationStatus
from webhooks import demo as webhooks_demo
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_demo_dynamics_and_webhook_are_idempotent():
    for _ in range(2):
        demo.load(StringIO())
        webhooks_demo.load(StringIO())
    assert LocalDynamic.objects.count() == len(demo.DYNAMICS)
    assert LocalDynamic.objects.filter(status=ModerationStatus.PENDING).count() == 2
    assert LocalDynamic.objects.public().count() == 3
    recyclerie = LocalDynamic.objects.get(slug="recyclerie-du-diois-demo")
    assert recyclerie.main_region_id == "84" and recyclerie.population_covered
    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.is_active
    assert endpoint.url.startswith("http://127.0.0.1:")

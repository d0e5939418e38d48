import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import UserFactory, login_staff
from core.models import AuditLog
from webhooks.factories import WebhookEndpointFactory
from webhooks.forms import EndpointForm
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db


def endpoint_form(url, **extra):
    return EndpointForm(
        {"name": "SI DREETS", "url": url, "events": ["ptce.changed"], "is_active": "on", **extra}
    )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://exemple.fr/hook",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://127.0.0.1:25/",
        "http://utilisateur:motdepasse@exemple.fr/hook",
        "pas une adresse",
        "http://" + "a" * 600 + ".fr/",
        "",
    ],
)
def test_endpoint_form_refuses_non_http_urls(url):
    form = endpoint_form(url)
    assert not form.is_valid()
    assert "url" in form.errors


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://172.16.0.1/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
    ],
)
def test_production_policy_refuses_internal_addresses(settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    form = endpoint_form(url)
    assert not form.is_valid()
    assert "Adresse interne refusée" in form.errors["url"][0]


def test_production_policy_requires_https_and_accepts_public_addresses(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    form = endpoint_form("http://93.184.216.34/hook")
    assert not form.is_valid()
    assert "https://" in form.errors["url"][0]
    assert endpoint_form("https://93.184.216.34/hook").is_valid()


def test_development_policy_accepts_local_receivers():
    assert endpoint_form("http://127.0.0.1:8765/webhooks").is_valid()


def test_endpoint_form_needs_an_event():
    form = endpoint_form("https://93.184.216.34/hook", events=[])
    assert not form.is_valid() and "events" in form.errors
    form = endpoint_form("https://93.184.216.34/hook", events=["tout"])
    assert not form.is_valid() and "events" in form.errors


def test_pages_are_for_the_national_cell_and_admins(client):
    endpoint = WebhookEndpointFactory()
    event = WebhookEvent.objects.create(
        type="ptce.changed", subject="ptce:1", body="{}", digest="x"
    )
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event)
    gets = [
        reverse("webhooks:list"),
        reverse("webhooks:create"),
        reverse("webhooks:detail", args=[endpoint.pk]),
        reverse("webhooks:delivery", args=[delivery.pk]),
    ]
    posts = [
        reverse("webhooks:regenerate", args=[endpoint.pk]),
        reverse("webhooks:redeliver", args=[delivery.pk]),
        reverse("webhooks:delete", args=[endpoint.pk]),
    ]
    for url in gets + posts:
        assert client.get(url).status_code == 302  # login
    for user in (
        UserFactory(),
        UserFactory(reviewer=True),
        UserFactory(cell_lead=True),
        UserFactory(committee=True),
    ):
        client.logout()
        if user.is_staff_role:
            login_staff(client, user)
        else:
            client.force_login(user)
        for url in gets:
            assert client.get(url).status_code == 403
        for url in posts:
            assert client.post(url).status_code == 403
    for user in (UserFactory(national=True), UserFactory(admin=True)):
        client.logout()
        login_staff(client, user)
        for url in gets:
            assert client.get(url).status_code == 200
        assert client.get(posts[0]).status_code == 405


def test_creation_shows_the_secret_once_and_is_audited(client):
    national = UserFactory(national=True)
    login_staff(client, national)
    response = client.post(
        reverse("webhooks:create"),
        {
            "name": "Observatoire régional",
            "url": "http://127.0.0.1:8765/webhooks",
            "events": ["decision.published", "ptce.changed"],
            "is_active": "on",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.url == reverse("webhooks:detail", args=[endpoint.pk])
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert endpoint.events == ["decision.published", "ptce.changed"]
    assert endpoint.created_by == national
    first = client.get(response.url).content.decode()
    assert endpoint.secret in first
    second = client.get(response.url).content.decode()
    assert endpoint.secret not in second
    assert endpoint.secret[-4:] in second
    entry = AuditLog.objects.get(action="webhooks.endpoint_created")
    assert endpoint.secret not in str(entry.after)
    old = endpoint.secret
    client.post(reverse("webhooks:regenerate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in client.get(response.url).content.decode()
    assert AuditLog.objects.filter(action="webhooks.secret_regenerated").exists()


def test_edit_refuses_bad_url_and_keeps_the_old_one(client):
    login_staff(client, UserFactory(national=True))
    endpoint = WebhookEndpointFactory(url="http://127.0.0.1:9/ancien")
    url = reverse("webhooks:detail", args=[endpoint.pk])
    page = client.post(url, {"name": "x", "url": "ftp://127.0.0.1/", "events": ["ptce.changed"]})
    assert page.status_code == 200
    assert "Seules les adresses http:// et https://" in page.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.url == "http://127.0.0.1:9/ancien"
    client.post(url, {"name": "Nouveau nom", "url": "http://127.0.0.1:9/neuf", "events": []})
    endpoint.refresh_from_db()
    assert endpoint.url == "http://127.0.0.1:9/ancien"  # an event is required
    client.post(
        url, {"name": "Nouveau nom", "url": "http://127.0.0.1:9/neuf", "events": ["ptce.changed"]}
    )
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.is_active) == ("http://127.0.0.1:9/neuf", False)
    assert AuditLog.objects.filter(action="webhooks.endpoint_updated").exists()


def test_detail_lists_deliveries_with_constant_queries(client):
    login_staff(client, UserFactory(national=True))
    endpoint = WebhookEndpointFactory()
    url = reverse("webhooks:detail", args=[endpoint.pk])

    def add_deliveries(count):
        for _ in range(count):
            event = WebhookEvent.objects.create(
                type="ptce.changed", subject="ptce:1", body="{}", digest="x"
            )
            delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event)
            delivery.attempt_log.create(
                number=1,
                started_at=event.created_at,
                duration_ms=12,
                status_code=500,
                error="Réponse HTTP 500",
            )

    add_deliveries(2)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url)
    assert "Réponse HTTP 500" in page.content.decode()
    add_deliveries(10)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as listing:
        client.get(reverse("webhooks:list"))
    add_deliveries(5)
    with CaptureQueriesContext(connection) as listing_more:
        client.get(reverse("webhooks:list"))
    assert len(listing_more) == len(listing)


def test_redeliver_and_delete(client, closed_port_url, django_capture_on_commit_callbacks):
    login_staff(client, UserFactory(national=True))
    endpoint = WebhookEndpointFactory(url=closed_port_url)
    event = WebhookEvent.objects.create(
        type="ptce.changed", subject="ptce:1", body="{}", digest="x"
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, status=DeliveryStatus.FAILED, attempts=6
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhooks:redeliver", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.attempts == 7
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempt_log.count() == 1
    page = client.get(reverse("webhooks:delivery", args=[delivery.pk])).content.decode()
    assert "ConnectError" in page
    client.post(reverse("webhooks:delete", args=[endpoint.pk]))
    assert not WebhookEndpoint.objects.exists()
    assert AuditLog.objects.filter(action="webhooks.endpoint_deleted").exists()

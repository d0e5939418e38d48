"""Rate limits (core.ratelimit): client address behind proxies, each limited endpoint, the shared
database cache and the Redis cache with its fallback."""

import datetime
import logging
import time

import pytest
from django.core.cache import caches
from django.test import RequestFactory

from accounts.factories import UserFactory
from core.network import client_ip
from events.factories import EventFactory
from events.models import Registration

pytestmark = pytest.mark.django_db

DATABASE_CACHE = {
    "BACKEND": "core.cache.AtomicDatabaseCache",
    "LOCATION": "ptce_cache",
}


@pytest.fixture(autouse=True)
def _fresh_counters():
    caches["default"].clear()
    yield
    caches["default"].clear()


def _limit(settings, **rates):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}


# ------------------------------------------------------------------ client address


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "expected"),
    [
        ([], "198.51.100.7", "203.0.113.9", "198.51.100.7"),  # no proxy trusted: header ignored
        (["10.0.0.1"], "198.51.100.7", "203.0.113.9", "198.51.100.7"),  # spoofed by a client
        (["10.0.0.1"], "10.0.0.1", "203.0.113.9", "203.0.113.9"),  # from the proxy
        (["10.0.0.0/8"], "10.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (["10.0.0.1"], "10.0.0.1", "pas-une-adresse", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", "", "10.0.0.1"),
        (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_client_address_trusts_forwarded_for_only_from_trusted_proxies(
    settings, trusted, peer, forwarded, expected
):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# ------------------------------------------------------------------ limited endpoints


def test_eligibility_api_answers_429_in_french_json(client, settings):
    _limit(settings, eligibility="3/m")
    statuses = [
        client.post("/api/v1/eligibility", "{}", content_type="application/json").status_code
        for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    refused = client.post("/api/v1/eligibility", "{}", content_type="application/json")
    body = refused.json()
    assert body["error"].startswith("Trop de simulations depuis votre adresse. Vous pourrez")
    assert 0 < int(refused["Retry-After"]) <= 60
    other = client.post(
        "/api/v1/eligibility", "{}", content_type="application/json", REMOTE_ADDR="127.0.0.2"
    )
    assert other.status_code == 400


def test_eligibility_limit_counts_forwarded_clients_separately_behind_a_trusted_proxy(
    client, settings
):
    _limit(settings, eligibility="1/m")
    settings.TRUSTED_PROXIES = ["127.0.0.1"]

    def post(forwarded):
        return client.post(
            "/api/v1/eligibility",
            "{}",
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code

    assert [post("203.0.113.1"), post("203.0.113.1"), post("203.0.113.2")] == [400, 429, 400]


SIGNUP = {
    "first_name": "Nadia",
    "last_name": "Durand",
    "organisation": "Association test",
    "password1": "un mot de passe solide",
    "password2": "un mot de passe solide",
}


def test_signup_is_limited_per_address_and_invalid_forms_do_not_count(client, settings):
    _limit(settings, signup="2/h")
    assert client.post("/compte/inscription/", {"email": "x"}).status_code == 200
    for number in range(2):
        response = client.post("/compte/inscription/", {**SIGNUP, "email": f"n{number}@ex.fr"})
        assert response.status_code == 302
    refused = client.post("/compte/inscription/", {**SIGNUP, "email": "n3@ex.fr"})
    assert refused.status_code == 429
    assert "Trop de comptes créés depuis cette connexion. Vous pourrez réessayer dans" in (
        refused.content.decode()
    )
    assert 0 < int(refused["Retry-After"]) <= 3600


def test_password_reset_and_resend_confirmation_are_limited(client, settings):
    _limit(settings, password_reset="1/h", resend_confirmation="1/h")
    UserFactory(email="ana@exemple.fr")
    url = "/compte/mot-de-passe/"
    assert client.post(url, {"email": "ana@exemple.fr"}).status_code == 302
    refused = client.post(url, {"email": "ana@exemple.fr"})
    assert refused.status_code == 429
    assert "Trop de demandes depuis cette connexion." in refused.content.decode()
    url = "/compte/confirmer-a-nouveau/"
    assert client.post(url, {"email": "ana@exemple.fr"}).status_code == 302
    assert client.post(url, {"email": "ana@exemple.fr"}).status_code == 429


def test_event_registration_is_limited_per_client_and_per_event(client, settings):
    event = EventFactory()
    url = f"/evenements/{event.slug}/"

    def register(number, address="127.0.0.1"):
        data = {"name": f"Personne {number}", "email": f"p{number}@ex.fr", "organisation": "X"}
        return client.post(url, data, REMOTE_ADDR=address).status_code

    _limit(settings, event_registration="2/h", event_registration_event="3/h")
    assert [register(1), register(2), register(3)] == [302, 302, 429]
    assert register(4, "127.0.0.2") == 302  # another client: third registration to the event
    assert register(5, "127.0.0.3") == 429  # the event's own limit is reached
    assert Registration.objects.filter(event=event).count() == 3


# ------------------------------------------------------------------ shared caches


def test_database_cache_counts_atomically_and_keeps_the_expiry(settings):
    settings.CACHES = {**settings.CACHES, "default": DATABASE_CACHE}
    cache = caches["default"]
    assert cache.add("compteur", 0, timeout=3600)
    assert [cache.incr("compteur") for _ in range(3)] == [1, 2, 3]
    with pytest.raises(ValueError):
        cache.incr("absent")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM ptce_cache")
        (expires,) = cursor.fetchone()
    # still about an hour away: incr did not shorten it to the default 300 s
    from django.utils import timezone

    if isinstance(expires, str):  # SQLite returns text
        from django.utils.dateparse import parse_datetime

        expires = parse_datetime(expires)
    if timezone.is_naive(expires):
        expires = timezone.make_aware(expires, datetime.UTC)
    assert (expires - timezone.now()).total_seconds() > 3000


def test_limits_hold_on_the_database_cache(client, settings):
    settings.CACHES = {**settings.CACHES, "default": DATABASE_CACHE}
    _limit(settings, directory_api="2/m")
    statuses = [client.get("/api/v1/calls").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def _redis_caches(location):
    return {
        "database": DATABASE_CACHE,
        "redis": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"ptce-test-{time.time_ns()}",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
        "default": {
            "BACKEND": "core.cache.FallbackCache",
            "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database", "RETRY_AFTER": 30},
        },
    }


def test_limits_count_in_redis_when_configured(client, settings):
    settings.CACHES = _redis_caches("redis://127.0.0.1:6379/15")
    _limit(settings, directory_api="2/m")
    statuses = [client.get("/api/v1/calls").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert len(caches["redis"]._cache.get_client().keys("*rl:*")) >= 1
    assert not caches["default"].using_fallback


def test_redis_down_falls_back_to_the_database_cache_logged_never_a_500(client, settings, caplog):
    settings.CACHES = _redis_caches("redis://127.0.0.1:1/0")  # nothing listens there
    _limit(settings, directory_api="2/m")
    with caplog.at_level(logging.WARNING, logger="ptce.cache"):
        statuses = [client.get("/api/v1/calls").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert caches["default"].using_fallback
    warnings = [r.getMessage() for r in caplog.records if r.name == "ptce.cache"]
    assert len(warnings) == 1  # then Redis is left alone for RETRY_AFTER seconds
    assert warnings[0].startswith("Redis injoignable (ConnectionError)")

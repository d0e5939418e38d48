import pytest
from django.urls import reverse

from accounts.factories import UserFactory
from registry.factories import EstablishmentFactory, LegalUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    """The per-user counters live in the cache, which outlives each test's transaction."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def url(siret):
    return reverse("registry:establishment", args=[siret])


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(url("81234567600017"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_auto_fill_json_for_an_active_establishment(client):
    unit = LegalUnitFactory(name="LES JARDINS DU BOCAGE", legal_category="9220", is_ess=True)
    establishment = EstablishmentFactory(siren=unit.siren)
    client.force_login(UserFactory())
    response = client.get(url(establishment.siret))
    assert response.status_code == 200
    data = response.json()
    assert data["accepted"] is True
    assert data["name"] == "LES JARDINS DU BOCAGE"
    assert data["legal_category_label"] == "Association déclarée"
    assert data["full_address"] == "12 RUE DE LA RÉPUBLIQUE, 35000 RENNES"
    assert data["commune_code"] == "35238"
    assert data["suggested_category"] == "ess_enterprise"
    assert data["source"] == "local"
    assert data["message"] == ""


def test_auto_fill_refuses_a_closed_establishment(client):
    establishment = EstablishmentFactory(closed=True)
    client.force_login(UserFactory())
    data = client.get(url(establishment.siret)).json()
    assert data["accepted"] is False
    assert data["message"] == (
        "Cet établissement est fermé depuis le 12/03/2021 : indiquez le SIRET d’un "
        "établissement actif."
    )


def test_auto_fill_unknown_and_invalid(client):
    client.force_login(UserFactory())
    data = client.get(url("73282932000074")).json()
    assert (data["accepted"], data["status_label"]) == (True, "à vérifier")
    response = client.get(url("81234567600018"))
    assert response.status_code == 400
    assert response.json()["accepted"] is False


def test_auto_fill_is_rate_limited_per_user(client, settings):
    settings.SIRENE_LOOKUPS_PER_MINUTE = 3
    client.force_login(UserFactory())
    statuses = [client.get(url("73282932000074")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get(url("73282932000074")).json()["error"].startswith("Trop de recherches")
    client.force_login(UserFactory())  # another user is not affected
    assert client.get(url("73282932000074")).status_code == 200


# --- the API failing never reaches the candidate as an error ----------------------------------

API_FAILURES = pytest.mark.parametrize(
    "response",
    [(500, {"erreur": "interne"}), (429, {"message": "trop"}), (200, b"{pas du json")],
    ids=["5xx", "429", "malformed-json"],
)


@API_FAILURES
def test_auto_fill_answers_from_the_local_table_first_whatever_the_api_does(
    client, fake_api, response
):
    establishment = EstablishmentFactory()
    fake_api.answer(establishment.siret, response)
    client.force_login(UserFactory())
    reply = client.get(url(establishment.siret))
    assert reply.status_code == 200
    assert (reply.json()["status"], reply.json()["source"]) == ("found", "local")
    assert fake_api.requests == []  # someone is waiting: no network when the table knows it


@API_FAILURES
def test_auto_fill_unknown_locally_and_api_failing_is_to_verify(client, fake_api, caplog, response):
    import logging

    siret = "73282932000074"
    fake_api.answer(siret, response)
    client.force_login(UserFactory())
    with caplog.at_level(logging.WARNING, logger="registry"):
        reply = client.get(url(siret))
    assert reply.status_code == 200
    assert (reply.json()["status"], reply.json()["accepted"]) == ("to_verify", True)
    assert "API indisponible" in caplog.text


@API_FAILURES
def test_lead_step_accepts_an_unknown_siret_as_to_verify_when_the_api_fails(
    client, fake_api, caplog, response
):
    """The candidate's form: no 500, the SIRET is kept « à vérifier » and re-checked later."""
    import logging

    from applications.factories import complete_application
    from registry.models import PendingVerification

    unknown = "73282932000074"
    fake_api.answer(unknown, response)
    application = complete_application()
    client.force_login(application.owner)
    with caplog.at_level(logging.WARNING, logger="registry"):
        reply = client.post(
            reverse("applications:lead", args=[application.uuid]), {"lead_siret": unknown}
        )
    assert reply.status_code in (200, 302)
    application.refresh_from_db()
    assert application.lead_siret == unknown
    assert PendingVerification.objects.get(siret=unknown).reason.startswith("API indisponible")
    assert "repli local" in caplog.text


def test_lead_step_survives_an_api_timeout(client, fake_api, settings):
    settings.SIRENE_API_TIMEOUT = 0.2
    settings.SIRENE_API_RETRIES = 0
    fake_api.delay = 1.0
    establishment = EstablishmentFactory()
    from applications.factories import complete_application

    application = complete_application()
    client.force_login(application.owner)
    reply = client.post(
        reverse("applications:lead", args=[application.uuid]), {"lead_siret": establishment.siret}
    )
    assert reply.status_code in (200, 302)
    application.refresh_from_db()
    assert application.lead_siret == establishment.siret

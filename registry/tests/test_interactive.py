"""Issue 18, point 8: a register lookup never blocks a save for more than 300 ms. Local table
first; then the API once, with a short timeout and no retry; a slow API leaves the number
« à vérifier » (checked again by the periodic task)."""

import time

import pytest
from django.urls import reverse

from applications import forms
from applications.factories import complete_application, valid_siret
from registry.factories import EstablishmentFactory
from registry.models import PendingVerification
from registry.services import Status, lookup_siret
from registry.tests.conftest import recorded

pytestmark = pytest.mark.django_db

UNKNOWN_SIRET = "73282932000074"
ASSOCIATION_SIRET = "81234567600017"


def _save_lead_with(client, application, siret):
    data = {}
    for bound in forms.LeadForm(instance=application):
        value = bound.value()
        data[bound.html_name] = "" if value is None else str(bound.field.prepare_value(value))
    data["lead_siret"] = siret
    url = reverse("applications:lead", args=[application.uuid])
    client.get(url)  # warm up (templates, caches): the save alone is measured
    started = time.monotonic()
    response = client.post(url, data)
    return response, time.monotonic() - started


def test_saving_step_one_with_a_slow_api_returns_within_300_ms(client, fake_api):
    application = complete_application()
    client.force_login(application.owner)
    # Warm up the process (imports, HTTP client) with a number the API answers at once.
    _save_lead_with(client, application, valid_siret(777))
    fake_api.requests.clear()
    fake_api.delay = 2.0  # now a register that answers after two seconds
    response, elapsed = _save_lead_with(client, application, UNKNOWN_SIRET)
    assert response.status_code == 302
    assert elapsed < 0.3, f"{elapsed:.3f} s"
    assert fake_api.requests == [UNKNOWN_SIRET]  # one try, no retry
    application.refresh_from_db()
    assert application.lead_siret == UNKNOWN_SIRET
    pending = PendingVerification.objects.get(siret=UNKNOWN_SIRET)
    assert pending.reason.startswith("API indisponible (délai dépassé après 1 tentatives)")


def test_the_local_register_answers_first_without_the_network(fake_api):
    establishment = EstablishmentFactory()
    record = lookup_siret(establishment.siret, interactive=True)
    assert (record.status, record.source) == (Status.FOUND, "local")
    assert fake_api.requests == []


def test_a_quick_api_still_answers_an_interactive_lookup(fake_api):
    fake_api.answer(ASSOCIATION_SIRET, (200, recorded("search_association.json")))
    record = lookup_siret(ASSOCIATION_SIRET, interactive=True)
    assert (record.status, record.source, record.name) == (
        Status.FOUND,
        "online",
        "LES JARDINS DU BOCAGE",
    )


def test_background_lookups_keep_their_longer_timeout_and_retries(fake_api, settings):
    settings.SIRENE_API_RETRIES = 1
    fake_api.answer(UNKNOWN_SIRET, (503, {}))
    lookup_siret(UNKNOWN_SIRET)
    assert fake_api.requests == [UNKNOWN_SIRET, UNKNOWN_SIRET]

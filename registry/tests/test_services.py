import datetime
import logging

import pytest

from core.models import AuditLog
from core.periodic import registered_jobs
from registry import services
from registry.factories import EstablishmentFactory, LegalUnitFactory, siret_of
from registry.models import Establishment, LegalUnit, PendingVerification
from registry.services import Status, form_check_siret, lookup_many, lookup_siren, lookup_siret
from registry.tests.conftest import recorded

pytestmark = pytest.mark.django_db

ASSOCIATION_SIRET = "81234567600017"
CLOSED_SIRET = "52345678800026"
COMMUNE_SIRET = "21350238800019"
UNKNOWN_SIRET = "73282932000074"


def test_local_siret_lookup():
    unit = LegalUnitFactory(name="LES JARDINS DU BOCAGE")
    establishment = EstablishmentFactory(siren=unit.siren)
    record = lookup_siret(establishment.siret[:3] + " " + establishment.siret[3:])
    assert record.status == Status.FOUND
    assert record.status_label == "trouvé dans le répertoire"
    assert record.source == "local"
    assert (record.siren, record.siret) == (unit.siren, establishment.siret)
    assert record.name == "LES JARDINS DU BOCAGE"
    assert (record.legal_category_code, record.legal_category_label) == (
        "9220",
        "Association déclarée",
    )
    assert (record.family, record.family_label) == ("association", "Association")
    assert record.is_ess is True and record.ess_by_status is True
    assert record.is_active is True and record.closed_since is None
    assert record.is_head_office is True
    assert record.full_address == "12 RUE DE LA RÉPUBLIQUE, 35000 RENNES"
    assert record.commune_code == "35238"
    assert record.creation_date == datetime.date(2015, 3, 2)
    assert not PendingVerification.objects.exists()


def test_unknown_siret_is_to_verify_and_recorded():
    record = lookup_siret(UNKNOWN_SIRET)
    assert record.status == Status.TO_VERIFY
    assert record.status_label == "à vérifier"
    assert record.source == ""
    assert record.message.startswith("Numéro introuvable dans le répertoire des entreprises")
    assert PendingVerification.objects.get().siret == UNKNOWN_SIRET


def test_wrong_checksum_is_invalid_and_not_recorded():
    record = lookup_siret("81234567600018")
    assert record.status == Status.INVALID
    assert record.message.startswith("Ce numéro SIRET n’existe pas : sa clé de contrôle est fausse")
    assert lookup_siren("12345").status == Status.INVALID
    assert not PendingVerification.objects.exists()


def test_siren_lookup_uses_the_unit_state_and_head_office_address():
    unit = LegalUnitFactory(ceased=True)
    EstablishmentFactory(siren=unit.siren, closed=True, city="GAP", postal_code="05000")
    record = lookup_siren(unit.siren)
    assert record.status == Status.FOUND
    assert record.is_active is False
    assert record.closed_since == datetime.date(2020, 6, 30)
    assert record.city == "GAP"
    assert services.closed_message(record) == (
        "Cette entreprise a cessé son activité depuis le 30/06/2020."
    )


def test_unit_known_without_its_establishment():
    unit = LegalUnitFactory(company=True)
    record = lookup_siret(siret_of(unit.siren, 7))
    assert record.status == Status.FOUND
    assert record.name == unit.name
    assert record.address == ""
    assert record.notes == ["établissement absent du répertoire local (adresse à compléter)"]


def test_lookup_many_thousand_sirets_in_a_few_queries(django_assert_max_num_queries):
    units = LegalUnitFactory.create_batch(10)
    sirets = []
    for unit in units:
        for number in range(1, 81):
            sirets.append(siret_of(unit.siren, number))
    Establishment.objects.bulk_create(
        [
            Establishment(
                siret=siret, siren=siret[:9], state="A", address="1 RUE X", commune_code="35238"
            )
            for siret in sirets
        ]
    )
    unknown = [siret_of(f"{unit.siren[:8]}0", 1) for unit in units[:0]]  # none
    asked = [*sirets, *(siret_of("732829320", n) for n in range(1, 200)), "123"]
    assert len(asked) == 1000
    with django_assert_max_num_queries(2):
        results = lookup_many(asked)
    assert len(results) == 1000 - len(unknown)
    assert sum(r.status == Status.FOUND for r in results.values()) == 800
    assert sum(r.status == Status.TO_VERIFY for r in results.values()) == 199
    assert results["123"].status == Status.INVALID
    assert results[sirets[0]].name == units[0].name


def test_lookup_many_can_record_pending():
    lookup_many([UNKNOWN_SIRET, UNKNOWN_SIRET], record_pending=True)
    lookup_many([UNKNOWN_SIRET], record_pending=True)
    assert list(PendingVerification.objects.values_list("siret", flat=True)) == [UNKNOWN_SIRET]


# --- online source (a local HTTP server answering with recorded responses) ------------------


def test_online_lookup_maps_the_api_answer(fake_api):
    fake_api.answer(ASSOCIATION_SIRET, (200, recorded("search_association.json")))
    record = lookup_siret(ASSOCIATION_SIRET)
    assert record.source == "online"
    assert record.name == "LES JARDINS DU BOCAGE"
    assert record.legal_category_label == "Association déclarée"
    assert record.is_ess is True
    assert record.is_active is True
    assert record.is_head_office is True
    assert (record.address, record.postal_code, record.city, record.commune_code) == (
        "12 RUE DE LA REPUBLIQUE",
        "35000",
        "RENNES",
        "35238",
    )
    assert record.creation_date == datetime.date(2015, 3, 2)
    assert services.suggested_category(record) == "ess_enterprise"
    # the answer is cached: lookup_many sees it without the network
    fake_api.requests.clear()
    assert lookup_many([ASSOCIATION_SIRET])[ASSOCIATION_SIRET].source == "online"
    assert fake_api.requests == []


def test_online_siren_lookup(fake_api):
    fake_api.answer("213502388", (200, recorded("search_commune.json")))
    record = lookup_siren("213502388")
    assert (record.source, record.name, record.family) == (
        "online",
        "COMMUNE DE RENNES",
        "local_authority",
    )
    assert services.suggested_category(record) == "local_authority"


@pytest.mark.parametrize(
    "responses",
    [
        [(500, {"erreur": "interne"})],
        [(429, {"message": "trop de requêtes"})],
        [(200, b"<html>Service en maintenance</html>")],
        [(200, {"pas": "de results"})],
    ],
    ids=["5xx", "429", "html", "bad-shape"],
)
def test_online_failure_falls_back_to_local(fake_api, caplog, responses):
    unit = LegalUnitFactory()
    establishment = EstablishmentFactory(siren=unit.siren)
    fake_api.answer(establishment.siret, *responses)
    with caplog.at_level(logging.WARNING, logger="registry"):
        record = lookup_siret(establishment.siret)
    assert record.status == Status.FOUND
    assert record.source == "local"
    assert record.notes[-1].startswith("API indisponible (")
    assert "repli local" in caplog.text


def test_slow_api_falls_back_to_local(fake_api, settings):
    settings.SIRENE_API_TIMEOUT = 0.2
    settings.SIRENE_API_RETRIES = 0
    fake_api.delay = 1.0
    establishment = EstablishmentFactory()
    record = lookup_siret(establishment.siret)
    assert (record.status, record.source) == (Status.FOUND, "local")
    assert record.notes == [
        "API indisponible (délai dépassé après 1 tentatives) : répertoire local utilisé"
    ]


def test_unknown_online_then_local(fake_api):
    establishment = EstablishmentFactory()
    assert lookup_siret(establishment.siret).source == "local"  # online_then_local


def test_online_only_trusts_the_api_when_it_answers(fake_api, settings):
    settings.SIRENE_SOURCE = "online"
    establishment = EstablishmentFactory()
    assert lookup_siret(establishment.siret).status == Status.TO_VERIFY


def test_unknown_everywhere_is_to_verify_even_when_the_api_is_down(fake_api):
    fake_api.answer(UNKNOWN_SIRET, (503, {}))
    record = lookup_siret(UNKNOWN_SIRET)
    assert record.status == Status.TO_VERIFY
    assert PendingVerification.objects.get().reason.startswith("API indisponible (HTTP 503")


# --- re-checking SIRETs « à vérifier » ------------------------------------------------------


def test_periodic_recheck_resolves_pending_sirets(django_capture_on_commit_callbacks):
    from registry.tasks import recheck_pending_sirets

    assert "registry.recheck_pending_sirets" in {job.name for job in registered_jobs()}
    lookup_siret(UNKNOWN_SIRET)
    lookup_siret("81234567600017")
    unit = LegalUnit.objects.create(siren="732829320", name="SOCIÉTÉ RETROUVÉE", state="A")
    EstablishmentFactory(siren=unit.siren, siret=UNKNOWN_SIRET)
    with django_capture_on_commit_callbacks(execute=True):
        recheck_pending_sirets.enqueue()
    resolved = PendingVerification.objects.get(siret=UNKNOWN_SIRET)
    assert resolved.resolved_at is not None
    assert (resolved.resolved_source, resolved.attempts) == ("local", 1)
    still = PendingVerification.objects.get(siret="81234567600017")
    assert (still.resolved_at, still.attempts) == (None, 1)
    entry = AuditLog.objects.get(action="registry.siret_verified")
    assert entry.object_id == str(resolved.pk)


# --- what the application form calls --------------------------------------------------------


def test_form_check_refuses_a_closed_establishment():
    establishment = EstablishmentFactory(closed=True)
    ok, message, data = form_check_siret(establishment.siret)
    assert ok is False
    assert message == (
        "Cet établissement est fermé depuis le 12/03/2021 : indiquez le SIRET d’un "
        "établissement actif."
    )
    assert data["is_active"] is False
    assert data["closed_since"] == "2021-03-12"


def test_form_check_closed_establishment_online(fake_api):
    fake_api.answer(CLOSED_SIRET, (200, recorded("search_closed_establishment.json")))
    ok, message, data = form_check_siret(CLOSED_SIRET)
    assert ok is False
    assert message.startswith("Cet établissement est fermé depuis le 12/03/2021")
    assert (data["source"], data["city"], data["is_head_office"]) == ("online", "GAP", False)
    assert data["suggested_category"] == "other_enterprise"


def test_form_check_accepts_unknown_as_to_verify_and_refuses_bad_checksum():
    ok, message, data = form_check_siret(UNKNOWN_SIRET)
    assert ok is True
    assert data["status"] == "to_verify" and data["status_label"] == "à vérifier"
    assert data["suggested_category"] == ""
    assert "sera vérifié plus tard" in message
    ok, message, _ = form_check_siret("81234567600018")
    assert ok is False
    assert "clé de contrôle est fausse" in message


@pytest.mark.parametrize(
    "category, is_ess, expected",
    [
        ("9220", None, "ess_enterprise"),
        ("5458", False, "ess_enterprise"),
        ("9300", None, "ess_enterprise"),
        ("5710", True, "ess_enterprise"),
        ("5710", False, "other_enterprise"),
        ("1000", None, "other_enterprise"),
        ("6540", False, "other_enterprise"),
        ("7346", None, "local_authority"),
        ("7210", None, "local_authority"),
        ("7383", None, "higher_education"),
        ("7389", None, "other"),
        ("8410", None, "other"),
    ],
)
def test_suggested_category(category, is_ess, expected):
    unit = LegalUnitFactory(legal_category=category, is_ess=is_ess)
    establishment = EstablishmentFactory(siren=unit.siren)
    assert services.suggested_category(lookup_siret(establishment.siret)) == expected


def test_after_a_failure_the_api_is_paused_for_a_while(fake_api):
    first = EstablishmentFactory()
    second = EstablishmentFactory()
    fake_api.answer(first.siret, (503, {}))
    assert lookup_siret(first.siret).source == "local"
    asked = len(fake_api.requests)
    record = lookup_siret(second.siret)
    assert (record.status, record.source) == (Status.FOUND, "local")
    assert record.notes == ["API indisponible il y a peu : répertoire local utilisé"]
    assert len(fake_api.requests) == asked  # the API was not called again


def test_demo_register_is_idempotent_and_answers_lookups():
    import io

    from registry import demo

    demo.load(io.StringIO())
    demo.load(io.StringIO())
    assert LegalUnit.objects.count() == len(demo.ORGANISATIONS) + len(demo.DEMO_FILE_ORGANISATIONS)
    closed = Establishment.objects.get(state="F")
    ok, message, _ = form_check_siret(closed.siret)
    assert ok is False and "fermé depuis le 12/03/2021" in message

from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Call, Instrument, PublicationState, Round
from directory.tests.conftest import bulk_ptces
from laureates.factories import PtceFactory, PtceMemberFactory
from laureates.models import PtceStatusChange, Theme

pytestmark = pytest.mark.django_db


def test_list_is_paginated_with_next_and_previous(client):
    bulk_ptces(45)
    first = client.get("/api/v1/ptce", {"page_size": "20"}).json()
    assert first["count"] == 45
    assert len(first["results"]) == 20
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/ptce?page_size=20&page=2"
    last = client.get("/api/v1/ptce", {"page_size": "20", "page": "3"}).json()
    assert len(last["results"]) == 5
    assert last["next"] is None
    assert last["previous"] == "http://testserver/api/v1/ptce?page_size=20&page=2"
    assert [r["nom"] for r in first["results"]][:2] == [
        "Pôle de masse 00000",
        "Pôle de masse 00001",
    ]


def test_list_filters_like_the_directory_and_reports_ignored_values(client):
    bulk_ptces(24)
    food = client.get("/api/v1/ptce", {"theme": "food"}).json()
    assert food["count"] == 2
    assert {r["thematiques"] for r in food["results"]} == {"food"}
    odd = client.get("/api/v1/ptce", {"region": "zz", "page": "-4", "page_size": "1000"}).json()
    assert odd["count"] == 24
    assert odd["warnings"] == [
        "La région demandée est inconnue : ce filtre est ignoré.",
        "Paramètre « page » hors limites : valeur ramenée dans les bornes.",
        "Paramètre « page_size » hors limites : valeur ramenée dans les bornes.",
    ]
    assert len(odd["results"]) == 24


def test_detail_by_uuid_or_slug_with_public_members_and_history(client):
    ptce = PtceFactory(name="Pôle API", themes=[Theme.DIGITAL])
    PtceMemberFactory(ptce=ptce, name="Visible", is_public=True)
    PtceMemberFactory(ptce=ptce, name="Cachée", is_public=False)
    PtceStatusChange.objects.create(ptce=ptce, to_status="active", reason="Import")
    body = client.get(f"/api/v1/ptce/{ptce.uuid}").json()
    assert body["nom"] == "Pôle API"
    assert body["membres_publics"] == [{"nom": "Visible", "categorie": "ess_enterprise"}]
    assert body["nombre_membres"] == 2
    assert body["historique_statut"][0]["vers"] == "active"
    assert client.get(f"/api/v1/ptce/{ptce.slug}").json()["id"] == str(ptce.uuid)
    missing = client.get("/api/v1/ptce/0000")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "PTCE introuvable."}


def test_etag_and_if_none_match(client):
    bulk_ptces(3)
    response = client.get("/api/v1/ptce")
    etag = response["ETag"]
    assert etag.startswith('"') and len(etag) == 34
    cached = client.get("/api/v1/ptce", HTTP_IF_NONE_MATCH=etag)
    assert cached.status_code == 304
    assert cached.content == b""
    assert client.get("/api/v1/ptce", HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    assert client.get("/api/v1/ptce", HTTP_IF_NONE_MATCH='"autre"').status_code == 200
    bulk_ptces(1, prefix="Nouveau")
    assert client.get("/api/v1/ptce", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_rate_limit_per_ip_returns_429(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "directory_api": "3/m"}
    statuses = [client.get("/api/v1/calls").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/calls")
    assert refused.json()["detail"].startswith("Trop de requêtes")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["retry_after"] == int(refused["Retry-After"])
    other = client.get("/api/v1/calls", REMOTE_ADDR="127.0.0.2")
    assert other.status_code == 200


def test_api_is_read_only(client):
    assert client.post("/api/v1/ptce").status_code == 405
    assert client.delete("/api/v1/calls").status_code == 405


def test_calls_lists_published_calls_only(client):
    now = timezone.now()
    published = Call.objects.create(
        title="AMI PTCE 2026",
        slug="ami-2026",
        instrument=Instrument.AMI,
        year=2026,
        is_permanent=True,
        publication_state=PublicationState.PUBLISHED,
        priority_territories=["rural"],
    )
    Round.objects.create(call=published, name="Relève 1", cut_off_at=now + timedelta(days=30))
    Call.objects.create(
        title="Brouillon",
        slug="brouillon",
        instrument=Instrument.AAP,
        year=2026,
        closes_at=now + timedelta(days=3),
    )
    body = client.get("/api/v1/calls").json()
    assert body["count"] == 1
    call = body["results"][0]
    assert call["slug"] == "ami-2026"
    assert call["phases"] == ["emergence"]
    assert call["releves"][0]["nom"] == "Relève 1"
    assert call["territoires_prioritaires"] == ["rural"]


def test_generated_document_describes_eligibility_with_rule_codes_as_an_enum(client):
    from calls.eligibility import RULES

    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    operation = document["paths"]["/api/v1/eligibility"]["post"]
    assert operation["operationId"] == "checkEligibility"
    assert {"200", "400", "404", "413", "429"} <= set(operation["responses"])
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/EligibilityFile"}
    assert document["components"]["schemas"]["RuleCode"]["enum"] == list(RULES)
    assert "get" not in document["paths"]["/api/v1/eligibility"]
    explorer = client.get("/api/v1/").content.decode()
    assert "POST /api/v1/eligibility" in explorer


def test_generated_document_describes_the_webhook_payloads(client):
    document = client.get("/api/v1/openapi.json").json()
    assert set(document["webhooks"]) == {"decision.published", "ptce.changed"}
    post = document["webhooks"]["ptce.changed"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/PtceChanged"}
    assert {p["name"] for p in post["parameters"]} == {
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    }
    assert "PtceChangedData" in document["components"]["schemas"]


def test_explorer_lists_operations_without_external_scripts(client):
    content = client.get("/api/v1/").content.decode()
    assert "GET /api/v1/ptce" in content
    assert '<form method="get" action="/api/v1/ptce"' in content
    assert "cdn" not in content.lower()


def test_public_responses_are_cached_for_their_max_age_but_not_staff_ones(client, settings):
    from accounts.factories import UserFactory
    from directory.tokens import issue_token

    settings.DIRECTORY_API_CACHE_SECONDS = 60
    bulk_ptces(2)
    first = client.get("/api/v1/ptce")
    assert first["Cache-Control"] == "public, max-age=60"
    bulk_ptces(1, prefix="Nouveau")
    again = client.get("/api/v1/ptce")
    assert again.json()["count"] == 2  # served from the cache, as promised by max-age
    assert again["ETag"] == first["ETag"]
    assert client.get("/api/v1/ptce", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get("/api/v1/ptce", {"page": "1"}).json()["count"] == 3  # another URL
    _, raw = issue_token(UserFactory(national=True), name="x")
    staff = client.get("/api/v1/staff/awards", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert staff["Cache-Control"] == "private, no-cache"
    assert client.get("/api/v1/staff/awards").status_code == 401  # never from a cache


def test_list_count_is_computed_once_per_filter_set(client, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DIRECTORY_API_COUNT_SECONDS = 60
    bulk_ptces(30)

    def count_queries(params):
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/v1/ptce", params).json()
        return body["count"], sum("__count" in q["sql"] for q in queries.captured_queries)

    assert count_queries({"page_size": "5"}) == (30, 1)
    assert count_queries({"page_size": "5", "page": "2"}) == (30, 0)  # same filter set
    assert count_queries({"theme": "food"})[1] == 1  # another filter set
    PtceFactory(name="Pôle ajouté")  # a saved PTCE: a new generation of counts
    assert count_queries({"page_size": "5"}) == (31, 1)


def test_a_list_page_costs_the_same_queries_whatever_its_size(client):
    """The count and ONE query for the page, on every engine: labels, communes and member
    counts are the pole's listing columns (laureates.listing)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ptces = bulk_ptces(60)
    for ptce in ptces[:3]:
        PtceMemberFactory.create_batch(2, ptce=ptce)
    client.get("/api/v1/ptce")  # names of régions and départements read once per process
    sizes = {}
    for size in (5, 50):
        with CaptureQueriesContext(connection) as captured:
            body = client.get("/api/v1/ptce", {"page_size": size}).json()
        sizes[size] = len(captured.captured_queries)
        assert len(body["results"]) == size
    assert sizes[5] == sizes[50] == 2
    first = body["results"][0]
    assert first["nombre_membres"] == 2
    assert first["labels"] == "AMI 2021"
    assert first["annee_premier_label"] == 2021
    assert (first["region_nom"], first["departement_nom"]) == ("Auvergne-Rhône-Alpes", "Rhône")
    assert body["results"][4]["nombre_membres"] == 0


def test_list_shows_a_renamed_region_at_once(client):
    from territories.models import Region

    bulk_ptces(1)
    assert client.get("/api/v1/ptce").json()["results"][0]["region_nom"] == "Auvergne-Rhône-Alpes"
    region = Region.objects.get(code="84")
    region.name = "Région renommée"
    region.save()
    assert client.get("/api/v1/ptce").json()["results"][0]["region_nom"] == "Région renommée"


def test_list_count_is_kept_in_the_process_in_front_of_the_database_cache(client, settings):
    """With a shared cache outside the process (database, Redis), a repeated filter set reads
    no cache at all; a PTCE saved here is counted at once, one saved by another process once
    this process's copy of the generation has expired (LOCAL_GENERATION_SECONDS)."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from directory import api_http

    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "core.cache.AtomicDatabaseCache", "LOCATION": "ptce_cache"},
    }
    settings.DIRECTORY_API_COUNT_SECONDS = 60
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "directory_api": "0"}  # its own counters
    caches["default"].clear()
    bulk_ptces(12)

    def read(params):
        with CaptureQueriesContext(connection) as captured:
            body = client.get("/api/v1/ptce", params).json()
        sql = [query["sql"] for query in captured.captured_queries]
        return body["count"], sum("__count" in s for s in sql), sum("ptce_cache" in s for s in sql)

    assert read({"page_size": "5"})[:2] == (12, 1)
    assert read({"page_size": "5", "page": "2"}) == (12, 0, 0)  # nothing but the page
    PtceFactory(name="Pôle ajouté")  # saved in this process: a new generation at once
    assert read({"page_size": "5"})[:2] == (13, 1)
    assert read({"page_size": "5"}) == (13, 0, 0)
    bulk_ptces(1, prefix="Autre processus")  # no signal here: as if saved elsewhere…
    caches["default"].set(api_http.COUNT_GENERATION, "autre", timeout=None)  # …which did this
    assert read({"page_size": "5"})[0] == 13  # this process's copy of the generation
    api_http._local_counts.delete(api_http.COUNT_GENERATION)  # LOCAL_GENERATION_SECONDS later
    assert read({"page_size": "5"})[:2] == (14, 1)

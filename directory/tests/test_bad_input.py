"""Hostile and malformed input on every public entry point of the directory app: never a 500,
unknown values ignored with a notice, pages brought back within range, tokens refused."""

import pytest

from accounts.factories import UserFactory
from directory.tests.conftest import bulk_ptces, programme_data
from directory.tokens import issue_token
from events.factories import EventFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    '"Ressourcerie" "',
    "l'étang",
    "'; DROP TABLE laureates_ptce; --",
    "1 OR 1=1",
    "<script>alert(1)</script>",
    "<b onmouseover=alert(1)>x</b>",
    "x" * 10000,
    "♻️ 🍅 👩🏽‍🌾",
    "!!! ::: & | ! ( ) <-> *",
    "%_%\\",
    "nul\x00byte",
    "\u202e\u200b",
    "²",  # str.isdigit() but not int()
]
API_LISTS = ["/api/v1/ptce", "/api/v1/calls", "/api/v1/awards", "/api/v1/events"]
FILTERS = {
    "/api/v1/ptce": ["q", "region", "department", "theme", "status", "year", "priority"],
    "/api/v1/calls": [],
    "/api/v1/awards": ["call", "phase", "region", "year"],
    "/api/v1/events": ["period", "kind", "format"],
}


@pytest.fixture
def data(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "directory_api": "0"}
    bulk_ptces(25)
    programme_data()
    EventFactory()


@pytest.mark.parametrize("url", API_LISTS)
def test_hostile_values_in_every_api_filter_never_fail(client, data, url):
    for name in [*FILTERS[url], "page", "page_size", "inconnu"]:
        for value in HOSTILE:
            response = client.get(url, {name: value})
            assert response.status_code == 200, (url, name, value[:20])
            body = response.json()
            assert set(body) == {"count", "next", "previous", "results", "warnings"}
            assert "<script>" not in response.content.decode()


@pytest.mark.parametrize("url", API_LISTS)
def test_unknown_filter_values_are_ignored_with_a_warning(client, data, url):
    everything = client.get(url).json()["count"]
    for name in FILTERS[url]:
        if name == "q":
            continue
        body = client.get(url, {name: "valeur-inconnue"}).json()
        assert body["count"] == everything, (url, name)
        assert len(body["warnings"]) == 1, (url, name)


@pytest.mark.parametrize("url", API_LISTS)
@pytest.mark.parametrize(
    ("page", "page_size"),
    [("-1", "20"), ("0", "0"), ("999999999999999999999", "100000"), ("abc", "-5"), ("2.5", "")],
)
def test_out_of_range_pages_are_brought_back(client, data, url, page, page_size):
    response = client.get(url, {"page": page, "page_size": page_size})
    assert response.status_code == 200
    body = response.json()
    assert body["warnings"]
    assert len(body["results"]) <= 100


def test_hostile_identifiers_in_detail_urls(client, data):
    for identifier in ["0" * 200, "%00", "😀", "1;DROP", "<x>", "'%20OR%201=1"]:
        response = client.get(f"/api/v1/ptce/{identifier}")
        assert response.status_code == 404, identifier
        assert response.json() == {"detail": "PTCE introuvable."}
    # A « / » leaves the route: Django's own 404 page.
    assert client.get("/api/v1/ptce/..%2F..%2Fetc").status_code == 404


@pytest.mark.parametrize("value", HOSTILE)
def test_public_pages_ignore_hostile_parameters(client, data, value):
    for url in ["/statistiques/", "/donnees-ouvertes/", "/annuaire/carte/", "/api/v1/"]:
        response = client.get(url, {"niveau": value, "q": value, "page": value})
        assert response.status_code == 200, (url, value[:20])
    response = client.get("/annuaire/", {"q": value, "region": value, "year": value})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer ",
        "Bearer ptce_",
        "Bearer ptce_" + "A" * 10000,
        "Bearer ptce_\x00",
        "Bearer ptce_😀",
        "Token ptce_abc",
        "bearer ptce_' OR '1'='1",
        "Basic " + "x" * 50,
    ],
)
def test_wrong_tokens_get_a_json_401(client, data, header):
    issue_token(UserFactory(national=True), name="vrai")
    response = client.get("/api/v1/staff/awards", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_staff_filters_with_hostile_values(client, data):
    _, raw = issue_token(UserFactory(national=True), name="vrai")
    for value in HOSTILE:
        for name in ["call", "phase", "region", "year", "status", "page"]:
            response = client.get(
                "/api/v1/staff/awards", {name: value}, HTTP_AUTHORIZATION=f"Bearer {raw}"
            )
            assert response.status_code == 200, (name, value[:20])

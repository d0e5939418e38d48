import json
import logging

import httpx
import pytest

from registry.models import OnlineCacheEntry
from registry.online import OnlineClient, OnlineUnavailable
from registry.tests.conftest import recorded

pytestmark = pytest.mark.django_db

ASSOCIATION_SIRET = "81234567600017"
CLOSED_SIRET = "52345678800026"


@pytest.fixture(autouse=True)
def _fast_retries(settings):
    settings.SIRENE_API_BACKOFF = 0.0
    settings.SIRENE_API_RETRIES = 2


def client_answering(*responses, seen=None):
    queue = list(responses)

    def handler(request):
        if seen is not None:
            seen.append(str(request.url))
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=content)

    return OnlineClient(base_url="https://api.example.test", transport=httpx.MockTransport(handler))


def test_establishment_found_in_recorded_answer():
    seen = []
    client = client_answering((200, recorded("search_association.json")), seen=seen)
    result = client.establishment(ASSOCIATION_SIRET)
    assert result["nom_complet"] == "LES JARDINS DU BOCAGE"
    assert seen == [f"https://api.example.test/search?q={ASSOCIATION_SIRET}&page=1&per_page=5"]


def test_closed_establishment_found_among_matching_establishments():
    client = client_answering((200, recorded("search_closed_establishment.json")))
    result = client.establishment(CLOSED_SIRET)
    assert result["siren"] == "523456788"


def test_unknown_number_is_none_and_cached_as_not_found():
    seen = []
    client = client_answering((200, recorded("search_empty.json")), seen=seen)
    assert client.establishment("73282932000074") is None
    assert client.establishment("73282932000074") is None
    assert len(seen) == 1
    assert OnlineCacheEntry.objects.get().payload == {"not_found": True}


def test_answers_are_cached_until_they_expire(settings):
    seen = []
    client = client_answering((200, recorded("search_association.json")), seen=seen)
    client.establishment(ASSOCIATION_SIRET)
    client.establishment(ASSOCIATION_SIRET)
    assert len(seen) == 1
    settings.SIRENE_API_CACHE_SECONDS = -1  # stored already expired
    expired = client_answering((200, recorded("search_association.json")), seen=seen)
    expired.unit("812345676")
    expired.unit("812345676")
    assert len(seen) == 3


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_retries_then_succeeds(status):
    seen = []
    client = client_answering(
        (status, b"{}"), (200, recorded("search_association.json")), seen=seen
    )
    assert client.unit("812345676")["siren"] == "812345676"
    assert len(seen) == 2


def test_gives_up_after_retries_and_logs(caplog):
    seen = []
    client = client_answering((503, b"busy"), seen=seen)
    with (
        caplog.at_level(logging.WARNING, logger="registry.online"),
        pytest.raises(OnlineUnavailable, match="HTTP 503 après 3 tentatives"),
    ):
        client.unit("812345676")
    assert len(seen) == 3
    assert "indisponible pour siren:812345676" in caplog.text
    assert not OnlineCacheEntry.objects.exists()  # failures are not cached


def test_timeout_is_retried_then_reported():
    client = client_answering(httpx.ReadTimeout("trop lent"))
    with pytest.raises(OnlineUnavailable, match="délai dépassé après 3 tentatives"):
        client.unit("812345676")


@pytest.mark.parametrize(
    "body, message",
    [
        (b"<html>maintenance</html>", "réponse JSON illisible"),
        (b'{"erreur": "x"}', "réponse JSON inattendue"),
    ],
)
def test_malformed_json_is_unavailable_without_retry(body, message):
    seen = []
    client = client_answering((200, body), seen=seen)
    with pytest.raises(OnlineUnavailable, match=message):
        client.unit("812345676")
    assert len(seen) == 1

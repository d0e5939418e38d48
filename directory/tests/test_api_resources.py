"""API: awards, events and the staff-only resource behind a bearer token."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.factories import UserFactory
from accounts.models import Role
from core.models import AuditLog
from directory.models import ApiToken
from directory.tests.conftest import programme_data
from directory.tokens import TokenError, digest, issue_token, revoke_token
from events.factories import EventFactory, SeriesFactory
from events.models import EventStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return programme_data()


def _bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_awards_list_public_decisions_with_filters(client, data):
    body = client.get("/api/v1/awards").json()
    assert body["count"] == 3
    assert {r["ptce_nom"] for r in body["results"]} == {"Pôle Alpha", "Pôle Bravo", "Pôle Foxtrot"}
    funding = client.get("/api/v1/awards", {"phase": "funding", "region": "53"}).json()
    assert [(r["ptce_nom"], r["montant"]) for r in funding["results"]] == [("Pôle Bravo", 50000)]
    odd = client.get("/api/v1/awards", {"call": "inconnu", "phase": "x", "year": "abc"}).json()
    assert odd["count"] == 3
    assert odd["warnings"] == [
        "L’appel demandé est inconnu : ce filtre est ignoré.",
        "La phase demandé(e) est inconnu(e) : ce filtre est ignoré.",
        "L’année demandée est invalide : ce filtre est ignoré.",
    ]
    assert client.get("/api/v1/awards", {"year": "2025"}).json()["count"] == 1


def test_events_list_public_fields_only(client):
    series = SeriesFactory(title="PTCE Saison 3")
    EventFactory(title="Webinaire à venir", kind="webinar", series=series, episode_number=1)
    EventFactory(past=True, title="Table ronde passée")
    EventFactory(title="Annulé", status=EventStatus.CANCELLED)
    body = client.get("/api/v1/events", {"period": "upcoming"}).json()
    assert [r["titre"] for r in body["results"]] == ["Webinaire à venir", "Annulé"] or [
        r["titre"] for r in body["results"]
    ] == ["Annulé", "Webinaire à venir"]
    webinar = client.get("/api/v1/events", {"kind": "webinar"}).json()["results"][0]
    assert webinar["saison"] == "PTCE Saison 3"
    assert webinar["episode"] == 1
    assert "join_url" not in webinar and "4242" not in str(webinar)
    past = client.get("/api/v1/events", {"period": "past"}).json()
    assert [r["titre"] for r in past["results"]] == ["Table ronde passée"]
    odd = client.get("/api/v1/events", {"period": "demain", "format": "<b>"}).json()
    assert odd["count"] == 3
    assert len(odd["warnings"]) == 2


def test_staff_awards_need_a_token(client, data):
    response = client.get("/api/v1/staff/awards")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"].startswith("Jeton d’API requis")
    for header in ["Bearer ptce_faux", "Basic dXNlcjpwYXNz", "Bearer", "ptce_x" * 100, "Bearer 😀"]:
        response = client.get("/api/v1/staff/awards", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response.json() == {"detail": "Jeton d’API invalide."}


def test_expired_and_revoked_tokens_are_refused(client, data):
    national = UserFactory(national=True)
    expired, raw_expired = issue_token(national, name="ancien", days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/staff/awards", **_bearer(raw_expired))
    assert response.status_code == 401
    assert response.json() == {"detail": "Ce jeton d’API a expiré."}
    revoked, raw_revoked = issue_token(national, name="révoqué")
    revoke_token(revoked, actor=national)
    response = client.get("/api/v1/staff/awards", **_bearer(raw_revoked))
    assert response.json() == {"detail": "Ce jeton d’API a été révoqué."}
    assert AuditLog.objects.filter(action="api.token_revoked").count() == 1


def test_national_token_sees_every_award_with_private_fields(client, data):
    national = UserFactory(national=True)
    token, raw = issue_token(national, name="tableau de bord")
    assert token.token_hash == digest(raw) and raw not in str(token.__dict__)
    response = client.get("/api/v1/staff/awards", **_bearer(raw))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert "Authorization" in response["Vary"]
    body = response.json()
    assert body["count"] == 4
    cancelled = [r for r in body["results"] if r["etat"] == "cancelled"]
    assert [(r["structure_porteuse"], r["montant"]) for r in cancelled] == [
        ("Association Charlie", 99999.0)
    ]
    assert (
        client.get("/api/v1/staff/awards", {"status": "granted"}, **_bearer(raw)).json()["count"]
        == 3
    )
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_regional_token_sees_its_region_only_and_candidates_get_no_token(client, data):
    reviewer = UserFactory(role=Role.REGIONAL_REVIEWER, region_id="84")
    _, raw = issue_token(reviewer, name="suivi régional")
    body = client.get("/api/v1/staff/awards", **_bearer(raw)).json()
    assert sorted(r["structure_porteuse"] for r in body["results"]) == [
        "Association Alpha",
        "Association Charlie",
    ]
    with pytest.raises(TokenError):
        issue_token(UserFactory(), name="candidat")
    reviewer.role = Role.CANDIDATE
    reviewer.save()
    response = client.get("/api/v1/staff/awards", **_bearer(raw))
    assert response.status_code == 403


def test_issue_api_token_command_prints_the_token_once(data, capsys):
    national = UserFactory(national=True, email="cellule@exemple.fr")
    call_command("issue_api_token", "cellule@exemple.fr", "--name", "script", "--days", "30")
    raw = capsys.readouterr().out.splitlines()[1]
    token = ApiToken.objects.get(owner=national)
    assert token.token_hash == digest(raw)
    assert (token.expires_at - timezone.now()).days in (29, 30)


def test_openapi_document_describes_every_endpoint_and_the_token(client):
    document = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/ptce",
        "/api/v1/ptce/{id}",
        "/api/v1/calls",
        "/api/v1/awards",
        "/api/v1/events",
        "/api/v1/staff/awards",
    } <= set(document["paths"])
    staff = document["paths"]["/api/v1/staff/awards"]["get"]
    assert staff["security"] == [{"jetonAgent": []}]
    assert {"401", "403"} <= set(staff["responses"])
    assert document["components"]["securitySchemes"]["jetonAgent"]["scheme"] == "bearer"


def test_explorer_lists_new_operations_offline(client):
    content = client.get("/api/v1/").content.decode()
    assert "GET /api/v1/awards" in content
    assert "GET /api/v1/events" in content
    assert "Authorization: Bearer" in content
    assert "<script" not in content.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'src="http' not in content  # nothing loaded from another site

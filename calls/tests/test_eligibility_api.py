"""``POST /api/v1/eligibility``: the public simulator."""

import json
from pathlib import Path

import pytest
from django.test import Client

from calls.factories import CallFactory

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "eligibility-file.json"
URL = "/api/v1/eligibility"


def example():
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def post(client, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **extra)


@pytest.mark.django_db
def test_eligible_file_without_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = post(client, example())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["eligible"] is True
    assert body["unmet"] == []
    assert [v["code"] for v in body["verdicts"]][:3] == [
        "lead_private_legal_person",
        "three_legal_persons",
        "ess_enterprise",
    ]
    assert "« Menuiserie du Revermont (exemple) »" in response.content.decode()


@pytest.mark.django_db
def test_ineligible_file_lists_unmet_rules(client):
    data = example()
    data["members"] = []
    data["budget"]["total_resources"] = "119999"
    body = post(client, data).json()
    assert body["eligible"] is False
    assert body["unmet"] == [
        "three_legal_persons",
        "non_ess_enterprise",
        "other_article_9_actor",
        "balanced_budget",
    ]


@pytest.mark.django_db
def test_malformed_file_is_a_400_naming_the_field(client):
    data = example()
    data["members"][0]["category"] = "mairie"
    response = post(client, data)
    assert response.status_code == 400
    assert response.json() == {
        "error": "Champ « members[0].category » : catégorie inconnue 'mairie' (valeurs "
        "possibles : ess_enterprise, other_enterprise, local_authority, research_centre, "
        "higher_education, training_body, other).",
        "field": "members[0].category",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["{", b"\xff\xfe", "[]", "null"])
def test_invalid_json_is_a_400(client, body):
    response = post(client, body)
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


@pytest.mark.django_db
def test_body_over_one_megabyte_is_refused(client):
    data = example()
    data["project"]["innovation"] = "x" * (1024 * 1024)
    response = post(client, data)
    assert response.status_code == 413
    assert response.json() == {"error": "Description trop volumineuse (1 Mo au plus)."}


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_other_methods_are_405(client, method):
    response = getattr(client, method)(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == {"error": "Utilisez la méthode POST avec un corps JSON."}


@pytest.mark.django_db
def test_rules_of_a_published_call(client):
    CallFactory(slug="ami-2025", min_award=30000, max_award=50000)
    body = post(client, example(), QUERY_STRING="call=ami-2025").json()
    assert body["unmet"] == ["amount_bounds"]


@pytest.mark.django_db
def test_draft_call_is_not_found(client):
    CallFactory(slug="brouillon", draft=True)
    response = post(client, example(), QUERY_STRING="call=brouillon")
    assert response.status_code == 404
    assert response.json() == {"error": "Aucun appel publié n’a l’adresse « brouillon »."}


@pytest.mark.django_db
def test_nothing_is_stored(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = post(client, example())
    assert response.status_code == 200

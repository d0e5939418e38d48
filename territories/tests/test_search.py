import pytest

from territories.services import search_communes, search_epcis, summarise_territory

pytestmark = pytest.mark.django_db


def test_search_is_accent_and_case_insensitive():
    labels = [match.label for match in search_communes("SAINT-etienne")]
    assert labels[0] == "Saint-Étienne (42)"


def test_former_commune_name_finds_the_current_commune():
    [match] = search_communes("Arbignieu")
    assert match.commune.code == "01015"
    assert match.commune.type == "commune-actuelle"
    assert match.label == "Arboys en Bugey (01) — anciennement Arbignieu"


def test_postal_code_and_insee_code_search():
    # 69001 is Lyon's 1st district postal code and Affoux's INSEE code.
    assert [m.commune.name for m in search_communes("69001")] == ["Lyon", "Affoux"]
    assert [m.commune.name for m in search_communes("01053")] == ["Bourg-en-Bresse"]


def test_municipal_district_search_returns_the_city():
    assert search_communes("Marseille 1er")[0].commune.name == "Marseille"


def test_epci_search():
    assert search_epcis("bassin de bourg")[0].code == "200071751"


def test_territory_summary_counts_each_commune_once():
    summary = summarise_territory(commune_codes=["01053"], epci_codes=["200071751"])
    assert len({c.code for c in summary.communes}) == len(summary.communes)
    assert [d.code for d in summary.departments] == ["01"]
    assert [r.name for r in summary.regions] == ["Auvergne-Rhône-Alpes"]
    assert summary.population == sum(c.population for c in summary.communes)


def test_search_endpoint_is_public_json(client):
    response = client.get("/territoires/recherche/", {"q": "bourg en bresse"})
    assert response.status_code == 200
    assert response.json()["results"][0]["code"] == "01053"

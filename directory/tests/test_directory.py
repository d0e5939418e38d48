import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.tests.conftest import bulk_ptces
from laureates.factories import PtceFactory, PtceLabelFactory, PtceMemberFactory
from laureates.models import PtceStatus, PtceStatusChange, Theme
from laureates.services import refresh_search, set_ptce_territory

pytestmark = pytest.mark.django_db
LIST = "/annuaire/"


def names(response) -> list[str]:
    return [ptce.name for ptce in response.context["page_obj"].object_list]


@pytest.fixture
def poles():
    reemploi = PtceFactory(
        name="Ressourcerie de l’Étang",
        description="Réemploi et économie circulaire",
        themes=[Theme.CIRCULAR_ECONOMY],
        status=PtceStatus.ACTIVE,
    )
    set_ptce_territory(reemploi, commune_codes=["29019"])  # Brest
    food = PtceFactory(
        name="Cuisine partagée",
        description="Alimentation durable, légumerie",
        themes=[Theme.FOOD],
        status=PtceStatus.EMERGING,
    )
    set_ptce_territory(food, commune_codes=["97411"])  # Saint-Denis (La Réunion)
    PtceLabelFactory(ptce=food, title="AMI 2021", year=2021)
    PtceLabelFactory(ptce=reemploi, title="AAP 2013", year=2013)
    return reemploi, food


def test_url_names_resolve():
    assert reverse("directory:list") == LIST
    assert reverse("directory:map") == "/annuaire/carte/"
    assert reverse("directory:open_data") == "/donnees-ouvertes/"


@pytest.mark.parametrize("query", ["etang", "ÉTANG", "Étang", "ressourcerie", "reemploi", "BREST"])
def test_search_is_accent_and_case_insensitive(client, poles, query):
    response = client.get(LIST, {"q": query})
    assert response.status_code == 200
    assert names(response) == ["Ressourcerie de l’Étang"]


def test_search_finds_prefixes_and_commune_names(client, poles):
    assert names(client.get(LIST, {"q": "ressour"})) == ["Ressourcerie de l’Étang"]
    assert names(client.get(LIST, {"q": "saint-denis"})) == ["Cuisine partagée"]


def test_filters_combine_and_count_per_facet(client, poles):
    response = client.get(LIST, {"region": "53"})
    assert names(response) == ["Ressourcerie de l’Étang"]
    regions = {o["value"]: o["count"] for o in response.context["region_options"]}
    assert regions["53"] == 1 and regions["04"] == 1  # other régions still counted
    themes = {o["value"]: o["count"] for o in response.context["theme_options"]}
    assert themes["circular_economy"] == 1 and themes["food"] == 0
    assert names(client.get(LIST, {"theme": "food"})) == ["Cuisine partagée"]
    assert names(client.get(LIST, {"status": "emerging"})) == ["Cuisine partagée"]
    assert names(client.get(LIST, {"year": "2013"})) == ["Ressourcerie de l’Étang"]
    assert names(client.get(LIST, {"department": "974"})) == ["Cuisine partagée"]
    assert names(client.get(LIST, {"priority": "overseas"})) == ["Cuisine partagée"]
    assert names(client.get(LIST, {"region": "53", "theme": "food"})) == []


def test_unknown_filter_values_are_ignored_with_a_notice(client, poles):
    response = client.get(
        LIST,
        {
            "region": "99",
            "department": "<script>",
            "theme": "astrologie",
            "status": "zombie",
            "year": "deux mille",
            "priority": "lune\x00",
        },
    )
    assert response.status_code == 200
    assert len(names(response)) == 2
    notices = response.context["filters"].notices
    assert notices == [
        "La région demandée est inconnue : ce filtre est ignoré.",
        "Le département demandé est inconnu : ce filtre est ignoré.",
        "La thématique demandée est inconnue : ce filtre est ignoré.",
        "Le statut demandé est inconnu : ce filtre est ignoré.",
        "L’année de label demandée est invalide : ce filtre est ignoré.",
        "Le territoire prioritaire demandé est inconnu : ce filtre est ignoré.",
    ]
    assert "La région demandée est inconnue" in response.content.decode()


def test_rural_and_qpv_filters_say_the_data_is_missing(client, poles):
    response = client.get(LIST, {"priority": "rural"})
    assert len(names(response)) == 2
    assert "donnée non disponible" in response.context["filters"].notices[0]
    assert "Territoires ruraux » : la grille communale de densité" in response.content.decode()
    assert 'value="rural"' not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        '"Ressourcerie"',
        "l'étang",
        "'; DROP TABLE laureates_ptce; --",
        "<script>alert(1)</script>",
        "x" * 10000,
        "♻️ 🍅",
        "!!! ::: & | ! ( )",
        "%_%",
        "nul\x00byte",
    ],
)
def test_hostile_search_strings_never_fail(client, poles, query):
    response = client.get(LIST, {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_quoted_and_sql_like_searches_still_search(client, poles):
    assert names(client.get(LIST, {"q": '"Ressourcerie"'})) == ["Ressourcerie de l’Étang"]
    assert names(client.get(LIST, {"q": "'; DROP TABLE laureates_ptce; --"})) == []
    assert len(names(client.get(LIST, {"q": "♻️"}))) == 2  # no usable word: search ignored
    long = client.get(LIST, {"q": "x" * 10000})
    assert "limitée à ses 200 premiers caractères" in long.content.decode()


@pytest.mark.parametrize("page", ["-1", "0", "abc", "999999999999999999999", "2.5"])
def test_out_of_range_pages_fall_back_to_a_valid_page(client, page):
    bulk_ptces(45)
    response = client.get(LIST, {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number in {1, 3}


def test_pagination_keeps_the_filters_in_links(client):
    bulk_ptces(45)
    response = client.get(LIST, {"status": "emerging", "page": "1"})
    assert response.context["total"] == 12
    bulk = client.get(LIST, {"q": "masse", "page": "2"})
    assert bulk.context["page_obj"].number == 2
    assert "q=masse&amp;page=3" in bulk.content.decode()


def _count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(LIST, params)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("params", [{}, {"q": "masse", "region": "84", "year": "2021"}])
def test_query_count_is_the_same_for_100_and_1000_ptce(client, params):
    bulk_ptces(100, prefix="Pôle de masse")
    small = _count_queries(client, params)
    bulk_ptces(900, prefix="Pôle de masse bis")
    large = _count_queries(client, params)
    assert small == large
    assert large <= 16


def test_ptce_page_shows_public_members_only(client, poles):
    reemploi, _ = poles
    PtceMemberFactory(ptce=reemploi, name="Coop publique", is_public=True)
    PtceMemberFactory(ptce=reemploi, name="Jean Dupont consultant", is_public=False)
    reemploi.contact_email = "contact@etang.example"
    reemploi.save()
    refresh_search(reemploi)
    PtceStatusChange.objects.create(ptce=reemploi, to_status="active", reason="Import")
    response = client.get(f"/annuaire/{reemploi.slug}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Coop publique" in content
    assert "Jean Dupont" not in content
    assert "1 autre membre n’a pas souhaité apparaître publiquement." in content
    assert "Brest (29019)" in content
    assert "contact@etang.example" in content
    assert "AAP 2013" in content
    assert client.get(f"/annuaire/{reemploi.uuid}/").context["ptce"] == reemploi
    assert client.get("/annuaire/inconnu/").status_code == 404


def test_private_members_are_not_searchable(client, poles):
    reemploi, _ = poles
    PtceMemberFactory(ptce=reemploi, name="Zorglub confidentiel", is_public=False)
    refresh_search(reemploi)
    assert names(client.get(LIST, {"q": "zorglub"})) == []


def _random_page_cost() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        return cursor.fetchone()[0]


def test_search_planning_lowers_random_page_cost_for_text_searches_only():
    from directory.queries import SEARCH_RANDOM_PAGE_COST, parse_filters, search_planning

    if connection.vendor != "postgresql":
        with search_planning(parse_filters({"q": "réemploi"})):
            pass  # nothing to set on SQLite
        return
    default = _random_page_cost()
    with search_planning(parse_filters({"region": ""})):
        assert _random_page_cost() == default  # no search words: server settings
    with search_planning(parse_filters({"q": "réemploi"})):
        assert _random_page_cost() == SEARCH_RANDOM_PAGE_COST
    # (SET LOCAL then ends with the transaction; here the test's own transaction.)


def test_year_facet_counts_with_other_filters(client, poles):
    response = client.get(LIST, {"year": "2021", "status": PtceStatus.EMERGING})
    assert names(response) == ["Cuisine partagée"]
    options = {o["value"]: o["count"] for o in response.context["status_options"]}
    assert options[PtceStatus.EMERGING] == 1
    assert options[PtceStatus.ACTIVE] == 0  # the active PTCE has no 2021 label
    years = {o["value"]: o["count"] for o in response.context["year_options"]}
    assert years == {2021: 1}  # the year facet ignores the year filter, keeps the status one

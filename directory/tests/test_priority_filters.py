"""The directory's « Territoires ruraux » and « QPV » filters (issue 17, item 3): flags derived from
the official reference data (rule of the allocation bonus: rural when at least half of the
territory's communes are rural, QPV when at least one has a quartier prioritaire), recomputed on
import and when a territory changes, offered only once the data is loaded."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laureates.factories import PtceFactory
from laureates.importer import import_rows, read_csv
from laureates.models import Ptce
from laureates.priority import refresh_priority_flags
from laureates.services import set_ptce_territory

pytestmark = pytest.mark.django_db
LIST = "/annuaire/"

# Finistère communes, degrees of the 7-level grid written for the test. Brest Métropole
# (EPCI 242900314, 8 communes) has only Brest in the file: no rural commune.
DENSITY = (
    "CODGEO;LIBGEO;DENS;LIBDENS\n"
    "29001;Argol;6;Rural à habitat dispersé\n"
    "29002;Arzano;5;Bourgs ruraux\n"
    "29004;Bannalec;4;Petites villes\n"
    "29007;Berrien;7;Rural à habitat très dispersé\n"
    "29010;Bodilis;3;Ceintures urbaines\n"
    "29012;Bolazec;7;Rural à habitat très dispersé\n"
    "29019;Brest;1;Grands centres urbains\n"
)
QPV = (
    "code_qp;lib_qp;insee_com;lib_com\n"
    "QN02901M;Quartier de test;29019;Brest\n"
    "QN02902M;Autre quartier de test;29004;Bannalec\n"
)


def names(response) -> list[str]:
    return sorted(ptce.name for ptce in response.context["page_obj"].object_list)


def _load(tmp_path, command, text, name):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    call_command(command, str(path), stdout=io.StringIO())


def _priority_values(response) -> list[str]:
    return [option["value"] for option in response.context["priority_options"]]


@pytest.fixture
def poles():
    """Three poles: two rural communes of three (rural by the bonus rule), one rural of three
    (not rural: « at least one » is not the rule), Brest Métropole (urban, Brest has a QPV)."""
    rural = PtceFactory(name="Pôle des monts")
    set_ptce_territory(rural, commune_codes=["29001", "29007", "29010"])
    mixed = PtceFactory(name="Pôle du bourg")
    set_ptce_territory(mixed, commune_codes=["29002", "29004", "29010"])
    city = PtceFactory(name="Pôle métropolitain")
    set_ptce_territory(city, epci_codes=["242900314"])
    PtceFactory(name="Pôle sans territoire")
    return rural, mixed, city


def _flags(name):
    return tuple(Ptce.objects.filter(name=name).values_list("is_rural", "has_qpv").get())


def test_without_reference_data_the_filters_are_not_offered_and_say_why(client, poles):
    response = client.get(LIST)
    content = response.content.decode()
    assert _priority_values(response) == ["overseas"]
    assert 'value="rural"' not in content and 'value="qpv"' not in content
    assert (
        "« Territoires ruraux » : la grille communale de densité de l’Insee n’a pas été "
        "importée, ce filtre n’est pas encore proposé." in content
    )
    assert "la liste officielle des quartiers prioritaires (QPV) n’a pas été importée" in content
    assert _flags("Pôle des monts") == (None, None)
    asked = client.get(LIST, {"priority": "rural"})
    assert len(names(asked)) == 4  # ignored, with a notice
    assert asked.context["filters"].priority == ""
    assert "donnée non disponible" in asked.context["filters"].notices[0]


def test_density_import_flags_the_poles_and_the_filter_finds_the_rural_ones(
    client, poles, tmp_path
):
    _load(tmp_path, "import_density", DENSITY, "grille.csv")
    assert _flags("Pôle des monts") == (True, None)  # 2 rural communes of 3
    assert _flags("Pôle du bourg") == (False, None)  # 1 rural commune of 3
    assert _flags("Pôle métropolitain") == (False, None)  # Brest Métropole: none rural
    assert _flags("Pôle sans territoire") == (None, None)
    response = client.get(LIST, {"priority": "rural"})
    assert names(response) == ["Pôle des monts"]
    assert response.context["total"] == 1
    assert _priority_values(response) == ["overseas", "rural"]
    rural_option = response.context["priority_options"][1]
    assert rural_option == {
        "value": "rural",
        "label": "Territoires ruraux",
        "count": 1,
        "selected": True,
    }
    content = response.content.decode()
    assert "au moins la moitié des communes du PTCE sont rurales" in content
    assert "la grille communale de densité de l’Insee n’a pas été importée" not in content
    assert "la liste officielle des quartiers prioritaires (QPV) n’a pas été importée" in content


def test_qpv_import_flags_the_poles_with_a_qpv_commune(client, poles, tmp_path):
    _load(tmp_path, "import_qpv", QPV, "qpv.csv")
    # Brest, through the EPCI; Bannalec, one commune of three, is enough.
    assert names(client.get(LIST, {"priority": "qpv"})) == ["Pôle du bourg", "Pôle métropolitain"]
    assert _flags("Pôle des monts") == (None, False)
    counts = client.get(LIST, {"region": "53"}).context["priority_options"]
    assert {o["value"]: o["count"] for o in counts} == {"overseas": 0, "qpv": 2}


def test_a_new_file_recomputes_every_pole(client, poles, tmp_path):
    _load(tmp_path, "import_density", DENSITY, "grille.csv")
    assert names(client.get(LIST, {"priority": "rural"})) == ["Pôle des monts"]
    # Bodilis becomes rural: the « bourg » pole now has 2 rural communes of 3.
    changed = DENSITY.replace("29010;Bodilis;3", "29010;Bodilis;5")
    _load(tmp_path, "import_density", changed, "g2.csv")
    assert names(client.get(LIST, {"priority": "rural"})) == ["Pôle des monts", "Pôle du bourg"]


def test_a_refused_file_leaves_the_flags_as_they_were(poles, tmp_path):
    _load(tmp_path, "import_density", DENSITY, "grille.csv")
    path = tmp_path / "broken.csv"
    path.write_text("CODGEO;LIBGEO\n29001;Argol\n", encoding="utf-8")
    with pytest.raises(Exception, match="DENS"):
        call_command("import_density", str(path), stdout=io.StringIO())
    assert _flags("Pôle des monts") == (True, None)


def test_a_changed_territory_is_recomputed(client, poles, tmp_path):
    _load(tmp_path, "import_density", DENSITY, "grille.csv")
    _load(tmp_path, "import_qpv", QPV, "qpv.csv")
    rural, _, city = poles
    set_ptce_territory(city, commune_codes=["29012", "29007"])  # two rural communes
    assert _flags("Pôle métropolitain") == (True, False)
    set_ptce_territory(rural, commune_codes=["29019"])  # Brest
    assert _flags("Pôle des monts") == (False, True)
    assert names(client.get(LIST, {"priority": "rural"})) == ["Pôle métropolitain"]
    assert names(client.get(LIST, {"priority": "qpv"})) == ["Pôle des monts", "Pôle du bourg"]


def test_the_historical_import_computes_the_flags_of_the_poles_it_places(poles, tmp_path):
    _load(tmp_path, "import_density", DENSITY, "grille.csv")
    header = "nom;région;département;commune;appel;année;phase;thème;statut;source\n"
    text = header + "Pôle importé;Bretagne;29;Berrien;AMI;2021;1;;actif;\n"
    report = import_rows(read_csv(text.encode("utf-8")))
    assert report.count("created") == 1
    assert _flags("Pôle importé") == (True, None)  # Berrien: rural (7)


def test_refresh_of_all_poles_writes_only_changes(poles, tmp_path):
    _load(tmp_path, "import_density", DENSITY, "grille.csv")
    assert refresh_priority_flags() == 0  # already up to date
    Ptce.objects.filter(name="Pôle des monts").update(is_rural=None)
    assert refresh_priority_flags() == 1
    assert _flags("Pôle des monts") == (True, None)


def _count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(LIST, params)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("params", [{}, {"q": "pole", "region": "53"}])
def test_the_list_needs_the_same_queries_with_or_without_reference_data(
    client, poles, tmp_path, params
):
    before = _count_queries(client, params)
    _load(tmp_path, "import_density", DENSITY, "grille.csv")
    _load(tmp_path, "import_qpv", QPV, "qpv.csv")
    assert _count_queries(client, params) == before
    assert _count_queries(client, {**params, "priority": "rural"}) == before
    assert _count_queries(client, {**params, "priority": "qpv"}) == before
    if connection.vendor == "sqlite":  # PostgreSQL adds the search-planning transaction
        # As on main before the filters worked: 8 for the plain list, 9 with a search.
        assert before == (8 if not params else 9)


def test_the_api_filters_once_loaded_and_warns_before(client, poles, tmp_path):
    before = client.get("/api/v1/ptce", {"priority": "qpv"}).json()
    assert before["count"] == 4
    assert "donnée non disponible" in before["warnings"][0]
    _load(tmp_path, "import_qpv", QPV, "qpv.csv")
    after = client.get("/api/v1/ptce", {"priority": "qpv"}).json()
    assert sorted(r["nom"] for r in after["results"]) == ["Pôle du bourg", "Pôle métropolitain"]
    assert after["warnings"] == []


def test_the_demo_samples_are_labelled_illustrative_in_the_directory(client, poles, tmp_path):
    from territories import demo

    _load(tmp_path, "import_density", DENSITY, "grille.csv")
    official = client.get(LIST).content.decode()
    assert "échantillon illustratif, non officiel" not in official
    demo.load(io.StringIO())  # an official grid stays; the QPV sample is loaded
    response = client.get(LIST)
    assert "Territoires ruraux et QPV calculés à partir d’un échantillon illustratif, non " in (
        response.content.decode()
    )
    assert _priority_values(response) == ["overseas", "rural", "qpv"]

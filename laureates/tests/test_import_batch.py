"""The historical import writes in bulk (issue 17, performance): a constant number of queries
whatever the number of rows, the directory's search index right after the import on both
engines, the audit chain intact, and the same results as the row-by-row services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.audit import verify_chain
from core.models import AuditLog
from directory.tests.test_directory import names
from laureates.importer import import_rows, read_csv
from laureates.models import Ptce, PtceStatusChange
from laureates.services import build_search_text, recompute_geography

pytestmark = pytest.mark.django_db
HEADER = "nom;région;département;localisation;appel;année;thème\n"
PLACES = [
    "Tours (agglomération)",
    "Grand Calais",
    "Landes / Pyrénées-Atlantiques",
    "Dijon (quartier des Grésilles)",
    "Cœur de Savoie (communauté de communes)",
    "Romans-sur-Isère (agglomération de Romans)",
]


def rows(count: int, *, prefix="Pôle lot") -> bytes:
    lines = [
        f"{prefix} {index};;;{PLACES[index % len(PLACES)]};AMI;2021;déchets, mutualisation"
        for index in range(count)
    ]
    return (HEADER + "\n".join(lines) + "\n").encode()


def queries_of(data: bytes) -> int:
    parsed = read_csv(data)
    with CaptureQueriesContext(connection) as context:
        import_rows(parsed)
    return len(context.captured_queries)


def test_queries_do_not_grow_with_the_number_of_rows():
    import_rows(read_csv(rows(1, prefix="Amorce")))  # the audit chain's head exists
    few = queries_of(rows(6, prefix="Premier lot"))
    many = queries_of(rows(60, prefix="Second lot"))
    # Ten times the rows, no query per row: only bulk INSERTs split in batches (SQLite takes
    # 999 values a statement, 39 poles).
    assert few <= many <= few + 2
    assert Ptce.objects.count() == 67
    assert PtceStatusChange.objects.count() == 67


def test_imported_poles_are_found_by_the_directory_search_at_once(client):
    import_rows(read_csv(rows(6)))
    # Stemmed free tag (« mutualiser » → « mutualisation »), commune and EPCI place names.
    assert len(names(client.get("/annuaire/", {"q": "mutualiser"}))) == 6
    assert names(client.get("/annuaire/", {"q": "dijon"})) == ["Pôle lot 3"]
    assert names(client.get("/annuaire/", {"q": "pole lot 4"})) == ["Pôle lot 4"]
    # A second file adds a label and a theme to a known pole: its index follows.
    import_rows(read_csv((HEADER + "Pôle lot 3;;;;AAP;2013;ressourcerie, tiers-lieu\n").encode()))
    assert names(client.get("/annuaire/", {"q": "tiers-lieu"})) == ["Pôle lot 3"]
    assert names(client.get("/annuaire/", {"q": "aap 2013"})) == ["Pôle lot 3"]


def test_bulk_results_equal_the_row_by_row_services():
    """Territory, main région and département, population and search text computed in memory
    are those the services compute from the database."""
    import_rows(read_csv(rows(6)))
    import_rows(read_csv((HEADER + "Pôle lot 0;;;Joué-lès-Tours;AAP;2015;\n").encode()))
    for ptce in Ptce.objects.select_related("main_region", "main_department"):
        expected = Ptce.objects.get(pk=ptce.pk)
        recompute_geography(expected)
        assert (
            ptce.main_region_id,
            ptce.main_department_id,
            ptce.population_covered,
        ) == (
            expected.main_region_id,
            expected.main_department_id,
            expected.population_covered,
        ), ptce.name
        assert sorted(ptce.search_text.split()) == sorted(build_search_text(ptce).split())
    tours = Ptce.objects.get(name="Pôle lot 0")
    assert sorted(tours.communes.values_list("code", flat=True)) == ["37122", "37261"]
    assert tours.epcis.count() == 1


def test_audit_chain_stays_valid_and_a_rerun_writes_nothing():
    data = rows(12)
    import_rows(read_csv(data))
    assert AuditLog.objects.filter(action="ptce.import_created").count() == 12
    assert verify_chain() == []
    before = AuditLog.objects.count()
    again = import_rows(read_csv(data))
    assert {row.action for row in again.rows} == {"unchanged"}
    assert AuditLog.objects.count() == before
    assert verify_chain() == []

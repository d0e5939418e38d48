"""Overlap of a declared territory with existing PTCE (issue 17, item 5)."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from laureates.factories import PtceFactory
from laureates.overlap import overlapping_ptces
from laureates.services import set_ptce_territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def poles():
    tours = PtceFactory(name="Pôle de l’agglomération tourangelle")
    set_ptce_territory(tours, epci_codes=["243700754"])  # Tours Métropole Val de Loire, 22
    city = PtceFactory(name="Pôle de Tours centre")
    set_ptce_territory(city, commune_codes=["37261", "37122"])  # Tours, Joué-lès-Tours
    far = PtceFactory(name="Pôle breton")
    set_ptce_territory(far, commune_codes=["29019"])  # Brest
    return tours, city, far


def test_overlap_counts_shared_communes_in_one_query(poles):
    tours, city, _ = poles
    with CaptureQueriesContext(connection) as queries:
        overlaps = overlapping_ptces(["37261", "37122", "37003"], [])
    assert len(queries.captured_queries) == 1
    # Tours and Joué-lès-Tours shared by both (Ambillou is outside both); then by name.
    assert [(o.name, o.shared_communes) for o in overlaps] == [
        ("Pôle de Tours centre", 2),
        ("Pôle de l’agglomération tourangelle", 2),
    ]
    assert overlaps[1].url == f"/annuaire/{tours.slug}/"


def test_declared_epci_against_ptce_communes_and_exclusion(poles):
    tours, city, _ = poles
    overlaps = overlapping_ptces([], ["243700754"], exclude_pk=tours.pk)
    assert [(o.name, o.shared_communes) for o in overlaps] == [("Pôle de Tours centre", 2)]
    assert overlapping_ptces(["29019"], [])[0].name == "Pôle breton"
    assert overlapping_ptces([], []) == []
    assert overlapping_ptces(["99999"], ["000000000"]) == []


def test_partial_says_how_many_and_links(poles):
    html = render_to_string(
        "laureates/_overlap.html", {"overlaps": overlapping_ptces(["37261"], [])}
    )
    assert "2 PTCE de l’annuaire couvrent une partie de ce territoire" in html
    assert "Pôle de Tours centre</a> — 1 commune en commun" in html
    empty = render_to_string("laureates/_overlap.html", {"overlaps": []})
    assert "Aucun PTCE de l’annuaire ne couvre ce territoire." in empty

"""The open-data listing columns of a PTCE (``laureates.listing``): what its record shows of
its members, communes and labels, kept in step by every writer, so that a page of the API is
one read of the PTCE table."""

import pytest

from laureates.factories import PtceFactory, PtceLabelFactory, PtceMemberFactory
from laureates.importer import import_rows, read_csv
from laureates.listing import FIELDS, listing_fields, refresh_listing
from laureates.models import Ptce
from laureates.services import refresh_search, set_ptce_territory

pytestmark = pytest.mark.django_db


def listing(ptce) -> dict:
    return dict(zip(FIELDS, Ptce.objects.values_list(*FIELDS).get(pk=ptce.pk), strict=True))


def test_fields_write_codes_sorted_and_labels_in_year_order_with_their_phase():
    fields = listing_fields(
        3,
        ["2A004", "01001", "97411"],
        [("AMI 2021", 2021, "funding"), ("AAP 2013", 2013, ""), ("AMI 2021", 2021, "emergence")],
    )
    assert fields == {
        "member_count": 3,
        "commune_codes": "01001|2A004|97411",
        "label_summary": "AAP 2013 | AMI 2021 phase 1 | AMI 2021 phase 2",
        "first_label_year": 2013,
    }
    assert listing_fields(0, [], []) == {
        "member_count": 0,
        "commune_codes": "",
        "label_summary": "",
        "first_label_year": None,
    }


def test_a_pole_edited_through_the_services_shows_its_members_communes_and_labels():
    ptce = PtceFactory()
    assert listing(ptce) == listing_fields(0, [], [])
    PtceMemberFactory.create_batch(2, ptce=ptce, is_public=False)  # private ones count too
    PtceLabelFactory(ptce=ptce, title="AMI 2021", year=2021, phase="emergence")
    set_ptce_territory(ptce, commune_codes=["69123", "42218"])
    assert listing(ptce) == {
        "member_count": 2,
        "commune_codes": "42218|69123",
        "label_summary": "AMI 2021 phase 1",
        "first_label_year": 2021,
    }
    ptce.members.all().delete()
    ptce.labels.all().delete()
    set_ptce_territory(ptce, commune_codes=["29019"])  # what the back-office form calls
    assert listing(ptce) == listing_fields(0, ["29019"], [])


def test_an_award_gives_the_pole_the_members_communes_and_label_of_the_file():
    from laureates.factories import funded_award

    award = funded_award()
    application = award.application
    assert listing(award.ptce) == {
        "member_count": application.members.count(),
        "commune_codes": "69238",
        "label_summary": f"{application.call.title} phase 2",
        "first_label_year": application.call.year,
    }


def test_the_historical_import_writes_what_a_full_refresh_would():
    header = "nom;région;département;localisation;appel;année;thème\n"
    import_rows(
        read_csv(
            (
                header
                + "Pôle A;;;Tours (agglomération);AMI;2021;déchets\n"
                + "Pôle B;;;Landes / Pyrénées-Atlantiques;AAP;2013;\n"
                + "Pôle C;;;Parc naturel régional des Ardennes;AAP;2015;\n"
            ).encode()
        )
    )
    # A second file: a known pole gains a label and a commune (written by refresh_search_many).
    import_rows(read_csv((header + "Pôle A;;;Joué-lès-Tours;AAP;2013;\n").encode()))
    imported = {ptce.name: listing(ptce) for ptce in Ptce.objects.all()}
    assert imported["Pôle A"]["label_summary"] == "AAP 2013 | AMI 2021"
    assert imported["Pôle A"]["first_label_year"] == 2013
    assert "37122" in imported["Pôle A"]["commune_codes"].split("|")
    assert imported["Pôle C"]["commune_codes"] == ""
    assert refresh_listing() == 3
    assert {ptce.name: listing(ptce) for ptce in Ptce.objects.all()} == imported


def test_refresh_search_repairs_a_pole_written_behind_the_services_back():
    ptce = PtceFactory()
    Ptce.objects.filter(pk=ptce.pk).update(member_count=99, label_summary="périmé")
    refresh_search(ptce)
    assert listing(ptce) == listing_fields(0, [], [])


def test_the_repair_command_recomputes_every_pole():
    from io import StringIO

    from django.core.management import call_command

    first, second = PtceFactory(), PtceFactory()
    PtceMemberFactory(ptce=second)
    Ptce.objects.update(member_count=7, commune_codes="00000")
    out = StringIO()
    call_command("refresh_ptce_listing", stdout=out)
    assert out.getvalue() == "2 PTCE recalculés.\n"
    assert listing(first)["member_count"] == 0
    assert listing(second)["member_count"] == 1
    assert listing(second)["commune_codes"] == ""

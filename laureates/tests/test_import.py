from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from core.models import AuditLog
from laureates.importer import import_rows, read_csv
from laureates.models import Ptce, PtceLabel, PtceStatus, Theme

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "ptce-historique-demo.csv"
HEADER = "nom;région;département;commune;appel;année;phase;thème;statut;source\n"


def run(text: str, encoding="utf-8"):
    return import_rows(read_csv(text.encode(encoding)))


def test_region_and_department_by_name_or_code_with_or_without_accents():
    report = run(
        HEADER
        + "Pôle A;auvergne rhone alpes;PUY-DE-DOME;;AAP;2013;;;actif;\n"
        + "Pôle B;84;63;;AAP;2013;;;;\n"
        + "Pôle C;La Réunion;974;;AMI;2021;1;;;\n"
        + "Pôle D;Corse;2a;;AMI;2021;1;;;\n"
    )
    assert [row.action for row in report.rows] == ["created"] * 4
    assert report.flagged == []
    a, b, c, d = (Ptce.objects.get(name=name) for name in ["Pôle A", "Pôle B", "Pôle C", "Pôle D"])
    assert (a.main_region_id, a.main_department_id) == ("84", "63")
    assert (b.main_region_id, b.main_department_id) == ("84", "63")
    assert (c.main_region_id, c.main_department_id) == ("04", "974")
    assert (d.main_region_id, d.main_department_id) == ("94", "2A")
    assert a.needs_review is False


def test_two_departments_are_both_read_and_the_first_is_the_main_one():
    report = run(
        HEADER + "Pôle bois;Nouvelle-Aquitaine;Landes / Pyrénées-Atlantiques;;AAP;2013;;;;\n"
    )
    ptce = Ptce.objects.get(name="Pôle bois")
    assert (ptce.main_region_id, ptce.main_department_id) == ("75", "40")
    assert ptce.needs_review is False
    assert report.rows[0].placed is True
    assert report.rows[0].matches == [
        "« Nouvelle-Aquitaine » → région Nouvelle-Aquitaine",
        "« Landes » → département Landes (40)",
        "« Pyrénées-Atlantiques » → département Pyrénées-Atlantiques (64)",
        "plusieurs départements : Landes (40), Pyrénées-Atlantiques (64) ; département "
        "principal : Landes",
    ]


def test_missing_geography_flagged_and_department_outside_region_dropped():
    run(HEADER + "Sans lieu;;;;AMI;2023;1;;;\n" + "Mauvaise paire;Bretagne;Gers;;AMI;2023;1;;;\n")
    no_place = Ptce.objects.get(name="Sans lieu")
    assert no_place.needs_review and no_place.main_region is None
    assert "région et département absents" in no_place.review_note
    mismatch = Ptce.objects.get(name="Mauvaise paire")
    assert mismatch.main_region is None and mismatch.main_department is None
    assert "le département « Gers » n’est pas dans la région « Bretagne »" in mismatch.review_note


def test_department_alone_gives_the_region_and_commune_sets_the_territory():
    run(HEADER + "Textile;;49;Cholet;AMI;2021;1;Textile;émergent;\n")
    ptce = Ptce.objects.get(name="Textile")
    assert ptce.main_region_id == "52"
    assert list(ptce.communes.values_list("code", flat=True)) == ["49099"]
    assert ptce.population_covered > 50000
    assert ptce.themes == [Theme.TEXTILE]
    assert ptce.status == PtceStatus.EMERGING
    assert PtceLabel.objects.get(ptce=ptce).short_label == "AMI 2021 phase 1"


def test_unknown_commune_status_theme_and_source_are_flagged_not_dropped():
    report = run(
        HEADER + "Pôle X;Bretagne;29;Nulle-Part-sur-Mer;AAP;2015;;Astrologie;peut-être;ftp://x\n"
    )
    ptce = Ptce.objects.get(name="Pôle X")
    assert ptce.main_department_id == "29"
    assert ptce.status == PtceStatus.ACTIVE
    assert report.rows[0].notes == [
        "commune non reconnue : « Nulle-Part-sur-Mer »",
        "statut non reconnu : « peut-être »",
        "adresse source invalide : « ftp://x »",
    ]
    # An unknown theme is never dropped: it is kept as a free tag (and searchable).
    assert (ptce.themes, ptce.tags) == ([], ["Astrologie"])
    assert report.rows[0].tags == ["Astrologie"]
    assert "astrologie" in ptce.search_text


def test_row_without_name_is_reported_as_rejected():
    report = run(HEADER + ";Bretagne;29;;AAP;2015;;;;\n")
    assert report.rows[0].action == "rejected"
    assert report.rows[0].line == 2
    assert Ptce.objects.count() == 0


def test_rerun_is_idempotent_and_a_new_label_updates():
    text = HEADER + "Pôle Y;Bretagne;29;;AAP;2013;;;;\n"
    run(text)
    again = run(text)
    assert [row.action for row in again.rows] == ["unchanged"]
    assert Ptce.objects.filter(name="Pôle Y").count() == 1
    third = run(HEADER + "POLE Y;Bretagne;29;;AMI;2021;1;;;\n")
    assert [row.action for row in third.rows] == ["updated"]
    assert Ptce.objects.count() == 1
    assert list(PtceLabel.objects.values_list("title", "year")) == [
        ("AAP 2013", 2013),
        ("AMI 2021", 2021),
    ]


def test_windows_1252_and_comma_separated_files_are_read():
    text = "Nom,Region,Departement\nPôle Ébène,Île-de-France,Seine-Saint-Denis\n"
    run(text, encoding="cp1252")
    assert Ptce.objects.get(name="Pôle Ébène").main_department_id == "93"


def test_command_is_a_dry_run_by_default_then_writes_and_audits():
    out = StringIO()
    call_command("import_ptce", str(SAMPLE), stdout=out)
    assert Ptce.objects.count() == 0
    assert "Simulation" in out.getvalue()
    assert "créés : 6" in out.getvalue()
    out = StringIO()
    call_command("import_ptce", str(SAMPLE), "--wet-run", stdout=out)
    output = out.getvalue()
    assert Ptce.objects.count() == 6
    assert "créés : 6, mis à jour : 0, inchangés : 0, ignorés : 0, à vérifier : 1" in output
    assert "placés sur la géographie officielle : 5 sur 6 (83 %)" in output
    assert (
        "ligne 5 (Pôle bois des Landes et du Béarn (démo)) : « Nouvelle-Aquitaine » → région "
        "Nouvelle-Aquitaine ; « Landes » → département Landes (40) ; « Pyrénées-Atlantiques » → "
        "département Pyrénées-Atlantiques (64) ; plusieurs départements" in output
    )
    assert "ligne 7 (Pôle sans territoire (démo)) : région et département absents" in output
    assert AuditLog.objects.filter(action="ptce.import_created").count() == 6
    out = StringIO()
    call_command("import_ptce", str(SAMPLE), "--wet-run", stdout=out)
    assert "créés : 0, mis à jour : 0, inchangés : 6" in out.getvalue()

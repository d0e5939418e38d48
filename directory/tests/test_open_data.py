import csv
import io
import json

import pytest
from frictionless import Resource, Schema, validate
from frictionless.formats import CsvControl
from openpyxl import load_workbook

from core.models import AuditLog
from directory.exports import ptce_columns, ptce_schema
from laureates.factories import PtceFactory, PtceLabelFactory, PtceMemberFactory
from laureates.models import PtceStatus, Theme
from laureates.services import set_ptce_territory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _median_from_one_decision(monkeypatch):
    """The shared fixture has 1 to 4 decisions per call: medians are checked from one decision
    here; the threshold of 5 has its own test (test_median_needs_five_decisions)."""
    from directory import statistics as directory_statistics

    monkeypatch.setattr(directory_statistics, "MIN_DECISIONS_FOR_MEDIAN", 1)


@pytest.fixture
def poles():
    first = PtceFactory(
        name='=HYPERLINK("http://evil")',
        description="-2+3",
        themes=[Theme.FOOD, Theme.CARE],
        status=PtceStatus.FUNDED,
        contact_email="contact@pole.example",
        website="https://pole.example",
        lead_organisation_siret="73282932000074",
    )
    set_ptce_territory(first, commune_codes=["29019", "29075"])
    PtceLabelFactory(ptce=first, title="AAP 2013", year=2013)
    PtceLabelFactory(ptce=first, title="AMI 2021", year=2021, phase="funding")
    PtceMemberFactory(ptce=first, name="Membre privé", is_public=False)
    PtceFactory(name="Sans territoire", themes=[])
    return first


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _schema() -> Schema:
    return Schema.from_descriptor({k: v for k, v in ptce_schema().items() if k != "$schema"})


def test_schema_is_a_valid_table_schema_and_matches_columns():
    descriptor = {k: v for k, v in ptce_schema().items() if k != "$schema"}
    assert list(Schema.metadata_validate(descriptor)) == []
    schema = _schema()
    assert [field.name for field in schema.fields] == ptce_columns()


def test_csv_export_validates_against_its_schema(client, poles):
    response = client.get("/donnees-ouvertes/ptce.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = _body(response).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert rows[0]["nom"] == '\'=HYPERLINK("http://evil")'  # formula neutralised
    assert rows[0]["description"] == "'-2+3"
    assert rows[0]["thematiques"] == "food|care"
    assert rows[0]["thematiques_libelles"] == (
        "Alimentation et agriculture|Services à la personne et santé"
    )
    assert (rows[0]["statut"], rows[0]["statut_code"]) in {
        (label, code) for code, label in PtceStatus.choices
    }
    assert rows[0]["labels"] == "AAP 2013 | AMI 2021 phase 2"
    assert rows[0]["communes_codes"] == "29019|29075"
    assert rows[0]["nombre_membres"] == "1"
    assert "Membre privé" not in text
    resource = Resource(
        data=text.encode(), format="csv", control=CsvControl(delimiter=";"), schema=_schema()
    )
    report = validate(resource)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_json_export_validates_against_its_schema(client, poles):
    response = client.get("/donnees-ouvertes/ptce.json")
    records = json.loads(_body(response))
    assert [record["nom"] for record in records][1] == "Sans territoire"
    assert records[0]["population_couverte"] > 100000
    assert records[1]["region_code"] is None
    report = validate(Resource(data=records, schema=_schema()))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_xlsx_export_validates_against_its_schema(client, poles, tmp_path):
    response = client.get("/donnees-ouvertes/ptce.xlsx")
    path = tmp_path / "ptce.xlsx"
    path.write_bytes(response.content)
    sheet = load_workbook(path).active
    assert [cell.value for cell in sheet[1]] == ptce_columns()
    report = validate(Resource(path="ptce.xlsx", basepath=str(tmp_path), schema=_schema()))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_open_data_page_states_the_licence_and_links_schema(client, poles):
    content = client.get("/donnees-ouvertes/").content.decode()
    assert "Licence Ouverte / Open Licence version 2.0" in content
    assert 'href="/donnees-ouvertes/ptce.schema.json"' in content
    schema = client.get("/donnees-ouvertes/ptce.schema.json").json()
    assert schema["licenses"][0]["name"] == "etalab-2.0"


def test_downloads_are_audited(client, poles):
    _body(client.get("/donnees-ouvertes/ptce.csv"))
    assert AuditLog.objects.filter(action="open_data.downloaded").count() == 1


# --- Every dataset (PTCE, awards, call and label statistics) against its schema ----------

DATASETS = [
    ("ptce", "ptce"),
    ("laureats", "awards"),
    ("statistiques-appels", "call_statistics"),
    ("statistiques-labels", "label_statistics"),
]


def _dataset_schema(name: str) -> Schema:
    from directory.exports import load_schema

    return Schema.from_descriptor({k: v for k, v in load_schema(name).items() if k != "$schema"})


@pytest.fixture
def programme(poles):
    from directory.tests.conftest import programme_data

    return programme_data()


def _report(report):
    return report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.parametrize(("file_name", "schema_name"), DATASETS)
def test_every_schema_is_valid_and_published_beside_its_files(client, file_name, schema_name):
    from directory.exports import load_schema, schema_columns

    descriptor = {k: v for k, v in load_schema(schema_name).items() if k != "$schema"}
    assert list(Schema.metadata_validate(descriptor)) == []
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    published = client.get(f"/donnees-ouvertes/{file_name}.schema.json").json()
    assert [f["name"] for f in published["fields"]] == schema_columns(schema_name)


@pytest.mark.parametrize(("file_name", "schema_name"), DATASETS)
def test_every_export_validates_against_its_schema(
    client, programme, tmp_path, file_name, schema_name
):
    from directory.exports import schema_columns

    schema = _dataset_schema(schema_name)
    csv_text = _body(client.get(f"/donnees-ouvertes/{file_name}.csv")).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(csv_text), delimiter=";"))
    assert rows, "the fixture yields rows in every dataset"
    assert list(rows[0]) == schema_columns(schema_name)
    report = validate(
        Resource(
            data=csv_text.encode(), format="csv", control=CsvControl(delimiter=";"), schema=schema
        )
    )
    assert report.valid, _report(report)
    records = json.loads(_body(client.get(f"/donnees-ouvertes/{file_name}.json")))
    assert len(records) == len(rows)
    report = validate(Resource(data=records, schema=schema))
    assert report.valid, _report(report)
    path = tmp_path / f"{file_name}.xlsx"
    path.write_bytes(client.get(f"/donnees-ouvertes/{file_name}.xlsx").content)
    report = validate(Resource(path=path.name, basepath=str(tmp_path), schema=schema))
    assert report.valid, _report(report)


def test_awards_file_lists_granted_awards_only_with_amounts(client, programme):
    records = json.loads(_body(client.get("/donnees-ouvertes/laureats.json")))
    assert sorted((r["ptce_nom"], r["phase_code"], r["montant"]) for r in records) == [
        ("Pôle Alpha", "emergence", None),
        ("Pôle Bravo", "funding", 50000),
        ("Pôle Foxtrot", "funding", 75000.5),
    ]
    # Values in French, codes in their own column.
    assert {(r["phase"], r["phase_code"]) for r in records} == {
        ("Phase 1 « PTCE émergents » (label)", "emergence"),
        ("Phase 2 « financement »", "funding"),
    }
    assert {r["date_decision"] for r in records} == {"2026-03-31"}
    assert "Pôle Charlie" not in _body(client.get("/donnees-ouvertes/laureats.csv")).decode()


def test_call_statistics_file_has_one_row_per_call_and_round(client, programme):
    text = _body(client.get("/donnees-ouvertes/statistiques-appels.csv")).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [(r["appel_slug"], r["releve"], r["dossiers_deposes"]) for r in rows] == [
        ("ami-ptce-2026", "Relève de printemps", "4"),
        ("ami-ptce-2026", "Relève d’automne", "1"),
        ("aap-ptce-2025", "Hors relève", "2"),
    ]
    assert rows[0]["taux_selection"] == "66.7"
    assert rows[0]["delai_median_jours"] == "20.0"
    assert rows[1]["taux_selection"] == ""
    assert rows[2]["montant_accorde"] == "75000.50"


def test_open_data_page_lists_every_dataset_with_its_schema(client, programme):
    content = client.get("/donnees-ouvertes/").content.decode()
    for file_name, _ in DATASETS:
        assert f'href="/donnees-ouvertes/{file_name}.csv"' in content
        assert f'href="/donnees-ouvertes/{file_name}.schema.json"' in content
    assert content.count("<caption>") == 4


def test_public_read_only_pages_refuse_post_and_log_no_export(client):
    """Directory, statistics and open-data files are read-only: a POST is refused (405) and
    leaves no export in the audit log; GET and HEAD answer."""
    from django.urls import reverse

    names = [
        "directory:list",
        "directory:map",
        "directory:statistics",
        "directory:open_data",
        "directory:ptce_csv",
        "directory:awards_json",
        "directory:call_statistics_xlsx",
        "directory:awards_schema",
    ]
    for name in names:
        assert client.post(reverse(name)).status_code == 405, name
    assert client.post(reverse("directory:detail", args=["ptce-inconnu"])).status_code == 405
    assert not AuditLog.objects.exists()
    assert client.head(reverse("directory:ptce_csv")).status_code == 200
    assert client.get(reverse("directory:statistics")).status_code == 200


@pytest.mark.django_db
def test_directory_filters_agree_in_gender(client):
    content = client.get("/annuaire/").content.decode()
    assert 'id="filtre-region" name="region">\n    <option value="">Toutes</option>' in content
    department = 'id="filtre-department" name="department">\n    <option value="">Tous</option>'
    assert department in content
    assert 'id="filtre-theme" name="theme">\n    <option value="">Toutes</option>' in content

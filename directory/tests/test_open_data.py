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

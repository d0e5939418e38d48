"""Exports of the reviewer list: scope, hidden scores, formula injection, audit."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from accounts.factories import UserFactory, login_staff
from core.models import AuditLog
from reviews import opinions
from reviews.factories import reviewers, submit_evaluation, submitted_file

pytestmark = pytest.mark.django_db


def _csv(response):
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


def test_csv_is_scoped_hides_unreadable_scores_and_neutralises_formulas(client):
    application = submitted_file()
    application.pole_name = '=HYPERLINK("x")'
    application.save(update_fields=["pole_name"])
    first, second = reviewers(count=2)
    submit_evaluation(application, first)
    opinions.save_opinion(
        application, actor=first, opinion="favourable", reasons="Oui", expected_version=0
    )
    login_staff(client, first)
    lines = _csv(client.get("/instruction/dossiers/export.csv"))
    assert lines[0].startswith("Référence;Pôle;Appel")
    assert len(lines) == 2
    cells = lines[1].split(";")
    assert cells[0] == application.reference
    assert cells[1] == '"\'=HYPERLINK(""x"")"'
    assert cells[8] == "3.40" and cells[12] == "Favorable" and cells[13] == "non"
    # The second reviewer has not scored yet: no figures.
    Assignment = application.assignments.model
    Assignment.objects.create(application=application, reviewer=second)
    login_staff(client, second)
    cells = _csv(client.get("/instruction/dossiers/export.csv"))[1].split(";")
    assert cells[7:11] == ["", "", "", ""]
    # Another région sees nothing.
    login_staff(client, UserFactory(reviewer=True, region_id="11"))
    assert len(_csv(client.get("/instruction/dossiers/export.csv"))) == 1
    assert AuditLog.objects.filter(action="review.export").count() == 3


def test_xlsx_export(client):
    application = submitted_file()
    login_staff(client, UserFactory(national=True))
    response = client.get("/instruction/dossiers/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Référence"
    assert rows[1][0] == application.reference
    login_staff(client, UserFactory())
    assert client.get("/instruction/dossiers/export.xlsx").status_code in (302, 403)

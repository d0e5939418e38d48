"""Reviewer list columns: default set, chooser kept in saved views, every column sortable."""

import pytest

from accounts.factories import UserFactory, login_staff
from reviews import columns, instructor
from reviews.models import SavedView
from reviews.tests.test_list import make_files

pytestmark = pytest.mark.django_db


def header_labels(response):
    return [h["column"].label for h in response.context["headers"]]


def test_default_columns_are_the_working_set():
    assert columns.DEFAULT_KEYS == (
        "reference",
        "pole",
        "department",
        "phase",
        "status",
        "mean",
        "reviews",
        "opinion",
        "signals",
    )


def test_chosen_columns_unknown_names_ignored_reference_always_first(client):
    login_staff(client, UserFactory(national=True))
    make_files(2)
    response = client.get("/instruction/dossiers/?cols=lead,nope,<b>&cols=region,std_dev")
    assert response.status_code == 200
    assert header_labels(response) == ["Référence", "Région", "Porteur", "Écart-type"]
    only_unknown = client.get("/instruction/dossiers/?cols=%00,xyz")
    assert [h["column"].key for h in only_unknown.context["headers"]] == list(columns.DEFAULT_KEYS)


def test_a_saved_view_keeps_the_columns(client):
    user = UserFactory(national=True)
    login_staff(client, user)
    client.post(
        "/instruction/dossiers/vues/",
        {"name": "Mes colonnes", "query": "cols=reference,lead,call&status=submitted"},
    )
    view = SavedView.objects.get(user=user)
    assert view.query == "cols=reference%2Ccall%2Clead&status=submitted"
    page = client.get(f"/instruction/dossiers/?{view.query}")
    assert header_labels(page) == ["Référence", "Appel", "Porteur"]
    assert instructor.clean_query("cols=" + ",".join(columns.DEFAULT_KEYS)) == ""


@pytest.mark.parametrize("key", [c.key for c in columns.COLUMNS])
def test_every_column_sorts_both_ways(client, key):
    login_staff(client, UserFactory(national=True))
    files = make_files(3)
    for number, application in enumerate(files):
        application.pole_name = f"Pôle {'CBA'[number]}"
        application.save(update_fields=["pole_name"])
    every = ",".join(c.key for c in columns.COLUMNS)
    ascending = client.get(f"/instruction/dossiers/?cols={every}&sort={key}")
    descending = client.get(f"/instruction/dossiers/?cols={every}&sort=-{key}")
    assert ascending.status_code == descending.status_code == 200
    [header] = [h for h in ascending.context["headers"] if h["column"].key == key]
    assert header["aria_sort"] == "ascending"
    assert f"sort=-{key}" in header["url"]
    up = [row.reference for row in ascending.context["rows"]]
    down = [row.reference for row in descending.context["rows"]]
    assert sorted(up) == sorted(down) == sorted(f.reference for f in files)
    if key in ("reference", "pole"):
        assert up == list(reversed(down))
    if key == "pole":
        assert [row.pole_name for row in ascending.context["rows"]] == [
            "Pôle A",
            "Pôle B",
            "Pôle C",
        ]

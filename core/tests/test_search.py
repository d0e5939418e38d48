"""The French search layer (core/search.py): the same tests, unchanged, on SQLite and
PostgreSQL, through the directory page and the index API."""

import pytest
from django.db import connection

from core import search
from laureates.factories import PtceFactory, PtceMemberFactory
from laureates.models import Ptce
from laureates.search import PTCE_INDEX
from laureates.services import refresh_search

LIST = "/annuaire/"


def found(client, q: str) -> list[str]:
    response = client.get(LIST, {"q": q})
    assert response.status_code == 200
    return [ptce.name for ptce in response.context["page_obj"].object_list]


def test_text_helpers():
    assert search.fold("Saint-Étienne, Cœur de Savoie") == "saint etienne coeur de savoie"
    assert search.stem("mutualisation") == search.stem("mutualiser") == "mutualis"
    assert search.query_terms("L’école de la Mutualisation") == ["ecole", "mutualisation"]
    assert search.query_terms("de la du") == []
    assert search.index_text("Écoles et cafés solidaires") == "ecol caf solidair"
    assert search.index_text(None) == ""


@pytest.fixture
def poles(db):
    mutual = PtceFactory(
        name="Mutualisation des Écoles rurales",
        description="Cantines partagées entre communes",
        lead_organisation_name="Association Les Cantines",
    )
    circular = PtceFactory(
        name="Ressourcerie de l’Étang",
        description="Réemploi, déchets et économie circulaire",
        lead_organisation_name="SCIC Réemploi Bretagne",
    )
    other = PtceFactory(
        name="Pôle numérique du Val",
        description="Tiers-lieu et médiation numérique ; mutualiser les écoles du numérique",
        lead_organisation_name="Coopérative du Val",
    )
    return mutual, circular, other


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # French stemming: another form of the same word.
        ("mutualiser", ["Mutualisation des Écoles rurales", "Pôle numérique du Val"]),
        # Accent folding both ways.
        ("ecole", ["Mutualisation des Écoles rurales", "Pôle numérique du Val"]),
        ("ÉCOLES", ["Mutualisation des Écoles rurales", "Pôle numérique du Val"]),
        ("étang", ["Ressourcerie de l’Étang"]),
        # The last letters typed are a prefix.
        ("ressour", ["Ressourcerie de l’Étang"]),
        ("reemploi bretagne", ["Ressourcerie de l’Étang"]),
        ("déchet", ["Ressourcerie de l’Étang"]),
        # Every word must match; stop words are ignored.
        ("cantines de l’étang", []),
        ("la ressourcerie de", ["Ressourcerie de l’Étang"]),
        ("zorglub", []),
    ],
)
def test_french_search_is_the_same_on_both_engines(client, poles, query, expected):
    assert found(client, query) == expected


def test_name_matches_come_first(client, poles):
    # « mutualis… » is in the name of one pole and in the description of the other.
    assert found(client, "mutualisations")[0] == "Mutualisation des Écoles rurales"
    assert found(client, "numérique écoles") == ["Pôle numérique du Val"]


def test_index_follows_create_update_and_delete(client, db):
    ptce = PtceFactory(name="Garage solidaire", description="Mobilité")
    assert found(client, "garages") == ["Garage solidaire"]

    ptce.name = "Atelier vélo solidaire"
    ptce.save()
    refresh_search(ptce)
    assert found(client, "garages") == []
    assert found(client, "ateliers velo") == ["Atelier vélo solidaire"]

    # A public member added later is searchable once the text is refreshed.
    PtceMemberFactory(ptce=ptce, name="Cyclofficine", is_public=True)
    refresh_search(ptce)
    assert found(client, "cyclofficine") == ["Atelier vélo solidaire"]

    ptce.delete()
    assert found(client, "atelier") == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{PTCE_INDEX.table}"')
            assert cursor.fetchone()[0] == 0


def test_bulk_writes_are_indexed_too(client, db):
    """``bulk_create`` and ``QuerySet.update``/``delete`` bypass ``save()``: the index still
    follows (SQLite triggers; PostgreSQL through ``refresh``)."""
    Ptce.objects.bulk_create(
        [
            Ptce(name="Légumerie coopérative", slug="legumerie", search_text="legumerie"),
            Ptce(name="Fablab", slug="fablab", search_text="fablab fabrication numerique"),
        ]
    )
    PTCE_INDEX.refresh(Ptce.objects.all())
    assert found(client, "légumeries") == ["Légumerie coopérative"]
    Ptce.objects.filter(slug="fablab").update(search_text="fablab menuiserie")
    PTCE_INDEX.refresh(Ptce.objects.filter(slug="fablab"))
    assert found(client, "menuiseries") == ["Fablab"]
    assert found(client, "numerique") == []
    Ptce.objects.filter(slug="legumerie").delete()
    assert found(client, "legumerie") == []


def test_filter_is_a_reusable_queryset_filter(poles):
    mutual, circular, other = poles
    queryset, ranked = PTCE_INDEX.filter(Ptce.objects.all(), search.query_terms("mutualiser"))
    assert ranked is True
    assert list(queryset.order_by("-rank", "name").values_list("name", flat=True)) == [
        mutual.name,
        other.name,
    ]
    unranked, ranked = PTCE_INDEX.filter(
        Ptce.objects.exclude(pk=mutual.pk), ["ecoles"], ranked=False
    )
    assert ranked is False
    assert list(unranked.values_list("name", flat=True)) == [other.name]
    # No usable word: the queryset is left as it is.
    untouched, ranked = PTCE_INDEX.filter(Ptce.objects.all(), [])
    assert (ranked, untouched.count()) == (False, 3)
    # Only folded words reach the engine (nothing to inject).
    safe, _ = PTCE_INDEX.filter(Ptce.objects.all(), ['x" OR name:*'])
    assert safe.count() == 3


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_index_is_rebuilt_when_its_triggers_are_lost(client, poles):
    """A SQLite migration that rebuilds the table drops its triggers: ``install`` (run after
    every ``migrate``) puts them back and rebuilds the index."""
    with connection.cursor() as cursor:
        for suffix in ("ai", "au", "ad"):
            cursor.execute(f'DROP TRIGGER "{PTCE_INDEX.table}_{suffix}"')
        cursor.execute(f'DELETE FROM "{PTCE_INDEX.table}"')
    assert found(client, "ressourcerie") == []
    assert PTCE_INDEX.install(connection) is True
    assert found(client, "ressourcerie") == ["Ressourcerie de l’Étang"]
    assert PTCE_INDEX.install(connection) is False  # in step: nothing to do
    PtceFactory(name="Nouvelle ressourcerie")
    assert found(client, "ressourcerie") == ["Nouvelle ressourcerie", "Ressourcerie de l’Étang"]

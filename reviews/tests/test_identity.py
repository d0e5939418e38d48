"""Staff search (reference, pôle, lead, SIRET/SIREN, members) and the pending-duplicates signal."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import UserFactory, login_staff
from applications import services as application_services
from applications.factories import complete_application, valid_siret
from applications.models import Application
from reviews import identity
from reviews.factories import call_with_grid, submitted_file
from reviews.models import ConflictOfInterest, FileIdentifier, ReviewSummary
from reviews.search import FILE_INDEX

pytestmark = pytest.mark.django_db


def submit(application):
    [application] = application_services.submit(application, actor=application.owner)
    application.refresh_from_db()
    return application


def file_named(call, pole, lead, member_name="Membre 0 (démo)"):
    application = complete_application(call=call)
    application.pole_name, application.lead_name = pole, lead
    application.save()
    member = application.members.first()
    member.name = member_name
    member.save()
    return submit(application)


def isolate(application, base):
    """Give the file SIRETs no other test file has (the factories' may collide), then
    rewrite its identifiers as a submission would."""
    application.lead_siret = valid_siret(base)
    application.save(update_fields=["lead_siret"])
    for offset, member in enumerate(application.members.all(), start=1):
        member.siret = valid_siret(base + offset)
        member.save(update_fields=["siret"])
    identity.refresh_identity(application)


def references(response):
    return [row.reference for row in response.context["rows"]]


@pytest.fixture
def files():
    call = call_with_grid()
    ecole = file_named(call, "Pôle de l’École buissonnière", "Énergies Citoyennes SCIC")
    mutual = file_named(call, "Mutualisation en Coise", "Association Œuvre commune", "Régie Ôté")
    return ecole, mutual


def test_search_ignores_accents_and_case_and_finds_every_kind_of_identifier(client, files):
    ecole, mutual = files
    login_staff(client, UserFactory(national=True))

    def search(text):
        return references(client.get("/instruction/dossiers/", {"q": text}))

    assert search("ecole BUISSONNIERE") == [ecole.reference]
    assert search("énergies citoyennes") == [ecole.reference]
    assert search("oeuvre") == [mutual.reference]
    assert search("regie ote") == [mutual.reference]
    assert search(mutual.reference.lower()) == [mutual.reference]
    assert search(mutual.reference.split("-")[-1]) == [mutual.reference]
    assert search(ecole.lead_siret) == [ecole.reference]
    assert search(ecole.lead_siret[:9]) == [ecole.reference]
    siren = ecole.lead_siret[:9]
    assert search(f"{siren[:3]} {siren[3:6]} {siren[6:]}") == [ecole.reference]
    assert search("mutualisation introuvable") == []
    assert search("mutual") == [mutual.reference]  # the start of a word is enough
    assert search("utualisation") == []  # but not its middle


def test_search_stems_french_words_and_ignores_stop_words_on_both_engines(client, files):
    ecole, mutual = files
    login_staff(client, UserFactory(national=True))

    def search(text):
        return references(client.get("/instruction/dossiers/", {"q": text}))

    assert search("mutualiser") == [mutual.reference]  # another form of the same word
    assert search("ecoles") == [ecole.reference]
    assert search("ÉCOLES buissonnieres") == [ecole.reference]
    assert search("l’école de la") == [ecole.reference]  # « l », « de », « la » ignored
    assert search("mutualiser ecoles") == []  # every word must match the same file
    # Digits are words of their own: the start of a SIREN/SIRET, not its middle.
    isolate(mutual, 700_000)
    mutual.refresh_from_db()
    siret = mutual.lead_siret
    assert search(siret[:9]) == [mutual.reference]
    assert search(siret[3:]) == []


def test_rebuild_search_index_covers_the_files(client, files):
    """``manage.py rebuild_search_index`` re-indexes the files as well as the directory (SQLite:
    FTS5 table and triggers recreated; PostgreSQL: every vector recomputed)."""
    _ecole, mutual = files
    login_staff(client, UserFactory(national=True))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for suffix in ("ai", "au", "ad"):
                cursor.execute(f'DROP TRIGGER "{FILE_INDEX.table}_{suffix}"')
            cursor.execute(f'DELETE FROM "{FILE_INDEX.table}"')
    else:
        ReviewSummary.objects.update(search_vector=None)
    assert references(client.get("/instruction/dossiers/", {"q": "mutualisation"})) == []
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Index « chiffres d’instruction »" in out.getvalue()
    assert references(client.get("/instruction/dossiers/", {"q": "mutualisation"})) == [
        mutual.reference
    ]


def test_search_terms_join_digit_groups_of_a_siren_or_siret_only():
    assert identity.search_terms("123 456 789") == ["123456789"]
    assert identity.search_terms("123 456 789 00012") == ["12345678900012"]
    assert identity.search_terms("PTCE-2026-0012") == ["ptce", "2026", "0012"]
    assert identity.search_terms("Pôle 2026 0012") == ["pole", "2026", "0012"]


@pytest.mark.parametrize(
    "text",
    ["x" * 10_000, "' OR 1=1 --", "<script>alert(1)</script>", "a\x00b", "%", "_", "😀"],
)
def test_hostile_searches_answer_normally(client, files, text):
    login_staff(client, UserFactory(national=True))
    response = client.get("/instruction/dossiers/", {"q": text})
    assert response.status_code == 200
    if identity.search_terms(text):
        assert references(response) == []
    else:  # nothing left to search once folded (LIKE wildcards, emoji): the whole list
        assert len(references(response)) == 2


def test_search_respects_the_readers_scope(client, files):
    ecole, _mutual = files
    reviewer = UserFactory(reviewer=True, region_id="11")  # Île-de-France: not the file's
    login_staff(client, reviewer)
    assert references(client.get("/instruction/dossiers/", {"q": "ecole"})) == []


def test_search_costs_the_same_number_of_queries_at_any_size(client, files):
    login_staff(client, UserFactory(national=True))
    with CaptureQueriesContext(connection) as small:
        client.get("/instruction/dossiers/", {"q": "pole"})
    call = files[0].call
    for number in range(6):
        file_named(call, f"Pôle numéro {number}", f"Porteur {number}")
    with CaptureQueriesContext(connection) as larger:
        response = client.get("/instruction/dossiers/", {"q": "pole"})
    assert len(references(response)) == 7
    assert len(larger.captured_queries) == len(small.captured_queries)


def test_pending_duplicates_share_a_siren_in_any_call_and_skip_withdrawn_files(client):
    first = submitted_file()
    other_call = call_with_grid()
    second = file_named(other_call, "Autre pôle", "Autre porteur")
    third = file_named(other_call, "Pôle sans lien", "Sans lien")
    for number, application in enumerate((first, second, third)):
        isolate(application, 500_000 + 100 * number)
    shared = first.members.first().siret
    second.members.filter(pk=second.members.first().pk).update(siret=shared)
    identity.refresh_identity(second)

    found = identity.pending_duplicates(
        [first.pk, second.pk, third.pk], visible=Application.objects.all()
    )
    assert [d.reference for d in found[first.pk]] == [second.reference]
    assert [d.reference for d in found[second.pk]] == [first.reference]
    assert found[first.pk][0].siren == shared[:9]
    assert third.pk not in found

    login_staff(client, UserFactory(national=True))
    page = client.get(f"/instruction/dossiers/{first.uuid}/").content.decode()
    assert "Dossier en double possible" in page and second.reference in page
    listing = client.get("/instruction/dossiers/").content.decode()
    assert "double possible" in listing

    Application.objects.filter(pk=second.pk).update(status="withdrawn")
    assert identity.pending_duplicates([first.pk], visible=Application.objects.all()) == {}


def test_a_duplicate_the_reader_may_not_see_is_counted_not_named():
    first = submitted_file()
    second = file_named(first.call, "Pôle voisin", "Porteur voisin")
    isolate(first, 600_000)
    isolate(second, 600_100)
    second.members.filter(pk=second.members.first().pk).update(siret=first.lead_siret)
    identity.refresh_identity(second)
    reader = UserFactory(national=True)
    ConflictOfInterest.objects.create(application=second, reviewer=reader, reason="Membre")
    found = identity.pending_duplicates([first.pk], visible=Application.objects.for_user(reader))
    [duplicate] = found[first.pk]
    assert not duplicate.visible and duplicate.reference == "" and duplicate.uuid == ""


def test_files_filed_together_are_not_duplicates_of_each_other():
    call = call_with_grid()
    application = complete_application(call=call, requested_phases="both")
    emergence, funding = sorted(submit_both(application), key=lambda a: a.phase)
    found = identity.pending_duplicates(
        [emergence.pk, funding.pk], visible=Application.objects.all()
    )
    assert found == {}
    assert FileIdentifier.objects.filter(application=funding).exists()


def submit_both(application):
    files = application_services.submit(application, actor=application.owner)
    for item in files:
        item.refresh_from_db()
    return files

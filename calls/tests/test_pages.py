"""Public pages of calls: list, detail, documents."""

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calls.factories import CallFactory, RequiredAttachmentFactory, RoundFactory, in_days
from calls.models import CallDocument, CallFaq, Phase, PublicationState, create_default_grid
from calls.services import call_status, split_by_status

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def text(response) -> str:
    body = response.content.decode()
    body = body[body.index("<main") : body.index("</main>")]
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", body))


# --- Open / closed logic (the server clock decides) -------------------------------------------


def test_dated_call_is_open_until_its_closing_instant():
    closes = datetime.datetime(2027, 3, 1, 11, 0, tzinfo=UTC)  # noon in Paris
    call = CallFactory(
        dated=True, opens_at=datetime.datetime(2027, 1, 1, tzinfo=UTC), closes_at=closes
    )
    before = call_status(call, closes - datetime.timedelta(seconds=1))
    assert (before.is_open, before.state, before.next_cut_off) == (True, "open", closes)
    assert before.message == "Date limite de dépôt : 1 mars 2027 à 12h00."
    at = call_status(call, closes)
    assert (at.is_open, at.state, at.message) == (
        False,
        "closed",
        "Appel clos depuis le 1 mars 2027 à 12h00.",
    )


def test_dated_call_before_opening_is_upcoming():
    call = CallFactory(
        dated=True,
        opens_at=datetime.datetime(2027, 1, 4, 8, 0, tzinfo=UTC),
        closes_at=datetime.datetime(2027, 3, 1, 11, 0, tzinfo=UTC),
    )
    status = call_status(call, datetime.datetime(2027, 1, 4, 7, 59, tzinfo=UTC))
    assert (status.is_open, status.state) == (False, "upcoming")
    assert status.message == "Ouverture des dépôts le 4 janvier 2027 à 09h00."


def test_permanent_call_moves_to_the_next_round_at_each_cut_off():
    call = CallFactory()
    first = RoundFactory(call=call, cut_off_at=datetime.datetime(2027, 2, 15, 11, tzinfo=UTC))
    second = RoundFactory(call=call, cut_off_at=datetime.datetime(2027, 6, 14, 10, tzinfo=UTC))
    assert call.round_for(first.cut_off_at - datetime.timedelta(seconds=1)) == first
    assert call.round_for(first.cut_off_at) == second
    assert call_status(call, first.cut_off_at).message == (
        "Prochaine date limite : 14 juin 2027 à 12h00."
    )
    after_last = call_status(call, second.cut_off_at)
    assert (after_last.is_open, after_last.message) == (
        False,
        "Aucune relève n’est programmée : les dépôts sont fermés pour le moment.",
    )


def test_archived_call_is_never_open_even_with_future_rounds():
    call = CallFactory(archived=True)
    RoundFactory(call=call, cut_off_at=in_days(10))
    assert call_status(call).state == "archived"
    assert call.is_open() is False


def test_split_by_status_orders_open_calls_by_nearest_cut_off():
    late = CallFactory(title="Tardif")
    RoundFactory(call=late, cut_off_at=in_days(60))
    soon = CallFactory(title="Bientôt clos")
    RoundFactory(call=soon, cut_off_at=in_days(5))
    old = CallFactory(title="Ancien", year=2021, archived=True)
    recent = CallFactory(title="Récent", year=2025, archived=True)
    opened, others = split_by_status([late, soon, old, recent])
    assert [call.title for call, _ in opened] == ["Bientôt clos", "Tardif"]
    assert [call.title for call, _ in others] == ["Récent", "Ancien"]


# --- List -------------------------------------------------------------------------------------


def test_list_shows_open_calls_first_then_past_ones_and_never_drafts(client):
    open_call = CallFactory(title="AMI ouvert", min_award=30000, max_award=80000)
    RoundFactory(call=open_call, cut_off_at=datetime.datetime(2099, 10, 17, 10, 0, tzinfo=UTC))
    CallFactory(title="AMI clos", dated=True, closes_at=in_days(-1), opens_at=in_days(-60))
    CallFactory(title="AAP 2013", year=2013, archived=True)
    CallFactory(title="Brouillon secret", draft=True)
    response = client.get("/appels/")
    assert response.status_code == 200
    page = text(response)
    assert "Brouillon secret" not in page
    assert (
        page.index("Appels ouverts")
        < page.index("AMI ouvert")
        < page.index("Appels clos et précédents")
    )
    assert page.index("Appels clos et précédents") < page.index("AMI clos")
    assert page.index("AMI clos") < page.index("AAP 2013")
    assert "Prochaine date limite : 17 octobre 2099 à 12h00." in page
    assert "De 30\u00a0000\u00a0€ à 80\u00a0000\u00a0€ par lauréat" in page
    assert "Phase 1 « PTCE émergents » (label) · Phase 2 « financement »" in page


def test_list_without_open_call_says_so(client):
    CallFactory(title="AMI clos", dated=True, closes_at=in_days(-1), opens_at=in_days(-60))
    assert "Aucun appel n’est ouvert en ce moment." in text(client.get("/appels/"))


def test_list_query_count_does_not_grow_with_the_number_of_calls(client):
    def make(count):
        for _ in range(count):
            call = CallFactory()
            RoundFactory(call=call, cut_off_at=in_days(-5))
            RoundFactory(call=call, cut_off_at=in_days(20))
            CallFactory(dated=True)

    make(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/appels/").status_code == 200
    make(8)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/appels/")
    assert len(response.context["open_calls"]) == 20
    assert len(many) == len(few)
    assert len(many) <= 3


# --- Detail -------------------------------------------------------------------------------------


def test_draft_call_is_404(client):
    CallFactory(slug="brouillon", draft=True)
    assert client.get("/appels/brouillon/").status_code == 404
    assert client.get("/appels/inconnu/").status_code == 404


def test_detail_shows_calendar_in_paris_time_with_next_cut_off_highlighted(client):
    call = CallFactory(
        slug="ami-2099",
        title="AMI 2099",
        envelope=1500000,
        min_award=100000,
        max_award=100000,
        award_duration_months=24,
        payment_schedule_template=[
            {"label": "À la signature", "share": 50},
            {"label": "Après le bilan intermédiaire", "share": 50},
        ],
        priority_territories=["rural", "qpv"],
        legal_basis="Article 9 de la loi n° 2014-856.",
    )
    RoundFactory(call=call, name="Relève passée", cut_off_at=in_days(-10))
    RoundFactory(
        call=call,
        name="Relève d’automne",
        phase=Phase.FUNDING,
        cut_off_at=datetime.datetime(2099, 10, 17, 10, 0, tzinfo=UTC),
    )
    RoundFactory(
        call=call, name="Relève d’hiver", cut_off_at=datetime.datetime(2099, 12, 1, 11, tzinfo=UTC)
    )
    RequiredAttachmentFactory(call=call, label="Statuts à jour")
    RequiredAttachmentFactory(call=call, kind="budget", label="Budget", phase=Phase.FUNDING)
    create_default_grid(call)
    CallFaq.objects.create(call=call, question="Qui peut porter ?", answer="Une association.")
    response = client.get("/appels/ami-2099/")
    assert response.status_code == 200
    page = text(response)
    html = response.content.decode()
    assert "Prochaine date limite : 17 octobre 2099 à 12h00." in page
    assert "samedi 17 octobre 2099 à 12h00 Prochaine date limite" in page
    assert re.search(r'<tr class="ptce-next-round">\s*<th scope="row">Relève d’automne', html)
    assert "Relève passée" in page and "— passée" in page
    assert "Enveloppe de l’appel 1\u00a0500\u00a0000\u00a0€" in page
    assert "Montant par lauréat 100\u00a0000\u00a0€" in page
    assert "Durée du soutien 24 mois (2 ans)" in page
    assert "50 % — À la signature" in page
    assert "Territoires ruraux" in page and "Quartiers prioritaires" in page
    assert "Budget (Phase 2 « financement »)" in page
    assert "Animation territoriale et gouvernance 20" in page
    assert 'class="fr-accordion__btn" aria-expanded="false" aria-controls="faq-' in html
    assert "Article 9 de la loi n° 2014-856." in page
    assert response.context["breadcrumb"]["current"] == "AMI 2099"


def test_open_call_without_the_application_page_has_no_dead_link(client):
    call = CallFactory(slug="ami-ouvert")
    RoundFactory(call=call, cut_off_at=in_days(20))
    response = client.get("/appels/ami-ouvert/")
    assert "Cet appel est ouvert" in text(response)
    if response.context["start_url"]:
        assert f'href="{response.context["start_url"]}">Déposer un dossier</a>' in (
            response.content.decode()
        )
    else:
        assert "Déposer un dossier" not in response.content.decode()


@pytest.mark.urls("calls.tests.urls_with_start")
def test_open_call_links_to_the_application_page_when_it_exists(client):
    call = CallFactory(slug="ami-ouvert")
    RoundFactory(call=call, cut_off_at=in_days(20))
    html = client.get("/appels/ami-ouvert/").content.decode()
    assert 'href="/appels/ami-ouvert/deposer/">Déposer un dossier</a>' in html


@pytest.mark.urls("calls.tests.urls_with_start")
def test_closed_call_says_so_instead_of_the_button(client):
    CallFactory(
        slug="ami-clos",
        dated=True,
        opens_at=datetime.datetime(2026, 1, 5, 8, tzinfo=UTC),
        closes_at=datetime.datetime(2026, 3, 2, 11, tzinfo=UTC),
    )
    response = client.get("/appels/ami-clos/")
    page = text(response)
    assert "Déposer un dossier" not in response.content.decode()
    assert "Cet appel est clos : aucun dossier ne peut être déposé" in page
    assert "Appel clos depuis le 2 mars 2026 à 12h00." in page
    assert "Clôture des dépôts : lundi 2 mars 2026 à 12h00 (heure de Paris)." in page


def test_detail_escapes_html_in_admin_text(client):
    CallFactory(slug="ami-x", description="<script>alert(1)</script>", summary="<b>x</b>")
    html = client.get("/appels/ami-x/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_archived_call_page_is_public(client):
    CallFactory(slug="aap-2013", archived=True, title="AAP 2013")
    response = client.get("/appels/aap-2013/")
    assert response.status_code == 200
    assert "Appel terminé, conservé pour mémoire." in text(response)


# --- Documents ------------------------------------------------------------------------------------


def test_file_document_is_served_and_link_document_redirects(client, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    call = CallFactory(slug="ami-docs")
    item = CallDocument(call=call, title="Règlement")
    item.file.save("reglement.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    link = CallDocument.objects.create(
        call=call, title="Loi", url="https://www.legifrance.gouv.fr/"
    )
    html = client.get("/appels/ami-docs/").content.decode()
    assert f'href="/appels/ami-docs/documents/{item.pk}/">Règlement' in html
    assert '<span class="fr-link__detail">PDF</span>' in html
    response = client.get(f"/appels/ami-docs/documents/{item.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert client.get(f"/appels/ami-docs/documents/{link.pk}/").url == (
        "https://www.legifrance.gouv.fr/"
    )
    assert client.get(f"/appels/autre/documents/{item.pk}/").status_code == 404


def test_document_of_a_draft_call_is_404(client):
    call = CallFactory(slug="brouillon", publication_state=PublicationState.DRAFT)
    link = CallDocument.objects.create(call=call, title="Loi", url="https://example.org/")
    assert client.get(f"/appels/brouillon/documents/{link.pk}/").status_code == 404


def test_main_navigation_links_to_calls(client):
    html = client.get("/").content.decode()
    assert 'href="/appels/"' in html
    assert timezone.get_current_timezone_name() == "Europe/Paris"

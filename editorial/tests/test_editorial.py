"""Editable letter texts and public page blocks: validation, conflicts, versions, audit, the
PDFs and pages that use them."""

import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.factories import UserFactory, login_staff
from core.models import AuditLog
from editorial import markup, services
from editorial.defaults import PAGES, LetterKind
from editorial.models import LetterText, PageBlock

pytestmark = pytest.mark.django_db
EDITED = "Après examen attentif, le comité n’a pas retenu le dossier {{ reference }} (texte revu)."


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return " ".join(text.replace("\u00a0", " ").split())


def letter_form(**changes):
    content = services.letter_content(LetterKind.REFUSAL)
    return {**content, "revision": 0} | changes


@pytest.fixture
def national(client):
    user = UserFactory(national=True)
    login_staff(client, user)
    return user


# Markup -------------------------------------------------------------------------------------


def test_unknown_placeholder_and_syntax_errors_are_refused_in_french():
    assert markup.problems("Dossier {{ reference }}", {"reference"}) == []
    assert markup.problems("Cher {{ nom }}", {"reference", "appel"}) == [
        "Champ inconnu : « {{ nom }} ». Champs disponibles : appel, reference."
    ]
    assert markup.problems("Dossier {{ reference", {"reference"}) == [
        "Accolades mal formées : chaque champ s’écrit « {{ nom_du_champ }} », en minuscules, "
        "ouvert et fermé par deux accolades."
    ]
    assert markup.problems("{% if x %}oui{% endif %}", set()) == [
        "Les balises « {% … %} » ne sont pas permises ; utilisez « {{ champ }} »."
    ]


def test_one_megabyte_text_is_refused():
    [message] = markup.problems("a" * 1_000_000, set())
    assert message == (
        "Le texte dépasse la longueur maximale (1\u00a0000\u00a0000 caractères pour "
        "20\u00a0000 autorisés)."
    )


def test_markdown_is_sanitised_and_values_escaped():
    html = markup.render(
        "**Gras** <script>alert(1)</script> [lien](javascript:alert(1)) {{ nom }}\n\n"
        '<img src=x onerror="alert(1)">',
        {"nom": "<b>A&B</b>"},
    )
    assert "<strong>Gras</strong>" in html
    # Raw HTML is printed as text, never as markup; a javascript: link is not a link.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in html


# Letters ------------------------------------------------------------------------------------


def test_edit_letter_records_version_and_audit_then_restore(client, national):
    url = reverse("editorial:letter_edit", args=["refusal"])
    response = client.post(url, letter_form(body=EDITED))
    assert response.status_code == 302
    stored = LetterText.objects.get(kind="refusal", call=None)
    assert (stored.revision, stored.body, stored.updated_by) == (1, EDITED, national)
    entry = AuditLog.objects.get(action="editorial.letter_saved")
    assert entry.after["body"] == EDITED
    client.post(url, letter_form(body="Deuxième {{ reference }}", revision=1))
    assert LetterText.objects.get().revision == 2
    first = stored.versions.get(revision=1)
    restore = reverse("editorial:letter_restore", args=["refusal", first.pk])
    assert client.post(restore).status_code == 302
    stored.refresh_from_db()
    assert (stored.revision, stored.body) == (3, EDITED)
    page = client.get(url).content.decode()
    assert "Rétablir la révision 2" in page


def test_letter_edit_refuses_unknown_placeholder_and_keeps_nothing(client, national):
    url = reverse("editorial:letter_edit", args=["refusal"])
    response = client.post(url, letter_form(body="Bonjour {{ montant }}"))
    assert response.status_code == 200
    assert "Champ inconnu : « {{ montant }} »" in response.content.decode()
    assert not LetterText.objects.exists()


def test_concurrent_edit_is_a_conflict_and_nothing_is_overwritten(client, national):
    url = reverse("editorial:letter_edit", args=["refusal"])
    client.post(url, letter_form(body=EDITED))  # someone saved revision 1
    response = client.post(url, letter_form(body="Ma version {{ reference }}", revision=0))
    assert response.status_code == 200
    assert "Conflit de modification" in response.content.decode()
    assert LetterText.objects.get().body == EDITED
    with pytest.raises(services.Conflict):
        services.save_page("faq", "Un", base_revision=0, actor=national)  # creates revision 1
        services.save_page("faq", "Deux", base_revision=0, actor=national)
    assert PageBlock.objects.get(key="faq").body == "Un"


def test_letter_preview_is_a_pdf_with_the_unsaved_text(client, national):
    response = client.post(
        reverse("editorial:letter_preview", args=["refusal"]), letter_form(body=EDITED)
    )
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Après examen attentif, le comité n’a pas retenu le dossier PTCE-2026-0042" in text
    assert "Motifs du refus : Gouvernance peu formalisée." in text
    assert "recours gracieux" in text
    assert not LetterText.objects.exists()
    bad = client.post(
        reverse("editorial:letter_preview", args=["refusal"]), letter_form(body="{{ x }}")
    )
    assert bad.status_code == 400


def test_other_staff_cannot_edit(client):
    login_staff(client, UserFactory(cell_lead=True))
    assert client.get(reverse("editorial:letter_list")).status_code == 403
    with pytest.raises(services.EditError):
        services.save_page("faq", "x", base_revision=0, actor=UserFactory(cell_lead=True))


def test_call_override_wins_over_common_text_and_deleting_falls_back():
    from calls.factories import CallFactory

    actor = UserFactory(national=True)
    call = CallFactory()
    base = services.letter_content(LetterKind.REFUSAL)
    services.save_letter("refusal", None, base | {"body": "Commun"}, base_revision=0, actor=actor)
    services.save_letter("refusal", call, base | {"body": "Propre"}, base_revision=0, actor=actor)
    assert services.letter_content("refusal", call)["body"] == "Propre"
    assert services.letter_content("refusal")["body"] == "Commun"
    LetterText.objects.all().delete()
    assert services.letter_content("refusal", call)["body"] == base["body"]


def test_published_refusal_letter_carries_the_edited_paragraph(
    client, django_capture_on_commit_callbacks
):
    from reviews import committee
    from reviews.models import CommitteeSession
    from reviews.tests.test_committee import reviewed_file

    national = UserFactory(national=True)
    application = reviewed_file()
    base = services.letter_content(LetterKind.REFUSAL)
    services.save_letter(
        "refusal",
        None,
        base | {"body": EDITED, "signatory_name": "Anne Dupont"},
        base_revision=0,
        actor=national,
    )
    session = CommitteeSession.objects.create(
        call=application.call, title="Comité", date=datetime.date(2026, 6, 15)
    )
    committee.record_decision(
        session, application, actor=national, decision="rejected", reasons="Budget fragile"
    )
    with django_capture_on_commit_callbacks(execute=True):
        committee.publish_session(session, actor=national)
    client.force_login(application.owner)
    letter = client.get(f"/dossiers/{application.uuid}/lettre-de-decision.pdf")
    text = pdf_text(letter.content)
    assert (
        f"Après examen attentif, le comité n’a pas retenu le dossier {application.reference} "
        "(texte revu)." in text
    )
    assert "Motifs du refus : Budget fragile" in text
    assert "Anne Dupont" in text
    assert "contact@ptce.beta.gouv.fr" in text


# Public pages -------------------------------------------------------------------------------


def test_public_pages_show_defaults_then_edited_sanitised_text(client, national):
    assert "Défenseur des droits" in client.get("/accessibilite/").content.decode()
    assert "Un pôle éligible réunit" in client.get("/").content.decode()
    assert "Qui peut déposer un dossier ?" in client.get("/questions-frequentes/").content.decode()
    url = reverse("editorial:page_edit", args=["legal_notice"])
    hostile = "## Éditeur\n\nNouveau texte <script>alert(1)</script> <b onclick=x>b</b>"
    preview = client.post(url, {"body": hostile, "revision": 0, "preview": "1"})
    assert "Aperçu (non publié)" in preview.content.decode()
    assert not PageBlock.objects.exists()
    assert client.post(url, {"body": hostile, "revision": 0}).status_code == 302
    page = client.get("/mentions-legales/")
    html = page.content.decode()
    assert "<h2>Éditeur</h2>" in html and "Nouveau texte" in html
    assert "Nouveau texte &lt;script&gt;alert(1)&lt;/script&gt; &lt;b onclick=x&gt;" in html
    assert "<script>alert(1)" not in html and "<b onclick" not in html
    assert "script-src" in page["Content-Security-Policy"]
    script_policy = page["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert "'unsafe-inline'" not in script_policy


def test_page_block_refuses_a_megabyte_and_unknown_placeholder(client, national):
    url = reverse("editorial:page_edit", args=["faq"])
    big = client.post(url, {"body": "a" * 1_000_000, "revision": 0})
    assert "Le texte dépasse la longueur maximale" in big.content.decode()
    unknown = client.post(url, {"body": "{{ inconnu }}", "revision": 0})
    assert "Champ inconnu : « {{ inconnu }} »" in unknown.content.decode()
    assert not PageBlock.objects.exists()
    assert services.page_text("faq") == PAGES["faq"]


# Receipts (issue 18 point 4) ------------------------------------------------------------


def _receipt(phase, **content):
    from applications.receipts import receipt_pdf
    from editorial.previews import _demo_submission

    submission = _demo_submission("AMI 2026")
    submission.data["phase"] = phase
    return pdf_text(receipt_pdf(submission, content=content or None))


def test_phase_two_receipt_in_french_typography_with_contact_details():
    text = _receipt("funding")
    assert "Accusé de réception de dossier de candidature Phase 2 « financement »" in text
    assert (
        "Budget prévisionnel : dépenses 145 500,00 €, ressources 145 500,00 €, montant "
        "demandé à l’État 80 000,00 €" in text
    )
    assert "population couverte 35 417 habitants" in text
    assert "1 commune, 1 EPCI, 1 département (15)" in text
    assert "Contact du programme Cellule nationale du programme PTCE" in text
    assert "contact@ptce.beta.gouv.fr" in text
    assert "0" * 64 in text.replace(" ", "")


def test_phase_one_receipt_shows_no_budget_and_edited_contact():
    text = _receipt("emergence", contact="Cellule PTCE — 01 02 03 04 05")
    assert "Phase 1 « PTCE émergents »" in text
    assert "Budget" not in text and "145 500" not in text
    assert "Contact du programme Cellule PTCE — 01 02 03 04 05" in text


def test_joint_filing_receipt_is_titled_by_phase_and_names_the_linked_file():
    from types import SimpleNamespace

    from applications.receipts import receipt_pdf
    from editorial.previews import _demo_submission

    submission = _demo_submission("AMI 2026")
    submission.application.linked_application = SimpleNamespace(
        reference="PTCE-2026-0041", phase="emergence"
    )
    text = pdf_text(receipt_pdf(submission))
    assert "Accusé de réception de dossier de candidature Phase 2 « financement »" in text
    assert (
        "Dépôt conjoint : ce dossier est lié au dossier PTCE-2026-0041 (Phase 1 « PTCE "
        "émergents »), qui fait l’objet de son propre accusé de réception." in text
    )

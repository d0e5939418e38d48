"""The national cell edits the refusal letter and a public page, previews both; a committee
session is published and the candidate downloads the refusal letter carrying the edited
paragraph."""

import datetime
from io import BytesIO

from pypdf import PdfReader

from accounts.factories import PASSWORD, UserFactory, totp_device
from reviews import committee
from reviews.factories import call_with_grid
from reviews.models import CommitteeSession
from tests.browser.helpers import sign_in
from tests.browser.test_national import reviewed_files
from tests.browser.test_reviewer import sign_in_with_code

EDITED = "Après une lecture attentive, le comité n’a pas retenu le dossier {{ reference }}."


def pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return " ".join(text.replace("\u00a0", " ").split())


def test_national_cell_edits_the_refusal_letter_and_the_candidate_gets_it(journey, open_journey):
    call = call_with_grid(title="AMI PTCE 2026 — courriers")
    candidate = UserFactory(email="nadia.durand@exemple.fr", first_name="Nadia")
    first, _second = reviewed_files(call, candidate)
    cell = UserFactory(national=True, email="cellule.nationale@exemple.gouv.fr")
    page = journey.page
    sign_in_with_code(journey, cell, totp_device(cell))

    journey.goto("/gestion/")
    journey.check("Gestion — accueil")
    page.get_by_role("link", name="Courriers et documents").click()
    journey.expect_path("/gestion/courriers/")
    journey.check("Gestion — courriers")
    page.get_by_role("link", name="Lettre de refus").click()
    journey.expect_path("/gestion/courriers/refusal/")
    journey.check("Gestion — lettre de refus")

    # An unknown field is refused with its French message, nothing saved.
    journey.fill({"Paragraphes": "Bonjour {{ montant }}"})
    journey.submit("Enregistrer")
    assert journey.error_messages()[0].startswith("Champ inconnu : « {{ montant }} »")
    journey.check_state("Gestion — lettre de refus, champ inconnu")

    journey.fill({"Paragraphes": EDITED})
    # The preview: the PDF of the unsaved text on a fictitious file.
    preview = page.evaluate(
        """async () => {
            const form = document.querySelector("main form[method=post]");
            const button = [...form.querySelectorAll("button")].find(
                (b) => b.textContent.includes("Aperçu PDF"));
            const body = new FormData(form);
            const response = await fetch(button.formAction, {method: "POST", body});
            const bytes = new Uint8Array(await response.arrayBuffer());
            return {type: response.headers.get("content-type"), bytes: Array.from(bytes)};
        }"""
    )
    assert preview["type"] == "application/pdf"
    assert "Après une lecture attentive, le comité n’a pas retenu le dossier PTCE-2026-0042." in (
        pdf_text(bytes(preview["bytes"]))
    )
    journey.submit("Enregistrer")
    assert page.get_by_role("status").inner_text().startswith("Le texte est enregistré")
    assert "Révision 1" in page.get_by_role("main").inner_text()
    journey.check_state("Gestion — lettre de refus enregistrée")

    # A public page: preview, then publish.
    journey.goto("/gestion/pages/")
    journey.check("Gestion — pages publiques")
    page.get_by_role("main").get_by_role("link", name="Questions fréquentes").click()
    journey.fill({"Texte": "## Nouvelle question\n\nRéponse <script>alert(1)</script>"})
    journey.submit("Aperçu")
    assert "Aperçu (non publié)" in page.get_by_role("main").inner_text()
    journey.check("Gestion — page questions fréquentes, aperçu")
    journey.submit("Publier")
    journey.goto("/questions-frequentes/")
    assert page.get_by_role("heading", name="Nouvelle question").count() == 1
    assert "Réponse <script>alert(1)</script>" in page.get_by_role("main").inner_text()
    journey.check("Questions fréquentes (modifiée)")

    # The committee refuses the file; the session is published.
    session = CommitteeSession.objects.create(
        call=call, title="Comité de juin", date=datetime.date(2026, 6, 15)
    )
    committee.record_decision(
        session, first, actor=cell, decision="rejected", reasons="Gouvernance fragile"
    )
    committee.publish_session(session, actor=cell)

    candidate_view = open_journey("candidat")
    sign_in(candidate_view, candidate.email, PASSWORD)
    candidate_view.goto("/mes-dossiers/")
    letter = candidate_view.page.get_by_role("main").get_by_role(
        "link", name="lettre de décision (PDF)"
    )
    with candidate_view.page.expect_download() as download:
        letter.click()
    with open(download.value.path(), "rb") as handle:
        text = pdf_text(handle.read())
    assert (
        f"Après une lecture attentive, le comité n’a pas retenu le dossier {first.reference}."
        in text
    )
    assert "Motifs du refus : Gouvernance fragile" in text

"""A laureate PTCE's contact (phase-2 award with its agreement): the laureate space, the
agreement PDF, the interim report (with its error state, then sent), its acceptance by the
national cell; then the support services catalogue, an offer reserved to another audience
(explained), an enrolment, and a waiting list on a full offer.

The journey is a sequence of steps sharing one page (signed in as the laureate, then as the
national cell, then as the laureate again)."""

import re

from accounts.factories import PASSWORD, UserFactory, totp_device
from laureates.factories import funded_award
from laureates.factories_support import (
    EnrolmentFactory,
    SupportOfferFactory,
    SupportPartnerFactory,
)
from laureates.followup import INDICATORS
from laureates.models_followup import ReportKind, ReportStatus
from laureates.models_support import OfferAudience
from tests.browser.helpers import sign_in, sign_out
from tests.browser.test_reviewer import sign_in_with_code

PTCE_NAME = "Pôle des Communs du Val"


def laureate_with_offers():
    """A phase-2 laureate PTCE (agreement of 80 000 €: interim and final reports) and its
    contact, the owner of the winning file; three published offers from one partner: open to
    all, full (one place, taken), and reserved to phase 1 laureates."""
    contact = UserFactory(email="nadia.durand@exemple.fr", first_name="Nadia")
    award = funded_award(owner=contact)  # create_award makes the owner the pole's contact
    ptce = award.ptce
    ptce.name = PTCE_NAME
    ptce.slug = "pole-des-communs-du-val"
    ptce.save(update_fields=["name", "slug"])
    partner = SupportPartnerFactory(name="France Active")
    SupportOfferFactory(
        partner=partner, slug="gouvernance", title="Atelier gouvernance coopérative"
    )
    full = SupportOfferFactory(
        partner=partner, slug="modele-economique", title="Modèle économique", capacity=1
    )
    EnrolmentFactory(offer=full)
    SupportOfferFactory(
        partner=partner,
        slug="financement",
        title="Préparer un tour de table",
        audience=OfferAudience.PHASE_1,
    )
    return contact, ptce


# --------------------------------------------------------------------------- activity report


def open_the_laureate_space(journey) -> None:
    page = journey.page
    page.get_by_role("main").get_by_role("link", name=re.compile("^Espace lauréat")).click()
    journey.expect_path("/espace-laureat/")
    assert page.get_by_role("heading", level=1).inner_text() == "Espace lauréat"
    assert page.get_by_role("heading", level=2, name=PTCE_NAME).count() == 1
    reports = page.get_by_role("table", name=re.compile("^Bilans de la convention "))
    assert "À transmettre" in reports.inner_text()
    journey.check("Espace lauréat")


def download_the_agreement(journey, ptce) -> None:
    """The PDF link of the page, fetched with the browser's session (a download)."""
    agreement = ptce.agreements.get()
    link = journey.page.get_by_role(
        "link", name=f"Télécharger la convention {agreement.reference} (PDF)"
    )
    response = journey.page.request.get(journey.url(link.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def fill_indicators(journey, values: dict[str, str]) -> None:
    journey.fill({i.label: values.get(i.code, "2") for i in INDICATORS})


def submit_the_interim_report(journey) -> None:
    page = journey.page
    page.get_by_role("link", name="Remplir le bilan intermédiaire").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        f"Bilan intermédiaire — {PTCE_NAME}"
    )
    journey.check("Bilan d’activité — formulaire")

    # A negative count and a word where an amount is expected: refused, nothing saved.
    first, turnover = INDICATORS[0], "turnover"
    journey.fill({"Bilan qualitatif": "Deux coopérations nouées avec les communes du Val."})
    fill_indicators(journey, {first.code: "-3", turnover: "beaucoup"})
    journey.expect_status(400)
    journey.submit("Transmettre le bilan")
    errors = journey.error_messages()
    assert "La valeur ne peut pas être négative." in errors
    assert "Saisissez un nombre (par exemple 12 ou 3,5)." in errors
    assert journey.focused()["id"] == f"id_{first.code}"
    assert journey.field(first.label).get_attribute("aria-invalid") == "true"
    journey.check_state("Bilan d’activité — erreurs")

    journey.fill({first.label: "4", "Chiffre d’affaires du pôle (€)": "125 000,50"})
    journey.submit("Transmettre le bilan")
    journey.expect_path("/espace-laureat/")
    assert (
        page.get_by_role("status")
        .inner_text()
        .startswith("Bilan intermédiaire transmis à la cellule nationale.")
    )
    reports = page.get_by_role("table", name=re.compile("^Bilans de la convention "))
    assert ReportStatus.SUBMITTED.label in reports.inner_text()
    journey.check_state("Espace lauréat — bilan transmis")

    page.get_by_role("link", name="Consulter le bilan intermédiaire").click()
    assert page.get_by_role("textbox").count() == 0  # read-only once sent
    sent = page.get_by_role("table", name="Indicateurs transmis").inner_text()
    assert "Chiffre d’affaires du pôle (€)\t125\xa0000,5" in sent
    journey.check("Bilan d’activité — transmis")


def national_cell_accepts_the_report(journey, ptce) -> None:
    page = journey.page
    report = ptce.agreements.get().reports.get(kind=ReportKind.INTERIM)
    cell = UserFactory(national=True, email="cellule.nationale@exemple.gouv.fr")
    device = totp_device(cell)
    sign_out(journey)
    sign_in_with_code(journey, cell, device)
    journey.goto(f"/suivi-laureats/bilans/{report.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        f"Bilan intermédiaire — {PTCE_NAME}"
    )
    journey.check("Suivi des lauréats — examen d’un bilan")
    # Changes requested without saying which: refused, the comment field has the focus.
    page.get_by_role("radio", name="Demander des compléments").check(force=True)
    journey.submit("Enregistrer l’examen")
    assert journey.error_messages()
    assert journey.focused()["id"] == "id_comment"
    journey.check_state("Suivi des lauréats — examen d’un bilan, erreurs")

    page.get_by_role("radio", name="Accepter le bilan").check(force=True)
    journey.submit("Enregistrer l’examen")
    journey.expect_path(f"/suivi-laureats/conventions/{report.agreement_id}/")
    assert page.get_by_role("status").inner_text() == "Examen du bilan enregistré."
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    journey.check("Suivi des lauréats — convention, bilan accepté")
    sign_out(journey)


def browse_the_catalogue(journey) -> None:
    page = journey.page
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Accompagnement"
    ).click()
    journey.expect_path("/accompagnement/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Bouquet de services d’accompagnement"
    )
    assert page.get_by_role("heading", level=2, name="France Active").count() == 1
    journey.check("Accompagnement — catalogue")


def open_offer(journey, title: str) -> None:
    page = journey.page
    journey.goto("/accompagnement/")
    page.get_by_role("main").get_by_role("link", name=title).click()
    assert page.get_by_role("heading", level=1).inner_text() == title


def reserved_offer_is_explained(journey) -> None:
    open_offer(journey, "Préparer un tour de table")
    situation = journey.page.get_by_role("table", name="Vos PTCE et leur inscription")
    reason = "réservée au public « Lauréats de la phase 1 (PTCE émergents) »"
    assert reason in situation.inner_text()
    assert situation.get_by_role("button").count() == 0
    journey.check_state("Accompagnement — offre réservée")


def enrol(journey, title: str) -> None:
    page = journey.page
    open_offer(journey, title)
    journey.check("Accompagnement — offre")
    journey.submit(f"Inscrire {PTCE_NAME}")
    assert page.get_by_role("status").inner_text() == f"Inscription de {PTCE_NAME} confirmée."
    situation = page.get_by_role("table", name="Vos PTCE et leur inscription")
    assert "Inscription confirmée" in situation.inner_text()
    assert situation.get_by_role("button", name=f"Annuler l’inscription de {PTCE_NAME}").count()
    journey.check("Accompagnement — inscription confirmée")


def join_the_waiting_list(journey, title: str) -> None:
    page = journey.page
    open_offer(journey, title)
    journey.submit("S’inscrire en liste d’attente")
    assert page.get_by_role("status").inner_text().startswith("L’offre est complète : ")
    assert (
        "Liste d’attente"
        in page.get_by_role("table", name="Vos PTCE et leur inscription").inner_text()
    )
    journey.check_state("Accompagnement — liste d’attente")


def test_laureate_sends_a_report_then_enrols_in_support_services(journey):
    contact, ptce = laureate_with_offers()
    sign_in(journey, contact.email, PASSWORD)
    journey.expect_path("/compte/")
    open_the_laureate_space(journey)
    download_the_agreement(journey, ptce)
    submit_the_interim_report(journey)
    national_cell_accepts_the_report(journey, ptce)
    sign_in(journey, contact.email, PASSWORD)
    journey.goto("/espace-laureat/")
    reports = journey.page.get_by_role("table", name=re.compile("^Bilans de la convention "))
    assert ReportStatus.ACCEPTED.label in reports.inner_text()
    browse_the_catalogue(journey)
    reserved_offer_is_explained(journey)
    enrol(journey, "Atelier gouvernance coopérative")
    join_the_waiting_list(journey, "Modèle économique")

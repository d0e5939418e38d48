"""A laureate PTCE's contact: the support services catalogue, an offer reserved to another
audience (explained), an enrolment, then a waiting list on a full offer.

The journey is a sequence of steps sharing one signed-in page, so that the activity report
(another branch) can be added as one more step, e.g. ``submit_activity_report(journey,
ptce)`` between the sign-in and the enrolment."""

from accounts.factories import PASSWORD, UserFactory
from laureates.factories import PtceFactory
from laureates.factories_support import (
    EnrolmentFactory,
    PtceContactFactory,
    SupportOfferFactory,
    SupportPartnerFactory,
)
from laureates.models_support import OfferAudience
from tests.browser.helpers import sign_in

PTCE_NAME = "Pôle des Communs du Val"


def laureate_with_offers():
    """A PTCE and its contact; three published offers from one partner: open to all, full
    (one place, taken), and reserved to phase 2 laureates."""
    contact = UserFactory(email="nadia.durand@exemple.fr", first_name="Nadia")
    ptce = PtceFactory(name=PTCE_NAME, slug="pole-des-communs-du-val")
    PtceContactFactory(ptce=ptce, user=contact)
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
        audience=OfferAudience.PHASE_2,
    )
    return contact, ptce


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
    assert "réservée au public « Lauréats de la phase 2 (financement) »" in (situation.inner_text())
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


def test_laureate_enrols_in_support_services(journey):
    contact, _ptce = laureate_with_offers()
    sign_in(journey, contact.email, PASSWORD)
    journey.expect_path("/compte/")
    # (The activity report step will come here, once reports are on the main branch.)
    browse_the_catalogue(journey)
    reserved_offer_is_explained(journey)
    enrol(journey, "Atelier gouvernance coopérative")
    join_the_waiting_list(journey, "Modèle économique")

"""The error pages (403, 404, 500, expired form) are French, DSFR-styled and accessible."""

import pytest

from accounts.factories import PASSWORD, UserFactory
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.urls("tests.browser.urls")


def heading_and_code(page) -> tuple[str, str]:
    return page.locator("h1").inner_text(), page.locator("main p.fr-text--sm").first.inner_text()


def test_not_found_forbidden_and_server_error_pages(journey):
    page = journey.page
    journey.goto("/cette-page-n-existe-pas/", status=404)
    assert heading_and_code(page) == ("Page non trouvée", "Erreur 404")
    assert page.title() == "Page non trouvée — Plateforme PTCE"
    journey.check("Erreur 404")
    page.get_by_role("main").get_by_role("link", name="Plan du site").click()
    journey.expect_path("/plan-du-site/")

    journey.goto("/essai/interdit/", status=403)
    assert heading_and_code(page) == ("Accès refusé", "Erreur 403")
    assert "pas accessible sans connexion" in page.inner_text("main")
    journey.check("Erreur 403 (visiteur)")

    UserFactory(email="porteuse@exemple.fr")
    sign_in(journey, "porteuse@exemple.fr", PASSWORD)
    journey.goto("/essai/interdit/", status=403)
    assert "Votre compte ne donne pas accès à cette page." in page.inner_text("main")
    assert page.get_by_role("banner").get_by_role("link", name="Mon espace").is_visible()
    journey.check("Erreur 403 (connecté)")

    journey.goto("/essai/erreur/", status=500)
    assert heading_and_code(page) == ("Erreur inattendue", "Erreur 500")
    journey.check("Erreur 500")
    page.get_by_role("main").get_by_role("link", name="Page d’accueil").click()
    journey.expect_path("/")


def test_expired_form_shows_the_csrf_page(journey):
    page = journey.page
    journey.goto("/compte/connexion/")
    journey.fill({"Adresse électronique": "x@exemple.fr", "Mot de passe": "x"})
    page.context.clear_cookies()  # as when the page was left open past the cookie's life
    journey.expect_status(403)
    journey.submit("Se connecter")
    assert heading_and_code(page) == ("Formulaire expiré", "Erreur 403")
    journey.check("Erreur 403 (formulaire expiré)")

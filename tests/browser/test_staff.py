"""Staff sign-in with the mandatory second factor (TOTP): enrolment on first sign-in, then
verification at every later sign-in."""

from accounts.factories import PASSWORD, UserFactory
from tests.browser.helpers import (
    sign_in,
    sign_out,
    totp_code,
    wait_for_otp_throttle,
    wrong_totp_code,
)


def test_reviewer_enrols_an_authenticator_then_verifies_a_code_at_next_sign_in(journey):
    UserFactory(
        reviewer=True, email="instructrice@exemple.gouv.fr", first_name="Inès", last_name="Roux"
    )
    page = journey.page
    sign_in(journey, "instructrice@exemple.gouv.fr", PASSWORD)
    # The staff middleware sends a reviewer without an authenticator to the enrolment page.
    journey.expect_path("/compte/double-authentification/?next=/compte/")
    assert page.locator("h1").inner_text() == "Activer la double authentification"
    journey.check("Double authentification — activation")

    # The person types the key shown on the page into their app (or scans the QR code).
    secret = page.locator(".ptce-mono").inner_text()
    assert len(secret.replace(" ", "")) == 32
    qr_code = page.get_by_role("figure", name="Code QR à scanner avec votre application")
    assert qr_code.locator("svg").count() == 1

    journey.fill({"Code à 6 chiffres": wrong_totp_code(secret)})
    journey.submit("Activer")
    assert journey.error_messages() == [
        "Code incorrect ou expiré : saisissez le code affiché maintenant."
    ]
    assert journey.focused()["id"] == "id_token"
    journey.check("Double authentification — activation, code erroné")
    # The key does not change after a failed attempt.
    assert page.locator(".ptce-mono").inner_text() == secret

    wait_for_otp_throttle()
    journey.fill({"Code à 6 chiffres": totp_code(secret)})
    journey.submit("Activer")
    journey.expect_path("/compte/")
    assert page.get_by_role("status").inner_text() == "La double authentification est activée."
    assert "Rôle : Instructeur régional — Auvergne-Rhône-Alpes" in page.inner_text("main")
    journey.check("Mon espace (instructeur)")

    sign_out(journey)
    journey.expect_path("/")

    sign_in(journey, "instructrice@exemple.gouv.fr", PASSWORD)
    journey.expect_path("/compte/double-authentification/verifier/?next=/compte/")
    assert page.locator("h1").inner_text() == "Double authentification"
    journey.check("Double authentification — vérification")

    journey.fill({"Code à 6 chiffres": "12a456"})
    journey.submit("Valider")
    assert journey.error_messages() == ["Le code ne contient que des chiffres."]
    assert journey.focused()["id"] == "id_token"
    journey.check("Double authentification — vérification, code erroné")

    # The code used at enrolment cannot be used twice: the app's next code is accepted.
    journey.fill({"Code à 6 chiffres": totp_code(secret, steps_ahead=1)})
    journey.submit("Valider")
    journey.expect_path("/compte/")
    assert page.locator("h1").inner_text() == "Mon espace"

    # Every page is now reachable without a new code.
    journey.goto("/plan-du-site/")
    journey.expect_path("/plan-du-site/")

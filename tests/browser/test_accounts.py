"""Candidates' account journeys: sign-up with e-mail confirmation, sign-in, password reset,
the error states of every account form, and the lock-out after repeated failures."""

from accounts.factories import PASSWORD, UserFactory
from tests.browser.helpers import outbox_link, sign_in, sign_out

NEW_PASSWORD = "Un nouveau mot de passe solide"


def fill_signup(journey, **values):
    fields = {
        "Adresse électronique": "nadia.durand@exemple.fr",
        "Prénom": "Nadia",
        "Nom": "Durand",
        "Structure que vous représentez": "Association Les Communs du Val",
        "Mot de passe": "un mot de passe solide",
        "Confirmation du mot de passe": "un mot de passe solide",
    }
    fields.update(values)
    journey.fill(fields)


def test_candidate_signs_up_confirms_from_the_outbox_signs_in_and_out(journey):
    page = journey.page
    journey.goto("/")
    page.get_by_role("banner").get_by_role("link", name="Créer un compte").click()
    journey.expect_path("/compte/inscription/")
    journey.check("Inscription")

    fill_signup(journey)
    journey.submit("Créer mon compte")
    journey.expect_path("/compte/inscription/envoyee/")
    assert page.locator("h1").inner_text() == "Confirmez votre adresse électronique"
    journey.check("Inscription envoyée")

    # Before confirming, the sign-in is refused with an explanation.
    sign_in(journey, "nadia.durand@exemple.fr", "un mot de passe solide")
    assert journey.error_messages() == [
        "Votre adresse électronique n’est pas encore confirmée : ouvrez le lien reçu par "
        "courriel, ou demandez un nouveau lien."
    ]
    journey.check("Connexion — adresse non confirmée")

    link = outbox_link("nadia.durand@exemple.fr", "/compte/confirmer/")
    assert link.startswith(journey.base_url)
    page.goto(link)
    journey.expect_path("/compte/connexion/")
    assert page.get_by_role("status").inner_text() == (
        "Votre adresse est confirmée. Vous pouvez vous connecter."
    )
    journey.check("Connexion — adresse confirmée")

    journey.fill(
        {
            "Adresse électronique": "nadia.durand@exemple.fr",
            "Mot de passe": "un mot de passe solide",
        }
    )
    journey.submit("Se connecter")
    journey.expect_path("/compte/")
    assert page.locator("h1").inner_text() == "Mon espace"
    assert page.locator(".fr-card__title").inner_text() == "Nadia Durand"
    journey.check("Mon espace (porteur de projet)")

    page.get_by_role("banner").get_by_role("link", name="Accueil").click()
    journey.check("Accueil (connecté)")

    sign_out(journey)
    journey.expect_path("/")
    assert page.get_by_role("banner").get_by_role("link", name="Se connecter").is_visible()
    journey.goto("/compte/")
    journey.expect_path("/compte/connexion/?next=/compte/")


def test_failed_signup_shows_errors_linked_to_fields_and_focuses_the_first(journey):
    UserFactory(email="deja.inscrite@exemple.fr")
    page = journey.page
    journey.goto("/compte/inscription/")
    fill_signup(
        journey,
        **{
            "Adresse électronique": "deja.inscrite@exemple.fr",
            "Prénom": "",
            "Mot de passe": "123",
            "Confirmation du mot de passe": "456",
        },
    )
    journey.submit("Créer mon compte")
    journey.expect_path("/compte/inscription/")

    # An address that has an account is not an error on the page (issue 22: it would tell
    # who has an account); its owner is told by e-mail.
    assert journey.focused()["id"] == "id_first_name"
    invalid = page.locator("[aria-invalid=true]")
    assert [invalid.nth(i).get_attribute("id") for i in range(invalid.count())] == [
        "id_first_name",
        "id_password1",
        "id_password2",
    ]
    # Every field in error names its message through aria-describedby.
    descriptions = {}
    for i in range(invalid.count()):
        field = invalid.nth(i)
        described_by = field.get_attribute("aria-describedby")
        descriptions[field.get_attribute("id")] = " ".join(
            page.locator(f"[id='{ref}']").inner_text().strip() for ref in described_by.split()
        )
    assert descriptions == {
        "id_first_name": "Ce champ est obligatoire.",
        "id_password1": "Ce mot de passe est trop court. Il doit contenir au minimum 12 "
        "caractères.\nCe mot de passe est trop courant.\nCe mot de passe est entièrement "
        "numérique.",
        "id_password2": "Les deux mots de passe ne sont pas identiques.",
    }
    # What was typed is kept, except the passwords.
    assert journey.field("Nom").input_value() == "Durand"
    assert journey.field("Mot de passe").input_value() == ""
    journey.check("Inscription — erreurs")

    # A second failure with only the last field wrong moves the focus there.
    fill_signup(
        journey,
        **{"Adresse électronique": "autre@exemple.fr", "Confirmation du mot de passe": "x"},
    )
    journey.submit("Créer mon compte")
    assert journey.focused()["id"] == "id_password2"


def test_sign_in_errors_and_lock_out_after_five_failures(journey):
    UserFactory(email="camille@exemple.fr")
    page = journey.page
    sign_in(journey, "camille@exemple.fr", "pas le bon", check="Connexion")
    assert journey.error_messages() == ["Adresse électronique ou mot de passe incorrect."]
    assert journey.field("Adresse électronique").input_value() == "camille@exemple.fr"
    assert journey.focused()["id"] == "id_username"
    # The form-level error is read with the first field (aria-describedby).
    described_by = journey.field("Adresse électronique").get_attribute("aria-describedby")
    assert page.locator(f"[id='{described_by}']").inner_text().strip() == (
        "Adresse électronique ou mot de passe incorrect."
    )
    journey.check("Connexion — erreurs")

    journey.expect_status(429)
    for _ in range(4):
        journey.fill({"Mot de passe": "toujours pas"})
        journey.submit("Se connecter")
    assert page.locator("h1").inner_text() == "Connexion temporairement bloquée"
    journey.check("Connexion bloquée")
    page.get_by_role("link", name="réinitialiser votre mot de passe").click()
    journey.expect_path("/compte/mot-de-passe/")


def test_password_reset_through_the_outbox_link(journey):
    UserFactory(email="oubli@exemple.fr", first_name="Léa")
    page = journey.page
    sign_in(journey, "oubli@exemple.fr", "je ne sais plus")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    journey.expect_path("/compte/mot-de-passe/")
    journey.check("Mot de passe oublié")

    journey.fill({"Adresse électronique": "pas une adresse"})
    journey.submit("Recevoir le lien")
    assert journey.focused()["id"] == "id_email"
    assert journey.error_messages() == ["Saisissez une adresse de courriel valide."]
    journey.check("Mot de passe oublié — erreurs")

    journey.fill({"Adresse électronique": "oubli@exemple.fr"})
    journey.submit("Recevoir le lien")
    journey.expect_path("/compte/mot-de-passe/envoye/")
    journey.check("Mot de passe oublié — lien envoyé")

    link = outbox_link("oubli@exemple.fr", "/compte/mot-de-passe/")
    page.goto(link)
    assert page.locator("h1").inner_text() == "Choisir un nouveau mot de passe"
    journey.check("Nouveau mot de passe")

    journey.fill(
        {
            "Nouveau mot de passe": NEW_PASSWORD,
            "Confirmation du nouveau mot de passe": "autre chose",
        }
    )
    journey.submit("Enregistrer")
    assert journey.focused()["id"] == "id_new_password2"
    assert journey.error_messages() == ["Les deux mots de passe ne correspondent pas."]
    journey.check("Nouveau mot de passe — erreurs")

    journey.fill(
        {"Nouveau mot de passe": NEW_PASSWORD, "Confirmation du nouveau mot de passe": NEW_PASSWORD}
    )
    journey.submit("Enregistrer")
    journey.expect_path("/compte/mot-de-passe/termine/")
    journey.check("Mot de passe modifié")

    # The link works once only.
    page.goto(link)
    assert journey.error_messages() == ["Ce lien n’est plus valable. Demandez un nouveau lien."]
    journey.check("Nouveau mot de passe — lien périmé")

    sign_in(journey, "oubli@exemple.fr", PASSWORD)
    assert journey.error_messages() == ["Adresse électronique ou mot de passe incorrect."]
    sign_in(journey, "oubli@exemple.fr", NEW_PASSWORD)
    journey.expect_path("/compte/")


def test_new_confirmation_link_and_invalid_link(journey):
    UserFactory(email="lente@exemple.fr", unconfirmed=True)
    page = journey.page
    journey.goto("/compte/confirmer/pas-un-jeton/", status=400)
    assert page.locator("h1").inner_text() == "Confirmation impossible"
    journey.check("Confirmation — lien invalide")

    page.get_by_role("link", name="Recevoir un nouveau lien").click()
    journey.expect_path("/compte/confirmer-a-nouveau/")
    journey.check("Nouveau lien de confirmation")
    journey.submit("Envoyer le lien")
    assert journey.focused()["id"] == "id_email"
    assert journey.error_messages() == ["Ce champ est obligatoire."]
    journey.check("Nouveau lien de confirmation — erreurs")

    journey.fill({"Adresse électronique": "lente@exemple.fr"})
    journey.submit("Envoyer le lien")
    journey.expect_path("/compte/connexion/")
    page.goto(outbox_link("lente@exemple.fr", "/compte/confirmer/"))
    assert "Votre adresse est confirmée" in page.get_by_role("status").inner_text()

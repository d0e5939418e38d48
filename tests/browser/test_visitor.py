"""A visitor who is not signed in reads the public pages of the shell."""

import re

from tests.browser.helpers import outbox_link


def test_visitor_reads_every_footer_page_then_the_sitemap_then_signs_in_page(journey):
    page = journey.page
    journey.goto("/")
    assert page.locator("h1").inner_text() == "Pôles territoriaux de coopération économique"
    journey.check("Accueil")

    footer = page.get_by_role("contentinfo")
    for link, heading, label in [
        ("Accessibilité : non conforme", "Déclaration d’accessibilité", "Accessibilité"),
        ("Mentions légales", "Mentions légales", "Mentions légales"),
        ("Données personnelles", "Données personnelles", "Données personnelles"),
    ]:
        footer.get_by_role("link", name=link).click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == heading
        assert page.title() == f"{heading} — Plateforme PTCE"
        journey.check(label)

    footer.get_by_role("link", name="Plan du site").click()
    journey.expect_path("/plan-du-site/")
    journey.check("Plan du site")

    page.get_by_role("main").get_by_role("link", name="Se connecter").click()
    journey.expect_path("/compte/connexion/")
    assert page.locator("h1").inner_text() == "Se connecter"
    journey.check("Connexion")


def test_visitor_follows_every_entry_of_the_main_navigation(journey):
    """Each public section listed in the navigation (it grows as features land) opens, in
    French, with no serious accessibility violation, on an empty database."""
    page = journey.page
    journey.goto("/")
    navigation = page.locator("#navigation-principale a")
    entries = [
        (navigation.nth(i).inner_text().strip(), navigation.nth(i).get_attribute("href"))
        for i in range(navigation.count())
    ]
    assert entries[0] == ("Accueil", "/")
    for label, href in entries[1:]:
        journey.goto(href)
        link = page.locator("#navigation-principale a", has_text=label)
        assert link.get_attribute("aria-current") == "page"
        assert page.locator("h1").count() == 1
        journey.check(f"{label} (vide)")


def load_demo(*apps: str) -> None:
    """The demo builders of these apps (the same data as `manage.py load_demo`)."""
    import importlib
    import io

    for app in apps:
        importlib.import_module(f"{app}.demo").load(io.StringIO())


def test_visitor_goes_from_the_call_to_the_directory_the_map_and_registers_to_an_event(journey):
    """Home → call page → directory search → a PTCE page → map → an event → registration
    (with its error state), on the demo data, without an account."""
    load_demo("calls", "laureates", "events")
    page = journey.page
    main = page.get_by_role("main")
    navigation = page.get_by_role("navigation", name="Menu principal")
    journey.goto("/")
    journey.check("Accueil (avec données)")

    main.get_by_role("link", name="Appels à candidatures").click()
    journey.expect_path("/appels/")
    journey.check("Appels à candidatures")
    call = "AMI permanent PTCE 2026-2027 (démo)"
    main.get_by_role("link", name=call).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == call
    assert main.get_by_role("link", name="Déposer un dossier").count() == 1
    journey.check("Appel — page")

    navigation.get_by_role("link", name="Annuaire des PTCE").click()
    journey.expect_path("/annuaire/")
    journey.check("Annuaire des PTCE")
    main.get_by_role("searchbox", name=re.compile("^Recherche")).fill("bugey")
    main.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state()
    assert journey.path.startswith("/annuaire/?q=bugey")
    assert main.get_by_role("heading", name=re.compile("^1 PTCE correspondant")).count() == 1
    journey.check_state("Annuaire — recherche")
    main.get_by_role("link", name="Ressourcerie coopérative du Bugey (démo)").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Ressourcerie coopérative du Bugey (démo)"
    )
    journey.check("Fiche d’un PTCE")

    navigation.get_by_role("link", name="Carte").click()
    journey.expect_path("/annuaire/carte/")
    assert page.get_by_role("heading", level=1).inner_text() == "Carte des PTCE"
    journey.check("Carte des PTCE")

    navigation.get_by_role("link", name="Événements").click()
    journey.expect_path("/evenements/")
    journey.check("Événements")
    main.get_by_role("link", name="Préparer sa candidature à l'AMI 2027 (démo)").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Préparer sa candidature à l'AMI 2027 (démo)"
    )
    journey.check("Événement")

    journey.submit("M’inscrire")
    assert "Ce champ est obligatoire." in journey.error_messages()
    assert journey.focused()["id"] == "id_name"
    journey.check_state("Événement — inscription, erreurs")
    journey.fill(
        {
            "Nom et prénom": "Lucie Bernard",
            "Adresse électronique": "lucie.bernard@exemple.fr",
            "Organisation": "Ressourcerie du Bugey",
        }
    )
    journey.submit("M’inscrire")
    assert "Si cette adresse peut s’inscrire" in page.get_by_role("status").inner_text()
    journey.check("Événement — inscription enregistrée")

    # The place is taken only once the address is confirmed through the e-mailed link.
    page.goto(outbox_link("lucie.bernard@exemple.fr", "/confirmer/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Confirmer mon inscription"
    journey.check("Événement — confirmer l’adresse")
    journey.submit("Confirmer mon inscription")
    assert "Votre adresse est confirmée" in page.get_by_role("status").inner_text()
    journey.check("Événement — inscription confirmée")

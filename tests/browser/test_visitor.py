"""A visitor who is not signed in reads the public pages of the shell."""


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

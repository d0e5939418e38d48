"""The candidate's sign-up and sign-in, with the keyboard only (Tab, Shift+Tab, Enter, Space).

Typing text is keyboard input too (`keyboard.type`); nothing is clicked and no field is filled
programmatically. Opening the confirmation link stands for the person's mail client."""

from tests.browser.helpers import describe, focused, outbox_link

PASSWORD = "un mot de passe solide"
HEADER_ORDER = ["Contenu", "Menu", "Pied de page", "Plateforme PTCE"]


def press(page, key: str, count: int = 1) -> list[str]:
    """Press a key and return what has the focus after each press (always on screen)."""
    names = []
    for _ in range(count):
        page.keyboard.press(key)
        element = focused(page)
        assert element is None or element["visible"], f"focus invisible : {element}"
        names.append(describe(element))
    return names


def press_and_load(page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def type_then_tab(page, *values: str) -> None:
    for value in values:
        page.keyboard.type(value)
        page.keyboard.press("Tab")


def skip_link_is_on_screen(page) -> bool:
    return page.evaluate(
        """() => {
            const r = document.activeElement.getBoundingClientRect();
            return r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
        }"""
    )


def test_candidate_signs_up_and_in_with_the_keyboard_only(journey):
    page = journey.page
    journey.goto("/")

    # Focus order: skip links first, then the header, the navigation (its entries depend on
    # the pages that exist), the content, the footer.
    navigation = [
        name.strip() for name in page.locator("#navigation-principale a").all_inner_texts()
    ]
    assert navigation[0] == "Accueil"
    assert press(page, "Tab") == ["Contenu"]
    assert skip_link_is_on_screen(page)
    header = [*HEADER_ORDER[1:], "Se connecter", "Créer un compte", *navigation]
    assert press(page, "Tab", len(header)) == header
    press(page, "Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    back = press(page, "Shift+Tab", len(navigation) + 1)
    assert back == [*reversed(navigation), "Créer un compte"]
    press_and_load(page, "Enter")
    journey.expect_path("/compte/inscription/")

    # The skip link leads straight to the content, then the breadcrumb and the form.
    assert press(page, "Tab") == ["Contenu"]
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "contenu"
    assert press(page, "Tab", 2) == ["Accueil", "champ id_email"]
    type_then_tab(page, "clement.martin@exemple.fr", "Clément", "Martin", "Coopérative du Bocage")
    assert describe(focused(page)) == "champ id_password1"
    type_then_tab(page, PASSWORD, "un autre mot de passe")
    assert describe(focused(page)) == "Créer mon compte"
    assert press(page, "Shift+Tab") == ["champ id_password2"]
    assert press(page, "Tab") == ["Créer mon compte"]

    # Space on the button submits; the focus lands on the first field in error.
    press_and_load(page, "Space")
    # The skip link left « #contenu » in the address, where browsers ignore `autofocus`:
    # static/js/ptce.js moves the focus to the first field in error all the same.
    assert journey.path == "/compte/inscription/#contenu"
    assert focused(page)["id"] == "id_password2"
    assert journey.error_messages() == ["Les deux mots de passe ne sont pas identiques."]
    journey.check("Inscription — erreurs")  # axe and screenshots keep the focus where it is
    assert focused(page)["id"] == "id_password2"
    assert press(page, "Shift+Tab") == ["champ id_password1"]
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    press_and_load(page, "Enter")  # Enter in a field submits its form
    journey.expect_path("/compte/inscription/envoyee/")

    page.goto(outbox_link("clement.martin@exemple.fr", "/compte/confirmer/"))
    journey.expect_path("/compte/connexion/")
    # The sign-in field has the focus on arrival.
    assert focused(page)["id"] == "id_username"
    page.keyboard.type("clement.martin@exemple.fr")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    press_and_load(page, "Enter")
    journey.expect_path("/compte/")
    journey.check("Mon espace (porteur de projet)")

    assert press(page, "Tab", 6) == [*HEADER_ORDER, "Mon espace", "Se déconnecter"]
    press_and_load(page, "Enter")
    journey.expect_path("/")
    assert press(page, "Tab", 6)[-2:] == ["Se connecter", "Créer un compte"]


def test_mobile_menu_opens_and_closes_with_the_keyboard(open_journey):
    journey = open_journey(viewport={"width": 375, "height": 740})
    page = journey.page
    journey.goto("/")
    # On a small screen the menu button comes right after the skip links.
    assert press(page, "Tab", 4) == ["Contenu", "Menu", "Pied de page", "Menu"]
    assert focused(page)["id"] == "bouton-menu-mobile"
    assert page.locator("#menu-mobile").is_hidden()

    page.keyboard.press("Enter")
    menu = page.locator("#menu-mobile")
    menu.wait_for(state="visible")
    assert page.locator("#bouton-menu-mobile").get_attribute("data-fr-opened") == "true"
    # The focus moves into the menu and stays there (DSFR modal): the account links (copied
    # from the header by the DSFR) and the navigation, then back to « Fermer ».
    assert describe(focused(page)) == "Fermer"
    navigation = [
        name.strip() for name in page.locator("#navigation-principale a").all_inner_texts()
    ]
    in_menu = ["Se connecter", "Créer un compte", *navigation, "Fermer"]
    assert press(page, "Tab", len(in_menu)) == in_menu
    journey.check("Menu mobile ouvert", screenshot=False)

    page.keyboard.press("Escape")
    menu.wait_for(state="hidden")
    assert describe(focused(page)) == "Menu"

"""The candidate's file, with the keyboard only: sign-in, the lead organisation step (with a
failed save whose focus lands on the first error), the territory type-ahead (arrows and
Enter), the remaining steps, a refused submission (focus on the message), the certification
ticked with Space and the submission.

Nothing is clicked and no field is filled programmatically: Tab, Shift+Tab, Enter, Space,
arrows and typed text. Opening a step's address stands for a bookmark. Along the way the
focus order is checked: always visible, never twice on the same element before reaching the
target, and following the order of the page (skip link, breadcrumb, steps menu, form)."""

import re

from accounts.factories import PASSWORD, UserFactory
from applications.choices import PhaseRequest
from applications.factories import complete_application, valid_siret
from applications.models import Application
from reviews.factories import call_with_grid
from tests.browser.helpers import describe, focused
from tests.browser.test_keyboard import press, press_and_load

STEPS = [
    "1. Structure porteuse",
    "2. Membres du pôle",
    "3. Territoire",
    "4. Projet",
    "5. Budget",
    "6. Pièces justificatives",
    "7. Récapitulatif et dépôt",
]


def tab_to(page, target: str, *, limit: int = 120, backwards: bool = False) -> list[str]:
    """Press Tab (or Shift+Tab) until the focus is on `target` (a `describe` name); returns
    the names met on the way. Fails when the whole page went by (back to the skip link)
    without reaching it, on a focus trap (limit) or an invisible focus (see `press`)."""
    met: list[str] = []
    for _ in range(limit):
        [name] = press(page, "Shift+Tab" if backwards else "Tab")
        if name.startswith(target):
            return met
        assert not (name == "Contenu" and "Contenu" in met), f"{target!r} absent : {met}"
        met.append(name)
    raise AssertionError(f"{target!r} jamais atteint au clavier : {met}")


def type_into(page, field_id: str, text: str) -> None:
    assert focused(page)["id"] == field_id, focused(page)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def a_draft_to_finish(owner) -> Application:
    """A phase 1 draft whose members and project are done; the lead organisation and the
    territory are left to fill."""
    call = call_with_grid(title="AMI PTCE 2026 — clavier")
    application = complete_application(
        owner=owner, call=call, requested_phases=PhaseRequest.EMERGENCE
    )
    for name in (
        "lead_siret",
        "lead_name",
        "lead_legal_category",
        "lead_address",
        "lead_postal_code",
        "lead_city",
        "representative_name",
        "representative_title",
        "contact_name",
        "contact_email",
        "contact_phone",
        "lead_legal_form",
        "lead_category",
    ):
        setattr(application, name, "")
    application.lead_is_ess = None
    application.lead_commune = None
    application.save()
    application.communes.clear()
    return application


def sign_in_with_keys(journey, email: str) -> None:
    page = journey.page
    journey.goto("/compte/connexion/")
    assert focused(page)["id"] == "id_username"
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    press_and_load(page, "Enter")
    journey.expect_path("/compte/")


def test_candidate_completes_and_submits_a_file_with_the_keyboard_only(journey):
    owner = UserFactory(email="clement.martin@exemple.fr", first_name="Clément")
    application = a_draft_to_finish(owner)
    base = f"/dossiers/{application.uuid}/"
    page = journey.page
    sign_in_with_keys(journey, owner.email)

    # Step 1: skip link, then the breadcrumb and the steps menu in order, then the form.
    journey.goto(base + "structure/")
    assert press(page, "Tab") == ["Contenu"]
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "contenu"
    before_form = tab_to(page, "champ id_lead_siret")
    menu = [name for name in before_form if name[:2] in {f"{n}." for n in range(1, 8)}]
    # Each entry reads « n. Title » then its badge (« complet », « à compléter (n) »…).
    assert [re.sub(r" (À COMPLÉTER|COMPLET|SANS OBJET).*$", "", name) for name in menu] == STEPS
    assert before_form.index(menu[0]) > before_form.index("Mes dossiers")  # breadcrumb first

    page.keyboard.type("123 456 789")
    page.keyboard.press("Tab")
    assert describe(focused(page)) == "champ id_lead_name"
    page.keyboard.type("Coopérative du Bocage")
    # A failed save: Enter in a field submits, the focus lands on the first error.
    press_and_load(page, "Enter")
    assert focused(page)["id"] == "id_lead_siret"
    assert any("SIRET" in message for message in journey.error_messages())
    journey.check_state("Dossier au clavier — 1. structure porteuse, erreurs")

    type_into(page, "id_lead_siret", valid_siret(7))
    tab_to(page, "champ id_lead_legal_form")
    page.keyboard.type("Coop")  # a closed <select> picks the option typed
    tab_to(page, "champ id_lead_is_ess")
    page.keyboard.press("Space")  # « Oui », the first radio of the group
    assert page.evaluate("() => document.activeElement.checked") is True
    tab_to(page, "champ id_lead_category")
    page.keyboard.type("Entreprise de l")
    for field_id, text in (
        ("id_lead_address", "3 rue du Moulin"),
        ("id_lead_postal_code", "69590"),
        ("id_lead_city", "Saint-Symphorien-sur-Coise"),
        ("id_representative_name", "Clément Martin"),
        ("id_representative_title", "Gérant"),
        ("id_contact_name", "Clément Martin"),
        ("id_contact_email", owner.email),
    ):
        tab_to(page, f"champ {field_id}")
        page.keyboard.type(text)
    tab_to(page, "Enregistrer et continuer")
    press_and_load(page, "Enter")
    journey.expect_path(base + "membres/")
    application.refresh_from_db()
    assert application.lead_legal_form == "cooperative"
    assert application.lead_is_ess is True
    assert application.lead_category == "ess_enterprise"
    assert application.lead_commune_id is not None

    # Step 2 is done: its « continue » link, with Enter.
    tab_to(page, "Continuer vers le territoire")
    press_and_load(page, "Enter")
    journey.expect_path(base + "territoire/")

    # Step 3: type-ahead, ArrowDown to the suggestion, Enter to add it.
    tab_to(page, "champ recherche-territoire")
    page.keyboard.type("69590", delay=20)
    options = page.get_by_role("listbox").get_by_role("option")
    options.first.wait_for()
    labels = options.all_inner_texts()
    index = next(i for i, label in enumerate(labels) if "Saint-Symphorien-sur-Coise" in label)
    for _ in range(index + 1):
        page.keyboard.press("ArrowDown")
    assert page.get_attribute("#recherche-territoire", "aria-activedescendant") == (
        f"suggestion-{index}"
    )
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "recherche-territoire"  # back in the field, to add more
    journey.check_state("Dossier au clavier — 3. territoire choisi")
    tab_to(page, "Enregistrer et continuer")
    press_and_load(page, "Enter")
    journey.expect_path(base + "projet/")

    # Steps 4 to 6 are complete or not needed (phase 1): continue with the keyboard.
    tab_to(page, "Enregistrer et continuer")
    press_and_load(page, "Enter")
    journey.expect_path(base + "budget/")
    tab_to(page, "Enregistrer et continuer")
    press_and_load(page, "Enter")
    journey.expect_path(base + "pieces/")
    tab_to(page, "Continuer vers le récapitulatif")
    press_and_load(page, "Enter")
    journey.expect_path(base)

    # Step 7: submitting without the certification is refused; the focus is on the message.
    tab_to(page, "Déposer le dossier")
    press_and_load(page, "Enter")
    journey.expect_path(base)
    assert describe(focused(page)) == "Cochez la case de certification pour déposer le dossier."
    journey.check_state("Dossier au clavier — dépôt refusé")
    tab_to(page, "champ id_certify")
    page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.checked") is True
    assert press(page, "Tab") == ["Déposer le dossier"]
    press_and_load(page, "Space")
    journey.expect_path(f"/dossiers/{application.uuid}/depot-confirme/")
    application.refresh_from_db()
    assert application.reference in page.get_by_role("main").inner_text()
    assert application.reference

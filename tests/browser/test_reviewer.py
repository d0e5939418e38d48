"""A regional reviewer with the second factor: sign-in and TOTP code, the list of files of
their région only, scoring a file (with the error of an incomplete evaluation), the other
reviewers' scores shown only once their own is submitted, then the regional opinion."""

import re

from accounts.factories import PASSWORD, UserFactory, current_code, totp_device
from reviews.factories import call_with_grid, submit_evaluation, submitted_file
from reviews.models import Assignment
from tests.browser.helpers import sign_in, table_box_overflow

# At 1 280 px, the scoring page of the default six-criterion grid stays under this height (it
# was ~3 900 px with one radio per line and a large comment box per criterion).
SCORING_PAGE_MAX_HEIGHT = 2000
TABLE_BOXES = ".fr-table__container, .fr-table__content, .ptce-worklist"


def page_height(page) -> int:
    return page.evaluate("() => document.documentElement.scrollHeight")


def box_overflow_at(page, width: int, selector: str = TABLE_BOXES) -> int:
    """``table_box_overflow`` at this window width (the window is put back to 1 280 px)."""
    page.set_viewport_size({"width": width, "height": 800})
    try:
        return table_box_overflow(page, selector)
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})


SCORES = ["4", "3", "5", "2", "4", "1"]


def sign_in_with_code(journey, user, device) -> None:
    """Password, then the authenticator's current code (the device was enrolled before)."""
    sign_in(journey, user.email, PASSWORD)
    journey.expect_path("/compte/double-authentification/verifier/?next=/compte/")
    journey.fill({"Code à 6 chiffres": current_code(device)})
    journey.submit("Valider")
    journey.expect_path("/compte/")


def choose_with_keyboard(page, code: str, value: str) -> None:
    """Focus the lowest note of a criterion, choose it with Space, then arrow down to ``value``."""
    page.locator(f"#critere-{code} input[type=radio]").first.focus()
    page.keyboard.press("Space")
    for _ in range(int(value)):
        page.keyboard.press("ArrowDown")
    assert page.locator(f"#id_score_{code}_{value}").is_checked()


def test_reviewer_signs_in_with_totp_scores_a_file_then_gives_the_regional_opinion(journey):
    call = call_with_grid(title="AMI PTCE 2026 — instruction")
    ours = submitted_file(call=call)  # Monts du Lyonnais: Auvergne-Rhône-Alpes (84)
    also_ours = submitted_file(call=call)
    elsewhere = submitted_file(call=call, communes=["75056"])  # Paris: Île-de-France
    reviewer = UserFactory(
        reviewer=True, region_id="84", email="ines.roux@exemple.gouv.fr", last_name="Roux"
    )
    colleague = UserFactory(reviewer=True, region_id="84", last_name="Colin")
    Assignment.objects.create(application=ours, reviewer=reviewer)
    submit_evaluation(ours, colleague, ["2", "2", "2", "2", "2", "2"])
    device = totp_device(reviewer)
    page = journey.page
    main = page.get_by_role("main")

    sign_in_with_code(journey, reviewer, device)
    journey.goto("/instruction/dossiers/")
    assert page.get_by_role("heading", level=1).inner_text() == "Dossiers à instruire"
    table = main.get_by_role("table", name="Dossiers")
    listed = table.inner_text()
    assert ours.reference in listed and also_ours.reference in listed
    assert elsewhere.reference not in listed
    journey.check("Instruction — liste de la région")
    assert table_box_overflow(page, ".ptce-worklist") == 0  # default columns fit 1 280 px

    # Search: one box, any part of the reference, accents and case ignored.
    main.get_by_role("searchbox", name="Rechercher un dossier").fill(also_ours.reference.lower())
    journey.submit("Rechercher")
    assert table.get_by_role("link", name=re.compile(re.escape(also_ours.reference))).count()
    assert ours.reference not in table.inner_text()

    # Column chooser: more columns than fit → the table scrolls, the reference stays in view.
    main.get_by_role("searchbox", name="Rechercher un dossier").fill("")
    main.get_by_role("button", name="Filtres, tri et colonnes").click()
    for label in ("Région", "Appel", "Relève", "Déposé le", "Porteur", "Écart-type"):
        main.get_by_role("checkbox", name=label, exact=True).check(force=True)
    journey.submit("Appliquer")
    assert "Porteur" in table.get_by_role("row").first.inner_text()
    journey.check_state("Instruction — liste, colonnes ajoutées")
    box = page.locator(".ptce-worklist")
    box.evaluate("(element) => { element.scrollLeft = element.scrollWidth; }")
    reference_cell = table.get_by_role("rowheader").first.bounding_box()
    container = box.bounding_box()
    assert reference_cell["x"] >= container["x"] - 1  # still in view after scrolling

    table.get_by_role("link", name=re.compile(re.escape(ours.reference))).first.click()
    journey.expect_path(f"/instruction/dossiers/{ours.uuid}/")
    # Independence: the colleague's scores stay hidden until this reviewer submits.
    assert "Les notes des autres évaluateurs (1) sont visibles une fois votre propre " in (
        main.inner_text()
    )
    assert main.get_by_role("heading", name=re.compile("Colin — note pondérée")).count() == 0
    journey.check("Instruction — dossier, notes masquées")
    # The register checks (and every other table of the page) fit the column at 1 280 px;
    # at 375 px a table scrolls inside its own box, never the page (journey.check).
    assert main.locator("#controles-sirene").count() == 1
    assert box_overflow_at(page, 1280) == 0

    main.get_by_role("link", name="Évaluer le dossier").click()
    journey.expect_path(f"/instruction/dossiers/{ours.uuid}/evaluation/")
    journey.check("Évaluation")
    height = page_height(page)
    assert height < SCORING_PAGE_MAX_HEIGHT, f"page d’évaluation haute de {height} px à 1 280 px"
    # The total and the buttons stay in view at the foot of the window.
    bar = page.locator("#total-bas").bounding_box()
    assert bar is not None and bar["y"] + bar["height"] <= 800, bar
    totals = main.locator("[data-ptce-total]")
    assert totals.all_inner_texts() == ["—", "—"]
    # Scoring with the keyboard: focus the first note of a criterion, Space chooses it, the
    # arrow keys move the choice within the group (native radio behaviour).
    choose_with_keyboard(page, "animation", SCORES[0])
    assert journey.focused()["id"] == "id_score_animation_4"
    assert totals.all_inner_texts() == ["4,00", "4,00"]  # recomputed in the page
    # The descriptor of the note chosen is shown under the notes of its criterion.
    level = page.locator("#critere-animation [data-ptce-level]")
    assert level.inner_text().startswith("4 — "), level.inner_text()
    assert level.inner_text() == page.locator("#id_score_animation_4").get_attribute(
        "data-ptce-descriptor"
    ).join(["4 — ", ""])
    # Pointing at another note shows its descriptor; leaving the group shows the chosen one.
    page.locator("label[for=id_score_animation_1]").hover()
    assert level.inner_text().startswith("1 — ")
    page.get_by_role("heading", level=1).hover()
    assert level.inner_text().startswith("4 — ")
    assert "Note pondérée provisoire" in main.inner_text()
    journey.submit("Transmettre l’évaluation")
    assert journey.error_messages(), "une évaluation incomplète doit être refusée"
    journey.check_state("Évaluation — erreurs")
    # The focus is on the first criterion in error (its first note), not left at the top.
    focused = journey.focused()
    assert focused["id"] == "id_score_cooperation_0", focused  # the first criterion left empty
    assert main.get_by_role("radio", name=re.compile("^4 — ")).first.is_checked()

    groups = main.locator("fieldset[data-ptce-weight]")
    assert groups.count() == len(SCORES)
    codes = [groups.nth(index).get_attribute("id").removeprefix("critere-") for index in range(6)]
    for code, value in zip(codes[1:], SCORES[1:], strict=True):
        choose_with_keyboard(page, code, value)
    # (20 × 4 + 20 × 3 + 20 × 5 + 15 × 2 + 15 × 4 + 10 × 1) / 100 = 3.40, as the server says.
    assert totals.all_inner_texts() == ["3,40", "3,40"]
    assert "Note pondérée provisoire" not in main.inner_text()
    journey.check_state("Évaluation — notes choisies au clavier, total en direct")
    comments = main.get_by_role("textbox", name=re.compile("^Commentaire — "))
    for index in range(comments.count()):
        comments.nth(index).fill("Appréciation argumentée.")
    journey.submit("Transmettre l’évaluation")
    journey.expect_path(f"/instruction/dossiers/{ours.uuid}/")
    assert page.get_by_role("status").inner_text() == "Évaluation transmise : note pondérée 3,40."
    # Now the colleague's evaluation is shown.
    assert main.get_by_role("heading", name=re.compile("Colin — note pondérée")).count() == 1
    journey.check("Instruction — dossier, notes visibles")
    assert (
        main.get_by_role("table", name=re.compile("^Notes de ")).count() == 2
    )  # own and colleague’s
    assert box_overflow_at(page, 1280) == 0  # with the evaluations' tables too
    # The sommaire links every section; at 1 280 px it stays in view (sticky side column).
    summary = main.get_by_role("navigation", name="Sommaire")
    assert summary.get_by_role("link").count() == 11
    summary.get_by_role("link", name="Historique").click()
    assert page.url.endswith("#historique")
    box = summary.bounding_box()
    assert box is not None and 0 <= box["y"] < 200, box

    main.get_by_role("link", name="Ouvrir l’avis régional").click()
    journey.expect_path(f"/instruction/dossiers/{ours.uuid}/avis/")
    journey.check("Avis régional")
    journey.submit("Enregistrer l’avis")
    assert journey.error_messages()
    journey.check_state("Avis régional — erreurs")
    main.get_by_role("radio", name="Favorable", exact=True).check(force=True)
    main.get_by_role("textbox", name=re.compile("^Motifs de l’avis")).fill(
        "Pôle solide, gouvernance partagée, budget crédible."
    )
    journey.submit("Enregistrer l’avis")
    assert page.get_by_role("status").inner_text() == "Avis régional enregistré."
    journey.check_state("Avis régional — enregistré")

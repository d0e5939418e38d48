"""A regional reviewer with the second factor: sign-in and TOTP code, the list of files of
their région only, scoring a file (with the error of an incomplete evaluation), the other
reviewers' scores shown only once their own is submitted, then the regional opinion."""

import re

from accounts.factories import PASSWORD, UserFactory, current_code, totp_device
from reviews.factories import call_with_grid, submit_evaluation, submitted_file
from reviews.models import Assignment
from tests.browser.helpers import sign_in, table_box_overflow

SCORES = ["4", "3", "5", "2", "4", "1"]


def sign_in_with_code(journey, user, device) -> None:
    """Password, then the authenticator's current code (the device was enrolled before)."""
    sign_in(journey, user.email, PASSWORD)
    journey.expect_path("/compte/double-authentification/verifier/?next=/compte/")
    journey.fill({"Code à 6 chiffres": current_code(device)})
    journey.submit("Valider")
    journey.expect_path("/compte/")


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

    main.get_by_role("link", name="Évaluer le dossier").click()
    journey.expect_path(f"/instruction/dossiers/{ours.uuid}/evaluation/")
    journey.check("Évaluation")
    criteria = main.get_by_role("group")
    first = criteria.first.get_by_role("textbox").first
    first.fill("4")
    journey.submit("Transmettre l’évaluation")
    assert journey.error_messages(), "une évaluation incomplète doit être refusée"
    journey.check_state("Évaluation — erreurs")
    # The focus is on the first error (field or error summary), not left at the top.
    focused = journey.focused()
    assert focused["id"] == "id_score_cooperation", focused  # the first criterion left empty

    scores = main.get_by_role("textbox", name=re.compile(r"\(pondération"))
    assert scores.count() == len(SCORES)
    for index, value in enumerate(SCORES):
        scores.nth(index).fill(value)
    comments = main.get_by_role("textbox", name=re.compile("^Commentaire — "))
    for index in range(comments.count()):
        comments.nth(index).fill("Appréciation argumentée.")
    journey.submit("Transmettre l’évaluation")
    journey.expect_path(f"/instruction/dossiers/{ours.uuid}/")
    assert page.get_by_role("status").inner_text().startswith("Évaluation transmise : note")
    # Now the colleague's evaluation is shown.
    assert main.get_by_role("heading", name=re.compile("Colin — note pondérée")).count() == 1
    journey.check("Instruction — dossier, notes visibles")
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

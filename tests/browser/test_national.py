"""The national cell, with its second factor: the national ranking, an allocation simulation
(with its error state), a committee session, the decisions (with the refusal that needs its
reasons), the publication, and the candidate downloading the decision letter."""

import re

from accounts.factories import PASSWORD, UserFactory, totp_device
from applications import states
from applications.choices import ApplicationStatus
from reviews.factories import call_with_grid, reviewers, submit_evaluation, submitted_file
from tests.browser.helpers import sign_in, table_box_overflow
from tests.browser.test_reviewer import sign_in_with_code

CALL_TITLE = "AMI PTCE 2026 — sélection"


def reviewed_files(call, owner):
    """Two files instructed in Auvergne-Rhône-Alpes: scored by two reviewers each, then
    closed by the national cell (« Instruit »)."""
    national = UserFactory(national=True)
    first = submitted_file(call=call, owner=owner)
    second = submitted_file(call=call)
    pair = reviewers("84", 2)
    for application, values in ((first, "4"), (second, "2")):
        for reviewer in pair:
            submit_evaluation(application, reviewer, [values] * 6)
        application.refresh_from_db()
        if application.status != ApplicationStatus.REVIEWED:
            states.change_status(application, ApplicationStatus.REVIEWED, actor=national)
    return first, second


def decision_section(page, reference: str):
    """The row of the committee's decision table about one file."""
    table = page.get_by_role("main").get_by_role("table")
    return table.get_by_role("row").filter(has=page.get_by_role("link", name=reference))


def test_national_cell_ranks_simulates_decides_publishes_and_the_candidate_gets_the_letter(
    journey, open_journey
):
    call = call_with_grid(title=CALL_TITLE)
    candidate = UserFactory(email="nadia.durand@exemple.fr", first_name="Nadia")
    first, second = reviewed_files(call, candidate)
    cell = UserFactory(national=True, email="cellule.nationale@exemple.gouv.fr")
    device = totp_device(cell)
    page = journey.page
    main = page.get_by_role("main")

    sign_in_with_code(journey, cell, device)
    journey.goto(f"/instruction/national/?call={call.pk}")
    assert page.get_by_role("heading", level=1).inner_text() == (
        f"Consolidation nationale — {CALL_TITLE}"
    )
    ranking = main.get_by_role("table", name="Dossiers de l’appel classés")
    rows = ranking.get_by_role("row")
    assert first.reference in rows.nth(1).inner_text()  # 4/5 everywhere: first
    assert second.reference in rows.nth(2).inner_text()
    journey.check("Consolidation nationale — classement")
    assert table_box_overflow(page, ".ptce-worklist") == 0  # fits at 1 280 px

    # The simulator: an envelope is required.
    journey.expect_status(400)
    journey.submit("Simuler")
    assert journey.error_messages()
    assert journey.focused()["id"] == "id_envelope"
    journey.check_state("Consolidation nationale — simulation, erreurs")
    journey.fill(
        {
            "Enveloppe à répartir (€)": "100 000",
            "Montant minimal par lauréat (€)": "30 000",
            "Montant maximal par lauréat (€)": "80 000",
            "Nom de la simulation": "Scénario de base",
        }
    )
    journey.submit("Simuler")
    assert page.get_by_role("heading", level=1).inner_text() == "Simulation « Scénario de base »"
    assert page.get_by_role("status").inner_text() == "Simulation « Scénario de base » enregistrée."
    journey.check("Simulation enregistrée")

    # The committee session.
    journey.goto("/instruction/comite/")
    assert page.get_by_role("heading", level=1).inner_text() == "Comité de sélection"
    journey.check("Comité de sélection — séances")
    journey.submit("Créer la séance")
    assert journey.error_messages()
    journey.check_state("Comité de sélection — séance, erreurs")
    main.get_by_role("combobox", name=re.compile("^Appel")).select_option(label=CALL_TITLE)
    journey.fill({"Intitulé de la séance": "Comité national du 15 décembre", "Lieu": "Paris"})
    main.get_by_label("Date de la séance").fill("2026-12-15")
    journey.submit("Créer la séance")
    assert page.get_by_role("heading", level=1).inner_text() == "Comité national du 15 décembre"
    journey.check("Séance — dossiers proposés")
    assert table_box_overflow(page, ".ptce-decision-table > table") == 0  # fits at 1 280 px

    accepted = decision_section(page, first.reference)
    accepted.get_by_role("combobox", name=re.compile("^Décision")).select_option(label="Retenu")
    # A phase-1 file gets a label: no amount field on its row.
    assert accepted.get_by_role("textbox", name=re.compile("^Montant accordé")).count() == 0
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer les décisions").click()
    assert page.get_by_role("status").inner_text() == (
        f"Décision enregistrée pour {first.reference}."
    )

    refused = decision_section(page, second.reference)
    refused.get_by_role("combobox", name=re.compile("^Décision")).select_option(label="Non retenu")
    journey.expect_status(400)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer les décisions").click()
    refused = decision_section(page, second.reference)
    assert refused.locator(".fr-error-text, .fr-alert--error").count() >= 1
    journey.check_state("Séance — décision, erreurs")
    refused.get_by_role("textbox", name=re.compile("^Motifs")).fill(
        "Coopération encore trop peu formalisée ; candidature encouragée à la prochaine relève."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer les décisions").click()
    assert page.get_by_role("status").inner_text() == (
        f"Décision enregistrée pour {second.reference}."
    )
    journey.check_state("Séance — décisions saisies")

    journey.submit("Publier les décisions")
    assert page.get_by_role("status").inner_text() == "Séance publiée : 2 candidat(s) prévenu(s)."
    journey.check("Séance publiée")
    first.refresh_from_db()
    assert first.status == ApplicationStatus.ACCEPTED

    # The candidate, in their own browser, downloads the letter from « Mes dossiers ».
    candidate_view = open_journey("candidat")
    sign_in(candidate_view, candidate.email, PASSWORD)
    candidate_view.goto("/mes-dossiers/")
    letter = candidate_view.page.get_by_role("main").get_by_role(
        "link", name="lettre de décision (PDF)"
    )
    assert letter.count() == 1
    candidate_view.check("Mes dossiers — décision publiée")
    with candidate_view.page.expect_download() as download:
        letter.click()
    assert download.value.suggested_filename == f"decision-{first.reference}.pdf"
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

"""The committee at scale: a session of 30 instructed files (phase 1 « émergence » and phase 2
with the amounts asked, scores and validated régional opinions) and a saved allocation
simulation. The national cell applies the simulation's proposals to the decision table,
adjusts two rows (an amount, a refusal that needs its reasons), decides one row with the
keyboard only, saves and publishes. The table fits 1 280 px and 30 rows fit three screens."""

import datetime
import re
import time
from decimal import Decimal

from accounts.factories import UserFactory, totp_device
from applications import services as application_services
from applications import states
from applications.choices import ApplicationStatus, PhaseRequest
from applications.factories import complete_application
from applications.models import BudgetLine
from laureates.models import Award
from reviews import allocation, national, opinions
from reviews.factories import call_with_grid, reviewers, submit_evaluation
from reviews.models import CommitteeSession
from tests.browser.helpers import DESKTOP, focused, table_box_overflow
from tests.browser.test_reviewer import sign_in_with_code

CALL_TITLE = "AMI PTCE 2026 — comité"
OPINIONS = ["favourable", "reserved", "favourable", "unfavourable"]
TABLE = ".ptce-decision-table"


def instructed_files(call):
    """30 files of Auvergne-Rhône-Alpes: 12 pôles filed phases 1 and 2 together (24 files),
    6 only phase 1. Each scored by two reviewers, « Instruit », with a validated opinion; the
    phase-2 files ask the State for 40 000 € to 95 000 €."""
    national_user = UserFactory(national=True)
    lead = UserFactory(cell_lead=True, region_id="84")
    pair = reviewers("84", 2)
    files = []
    for index in range(18):
        phases = PhaseRequest.BOTH if index < 12 else PhaseRequest.EMERGENCE
        draft = complete_application(call=call, requested_phases=phases)
        files += application_services.submit(draft, actor=draft.owner)
    for index, application in enumerate(files):
        if application.phase == "funding":
            requested = Decimal(40000 + 5000 * (index % 12))
            BudgetLine.objects.filter(
                application=application, kind="resource", category="state"
            ).update(amount=requested / 2)
        score = str(1 + (index * 7) % 5)
        for reviewer in pair:
            submit_evaluation(application, reviewer, [score, "4", score, "3", "4", "2"])
        application.refresh_from_db()
        if application.status != ApplicationStatus.REVIEWED:
            states.change_status(application, ApplicationStatus.REVIEWED, actor=national_user)
        opinion = opinions.save_opinion(
            application,
            actor=lead,
            opinion=OPINIONS[index % len(OPINIONS)],
            reasons="Coopération solide, ancrage territorial réel.",
            expected_version=0,
        )
        opinions.validate_opinion(application, actor=lead, expected_version=opinion.version)
    return files


def row_of(page, reference: str):
    """The row of the decision table about one file."""
    table = page.get_by_role("main").get_by_role("table")
    return table.get_by_role("row").filter(has=page.get_by_role("link", name=reference, exact=True))


def decision_of(page, reference: str):
    return row_of(page, reference).get_by_role("combobox", name=re.compile("^Décision"))


def amount_of(page, reference: str):
    return row_of(page, reference).get_by_role("textbox", name=re.compile("^Montant accordé"))


def counter(page) -> str:
    return page.locator(".ptce-counter").inner_text().replace("\u00a0", " ")


def save(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer les décisions").click()


def measure(page) -> dict:
    """At 1 280 px: the table's own width against its box, and its height against the
    window's."""
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector);
            const table = box.querySelector('table');
            return {
                table_scroll_width: table.scrollWidth,
                box_client_width: box.clientWidth,
                table_height: table.getBoundingClientRect().height,
                viewport_height: window.innerHeight,
                rows: table.tBodies[0].rows.length,
            };
        }""",
        TABLE,
    )


def test_committee_applies_the_simulation_adjusts_two_rows_and_publishes_30_files(journey):
    call = call_with_grid(title=CALL_TITLE)
    files = instructed_files(call)
    funding = [a for a in files if a.phase == "funding"]
    emergence = [a for a in files if a.phase == "emergence"]
    assert (len(files), len(funding), len(emergence)) == (30, 12, 18)
    cell = UserFactory(national=True, email="cellule.nationale@exemple.gouv.fr")
    parameters = allocation.AllocationParameters(
        envelope=Decimal("500000"), min_award=Decimal("30000"), max_award=Decimal("80000")
    )
    result = national.simulate(call, parameters)
    simulation = national.save_simulation(call, "Enveloppe 500 k€", result, actor=cell)
    outcomes = {d.reference: d for d in result.decisions}
    funded = [a for a in funding if outcomes[a.reference].outcome == "funded"]
    unfunded = [a for a in funding if outcomes[a.reference].outcome != "funded"]
    labels = [a for a in emergence if outcomes[a.reference].outcome == "label"]
    assert len(funded) >= 2 and unfunded and len(labels) >= 2
    session = CommitteeSession.objects.create(
        call=call,
        title="Comité national du 15 décembre",
        date=datetime.date(2026, 12, 15),
        place="Paris",
        simulation=simulation,
    )
    page = journey.page
    main = page.get_by_role("main")

    sign_in_with_code(journey, cell, totp_device(cell))
    journey.goto(f"/instruction/comite/{session.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == session.title
    assert counter(page) == "30 dossiers à décider sur 30"
    # Phase 1 rows have no amount field; phase 2 rows have one, empty for now.
    assert amount_of(page, emergence[0].reference).count() == 0
    assert amount_of(page, funding[0].reference).input_value() == ""
    journey.check("Comité — tableau de 30 dossiers")

    # The table fits 1 280 px, and 30 rows fit within three screen heights.
    page.set_viewport_size(DESKTOP)
    figures = measure(page)
    print(f"\nTableau des décisions à 1 280 px (avant) : {figures}")
    assert figures["rows"] == 30
    assert figures["table_scroll_width"] <= figures["box_client_width"], figures
    assert table_box_overflow(page, f"{TABLE}, {TABLE} > table") == 0
    assert figures["table_height"] <= 3 * figures["viewport_height"], figures

    # « Appliquer les propositions de la simulation »: funded rows get « Retenu » and the
    # simulated amount, label rows « Retenu » without amount; the others stay to decide.
    journey.submit("Appliquer les propositions de la simulation")
    applied = len(funded) + len(labels)
    assert page.get_by_role("status").inner_text() == (
        f"Propositions de la simulation appliquées : {applied} décision(s)."
    )
    left = 30 - applied
    assert counter(page) == f"{left} dossier{'s' if left > 1 else ''} à décider sur 30"
    for application in funded:
        assert decision_of(page, application.reference).input_value() == "accepted"
        planned = outcomes[application.reference].granted_amount
        shown = amount_of(page, application.reference).input_value()
        assert Decimal(re.sub(r"\D", "", shown)) == planned, (application.reference, shown)
    for application in labels:
        assert decision_of(page, application.reference).input_value() == "accepted"
        assert amount_of(page, application.reference).count() == 0
    for application in unfunded:
        assert decision_of(page, application.reference).input_value() == ""
    journey.check_state("Comité — propositions de la simulation appliquées")

    # Two rows adjusted: a smaller amount on a funded file; a label proposal refused, first
    # without its reasons.
    lowered = next(a for a in funded if outcomes[a.reference].granted_amount >= 60000)
    lowered_to = outcomes[lowered.reference].granted_amount - 15000
    refused = labels[0]
    amount_of(page, lowered.reference).fill(f"{lowered_to:,.0f}".replace(",", " "))
    refused_reasons = row_of(page, refused.reference).get_by_role(
        "textbox", name=re.compile("^Motifs")
    )
    assert refused_reasons.is_hidden()  # only a refusal needs reasons
    decision_of(page, refused.reference).select_option(label="Non retenu")
    assert refused_reasons.is_visible()
    journey.expect_status(400)
    save(page)
    assert (
        page.get_by_role("alert")
        .first.inner_text()
        .startswith("Certaines décisions ne sont pas enregistrées")
    )
    row = row_of(page, refused.reference)
    reasons = row.get_by_role("textbox", name=re.compile("^Motifs"))
    # The focus lands on the reasons field, whose description is the error message.
    assert focused(page)["id"] == reasons.get_attribute("id")
    error_id = f"{reasons.get_attribute('id')}_error"
    assert error_id in reasons.get_attribute("aria-describedby").split()
    assert page.locator(f"#{error_id}").inner_text() == (
        "Un refus doit être motivé : indiquez les motifs."
    )
    assert reasons.get_attribute("aria-invalid") == "true"
    assert decision_of(page, refused.reference).input_value() == "rejected"  # kept
    journey.check_state("Comité — refus sans motifs")
    assert session.decisions.get(application=lowered).amount == lowered_to
    reasons.fill(
        "Coopération encore peu formalisée ; candidature encouragée à la prochaine relève."
    )
    save(page)
    assert page.get_by_role("status").inner_text() == (
        f"Décision enregistrée pour {refused.reference}."
    )

    # One row with the keyboard only: Tab from the top of the page to the decision of the
    # first file left to decide, an arrow key to choose, Enter to save.
    waiting = unfunded[0]
    target = decision_of(page, waiting.reference).get_attribute("id")
    page.locator("body").focus()
    for _ in range(400):
        page.keyboard.press("Tab")
        if (focused(page) or {}).get("id") == target:
            break
    assert focused(page)["id"] == target, "décision inaccessible au clavier"
    option_labels = decision_of(page, waiting.reference).locator("option").all_inner_texts()
    steps = option_labels.index("Liste d’attente")
    for _ in range(steps):
        page.keyboard.press("ArrowDown")
    assert decision_of(page, waiting.reference).input_value() == "waiting_list"
    page.keyboard.press("Tab")  # the amount field of this phase-2 row, left empty
    assert focused(page)["id"] == amount_of(page, waiting.reference).get_attribute("id")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("status").inner_text() == (
        f"Décision enregistrée pour {waiting.reference}."
    )
    left -= 1
    assert counter(page) == f"{left} dossier{'s' if left > 1 else ''} à décider sur 30"
    journey.check("Comité — décisions ajustées")
    figures = measure(page)
    print(f"Tableau des décisions à 1 280 px (décisions saisies) : {figures}")
    assert figures["table_scroll_width"] <= figures["box_client_width"], figures
    assert figures["table_height"] <= 3 * figures["viewport_height"], figures

    decided = applied + 1
    # In production the worker builds the decision letters (one PDF per file); tests run tasks
    # inline, at the end of this request: give it more than 10 s on a busy machine.
    page.set_default_timeout(60_000)
    started = time.monotonic()
    journey.submit("Publier les décisions")
    print(f"Publication de {decided} décisions : {time.monotonic() - started:.1f} s")
    page.set_default_timeout(10_000)
    assert page.get_by_role("status").inner_text() == (
        f"Séance publiée : {decided} candidat(s) prévenu(s)."
    )
    assert main.get_by_role("button", name="Enregistrer les décisions").count() == 0
    journey.check("Comité — séance publiée")

    decisions = {
        d.application.reference: d for d in session.decisions.select_related("application")
    }
    assert len(decisions) == decided
    assert (decisions[lowered.reference].decision, decisions[lowered.reference].amount) == (
        "accepted",
        lowered_to,
    )
    assert decisions[refused.reference].decision == "rejected"
    assert decisions[refused.reference].reasons.startswith("Coopération encore peu formalisée")
    assert (decisions[waiting.reference].decision, decisions[waiting.reference].amount) == (
        "waiting_list",
        None,
    )
    for application in (a for a in funded if a != lowered):
        assert decisions[application.reference].amount == (
            outcomes[application.reference].granted_amount
        )
    for application in labels[1:]:
        label = decisions[application.reference]
        assert (label.decision, label.amount) == ("accepted", None)
    for application in unfunded[1:]:
        assert application.reference not in decisions
    statuses = dict(
        call.applications.filter(pk__in=[lowered.pk, refused.pk, waiting.pk]).values_list(
            "reference", "status"
        )
    )
    assert statuses == {
        lowered.reference: ApplicationStatus.ACCEPTED,
        refused.reference: ApplicationStatus.REJECTED,
        waiting.reference: ApplicationStatus.REVIEWED,
    }
    assert Award.objects.get(application=lowered).amount == lowered_to
    assert (
        Award.objects.filter(application__in=[a.pk for a in labels[1:]]).count() == len(labels) - 1
    )

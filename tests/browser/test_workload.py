"""A cell lead follows the reviewers' workload and reassigns an evaluation; the reviewer sees
it in « Mes évaluations ». Both tables fit a 1 280 px screen. The cell lead moves a due date
(never into the past) and the reviewer sees it due soon."""

import re
from datetime import timedelta

from django.utils import timezone

from accounts.factories import UserFactory, totp_device
from core.formatting import format_date
from reviews import services
from reviews.factories import call_with_grid, submitted_file
from reviews.models import Assignment
from tests.browser.helpers import table_box_overflow
from tests.browser.test_reviewer import sign_in_with_code


def test_cell_lead_sees_the_workload_reassigns_and_the_reviewer_sees_it(journey):
    call = call_with_grid(title="AMI PTCE 2026 — charge")
    application = submitted_file(call=call)
    lead = UserFactory(cell_lead=True, region_id="84", last_name="Lefèvre")
    first = UserFactory(reviewer=True, region_id="84", last_name="Colin")
    second = UserFactory(reviewer=True, region_id="84", last_name="Roux")
    services.assign(application, [first], actor=lead)
    page = journey.page
    main = page.get_by_role("main")

    sign_in_with_code(journey, lead, totp_device(lead))
    journey.goto("/instruction/charge/")
    assert "Colin" in main.get_by_role("table").first.inner_text()
    journey.check("Charge des évaluateurs")
    assert table_box_overflow(page, ".fr-table__content, .ptce-worklist") == 0
    journey.goto(f"/instruction/charge/?evaluateur={first.pk}")
    assert application.reference in main.inner_text()
    journey.check("Charge des évaluateurs — évaluations de Colin")

    assignment = Assignment.objects.get(application=application, reviewer=first)
    form = main.locator(f"form[action$='/attributions/{assignment.pk}/reattribuer/']")
    form.get_by_role("combobox").select_option(str(second.pk))
    with page.expect_navigation():
        form.get_by_role("button").click()
    assert Assignment.objects.filter(application=application, reviewer=second).exists()

    journey.page.context.clear_cookies()
    sign_in_with_code(journey, second, totp_device(second))
    journey.goto("/instruction/mes-evaluations/")
    assert application.reference in main.inner_text()
    journey.check("Mes évaluations")
    assert table_box_overflow(page, ".fr-table__content, .ptce-worklist") == 0


def text_of(locator) -> str:
    """The text as written (badges are shown in capitals by the DSFR), spaces normalised."""
    return " ".join(locator.text_content().replace("\u00a0", " ").split())


def due_date_field(section):
    """The « À rendre le » date field of the only assignment of the section."""
    field = section.locator("input[type=date]")
    label = section.locator(f"label[for={field.get_attribute('id')}]").inner_text()
    assert label.startswith("À rendre le"), label
    return field


def test_cell_lead_moves_a_due_date_never_into_the_past_and_the_reviewer_sees_it(journey):
    """The « Échéances » section of the staff file page: a date in the past is refused with
    the error on the field (focused), a valid date is saved and shown; the reviewer's « Mes
    évaluations » shows it as due soon, next to an overdue evaluation."""
    call = call_with_grid(title="AMI PTCE 2026 — échéances")
    application = submitted_file(call=call)
    late_file = submitted_file(call=call)
    lead = UserFactory(cell_lead=True, region_id="84", last_name="Lefèvre")
    reviewer = UserFactory(reviewer=True, region_id="84", first_name="Inès", last_name="Colin")
    services.assign(application, [reviewer], actor=lead)
    services.assign(late_file, [reviewer], actor=lead)
    today = timezone.localdate()
    Assignment.objects.filter(application=late_file).update(due_on=today - timedelta(days=2))
    assignment = Assignment.objects.get(application=application, reviewer=reviewer)
    before = assignment.due_on
    page = journey.page

    sign_in_with_code(journey, lead, totp_device(lead))
    journey.goto(f"/instruction/dossiers/{application.uuid}/#echeances")
    section = page.locator("#echeances")
    due_field = due_date_field(section)
    assert due_field.input_value() == before.isoformat()
    journey.check("Dossier — échéances")

    # A date in the past: refused, the error on the field, which gets the focus.
    past = today - timedelta(days=1)
    due_field.fill(past.isoformat())
    with page.expect_navigation():
        section.get_by_role("button", name=re.compile("^Modifier")).click()
    page.wait_for_load_state("load")
    due_field = due_date_field(page.locator("#echeances"))
    field_id = due_field.get_attribute("id")
    assert journey.focused()["id"] == field_id
    assert due_field.get_attribute("aria-invalid") == "true"
    described = due_field.get_attribute("aria-describedby").split()
    errors = [page.locator(f"#{name}") for name in described]
    texts = [e.inner_text() for e in errors if e.count()]
    assert "La date d’échéance ne peut pas être dans le passé." in " ".join(texts), texts
    assert due_field.input_value() == past.isoformat()  # what was typed, kept
    assignment.refresh_from_db()
    assert assignment.due_on == before
    journey.check_state("Dossier — échéance dans le passé refusée")

    # A valid date: saved and shown in the section.
    soon = today + timedelta(days=2)
    due_field.fill(soon.isoformat())
    with page.expect_navigation():
        page.locator("#echeances").get_by_role("button", name=re.compile("^Modifier")).click()
    assert page.get_by_role("status").inner_text() == (
        f"Échéance de Inès Colin : {format_date(soon)}."
    )
    assignment.refresh_from_db()
    assert assignment.due_on == soon
    row = page.locator("#echeances").get_by_role("row").filter(has_text="Colin")
    assert format_date(soon) in text_of(row)
    assert "Sous 3 jours" in text_of(row)
    journey.check_state("Dossier — échéance modifiée")

    # The reviewer's « Mes évaluations »: the overdue one first, then the one due soon.
    journey.page.context.clear_cookies()
    sign_in_with_code(journey, reviewer, totp_device(reviewer))
    journey.goto("/instruction/mes-evaluations/")
    main = page.get_by_role("main")
    summary = main.locator("p").first.inner_text().replace("\u00a0", " ")
    assert summary == "2 évaluations à rendre, dont 1 en retard."
    rows = main.get_by_role("table").get_by_role("row")
    late_row, soon_row = text_of(rows.nth(1)), text_of(rows.nth(2))
    assert late_file.reference in late_row and "En retard de 2 jours" in late_row
    assert application.reference in soon_row and format_date(soon) in soon_row
    assert "À rendre sous 3 jours" in soon_row
    journey.check("Mes évaluations — en retard et à rendre sous 3 jours")
    assert table_box_overflow(page, ".ptce-worklist") == 0

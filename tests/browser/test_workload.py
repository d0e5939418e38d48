"""A cell lead follows the reviewers' workload and reassigns an evaluation; the reviewer sees
it in « Mes évaluations ». Both tables fit a 1 280 px screen."""

from accounts.factories import UserFactory, totp_device
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

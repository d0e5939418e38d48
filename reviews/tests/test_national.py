"""National consolidation, allocation simulator, saved simulations and their comparison."""

from decimal import Decimal

import pytest

from accounts.factories import UserFactory, login_staff
from applications.models import BudgetLine
from core.models import AuditLog
from reviews import national
from reviews.allocation import AllocationParameters
from reviews.factories import reviewers, submit_evaluation, submitted_file
from reviews.models import Simulation

pytestmark = pytest.mark.django_db

HIGH = ["5", "4", "5", "4", "5", "3"]


@pytest.fixture
def scored_call():
    first = submitted_file()
    call = first.call
    second = submitted_file(call=call)
    third = submitted_file(call=call)
    for application, amount in ((first, 60000), (second, 80000), (third, 50000)):
        BudgetLine.objects.create(
            application=application, kind="resource", category="state", year=2026, amount=amount
        )
    [reviewer] = reviewers(count=1)
    submit_evaluation(first, reviewer)
    submit_evaluation(second, reviewer, HIGH)
    return call, [first, second, third]


def test_national_ranking_counts_only_validated_opinions(scored_call):
    call, (first, second, third) = scored_call
    rows = national.national_ranking(call)
    assert [app.pk for _, app, _ in rows] == [second.pk, first.pk, third.pk]
    assert rows[0][1].requested == national.national_files(call).get(pk=second.pk).requested
    assert rows[2][0].score is None


def test_simulation_funds_in_rank_order_and_is_saved(scored_call):
    call, (first, second, third) = scored_call
    requested = national.national_files(call).get(pk=second.pk).requested
    assert requested == Decimal("80000")
    parameters = AllocationParameters(envelope=requested, waiting_list_size=1)
    result = national.simulate(call, parameters)
    outcomes = {d.reference: (d.outcome.value, d.granted_amount) for d in result.decisions}
    assert outcomes[second.reference] == ("funded", requested)
    assert outcomes[first.reference][0] == "waiting_list"
    assert outcomes[third.reference] == ("not_funded", Decimal(0))
    assert result.remaining == Decimal(0)
    national_user = UserFactory(national=True)
    saved = national.save_simulation(call, " Scénario A ", result, actor=national_user)
    assert saved.name == "Scénario A"
    assert national.load_result(saved).to_dict() == result.to_dict()
    assert AuditLog.objects.filter(action="review.simulation_saved").count() == 1
    wider = national.simulate(call, AllocationParameters(envelope=requested * 3))
    other = national.save_simulation(call, "Scénario B", wider, actor=national_user)
    differences = national.compare(saved, other)
    assert [d.reference for d in differences] == [first.reference]
    assert differences[0].summary.startswith(f"{first.reference} : liste d’attente → retenu")


def test_consolidation_page_permissions_errors_and_saving(client, scored_call):
    call, files = scored_call
    url = f"/instruction/national/?call={call.pk}"
    login_staff(client, UserFactory(cell_lead=True, region_id="84"))
    assert client.get(url).status_code == 403
    login_staff(client, UserFactory(national=True))
    page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["rows"]) == 3
    response = client.post(
        url, {"call": call.pk, "envelope": "1000", "min_award": "5000", "max_award": "2000"}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Le montant minimal par lauréat (5\xa0000\xa0€) dépasse le montant maximal (2\xa0000\xa0€)."
    ]
    response = client.post(url, {"call": call.pk, "envelope": "abc"})
    assert response.status_code == 400 and "envelope" in response.context["form"].errors
    response = client.post(url, {"call": call.pk, "envelope": "100 000"})
    assert response.status_code == 200
    assert response.context["result"].parameters.envelope == Decimal("100000")
    response = client.post(url, {"call": call.pk, "envelope": "100 000", "name": "Large"})
    simulation = Simulation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/instruction/national/simulations/{simulation.pk}/"
    assert client.get(response["Location"]).status_code == 200
    client.post(url, {"call": call.pk, "envelope": "1", "name": "Serré"})
    tight = Simulation.objects.get(name="Serré")
    page = client.get(
        f"/instruction/national/simulations/?call={call.pk}&a={simulation.pk}&b={tight.pk}"
    )
    assert page.status_code == 200
    assert page.context["comparison"]["a"] == simulation
    assert len(page.context["comparison"]["differences"]) >= 1


def test_reviewer_list_links_to_the_new_pages_by_role(client):
    login_staff(client, UserFactory(national=True))
    page = client.get("/instruction/dossiers/").content.decode()
    assert 'href="/instruction/national/"' in page and 'href="/instruction/comite/"' in page
    login_staff(client, UserFactory(reviewer=True, region_id="84"))
    page = client.get("/instruction/dossiers/").content.decode()
    assert "/instruction/national/" not in page and "/instruction/classement-regional/" not in page

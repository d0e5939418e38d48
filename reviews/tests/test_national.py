"""National consolidation, allocation simulator, saved simulations and their comparison."""

from decimal import Decimal

import pytest

from accounts.factories import UserFactory, login_staff
from applications.models import Application, BudgetLine
from core.models import AuditLog
from reviews import national, services
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
    Application.objects.filter(pk__in=[first.pk, second.pk, third.pk]).update(phase="funding")
    [reviewer] = reviewers(count=1)
    submit_evaluation(first, reviewer)
    submit_evaluation(second, reviewer, HIGH)
    return call, [first, second, third]


def test_simulator_lists_phase_one_files_apart_prefills_from_the_call_and_links_files(
    client, scored_call
):
    call, (first, second, third) = scored_call
    label = submitted_file(call=call)  # phase 1: the label and services, no amount
    [reviewer] = reviewers(count=1)
    submit_evaluation(label, reviewer, HIGH)
    call.envelope, call.min_award, call.max_award = Decimal("150000"), Decimal("30000"), None
    call.save()
    national_user = UserFactory(national=True)
    login_staff(client, national_user)
    url = f"/instruction/national/?call={call.pk}"
    page = client.get(url)
    form = page.context["form"]
    assert form["envelope"].value() == "150\xa0000"
    assert form["min_award"].value() == "30\xa0000"
    assert 'href="#simulateur"' in page.content.decode()

    response = client.post(url, {"call": call.pk, "envelope": "150 000", "min_award": "30 000"})
    rows = response.context["result_rows"]
    assert [row.decision.reference for row in rows["labels"]] == [label.reference]
    assert label.reference not in [row.decision.reference for row in rows["funding"]]
    html = response.content.decode()
    assert "propositions de label (phase 1, sans montant)" in html
    assert "Proposé au label (phase 1, sans montant)" in html
    assert "aucun montant demandé" not in html
    assert f'<a href="/instruction/dossiers/{second.uuid}/">{second.reference}</a>' in html
    assert second.display_name in html

    services.declare_conflict(second, national_user, "Administratrice de la structure")
    response = client.post(
        url, {"call": call.pk, "envelope": "150 000", "min_award": "30 000", "name": "Avec label"}
    )
    detail = client.get(response["Location"])
    funding = detail.context["result_rows"]["funding"]
    assert [row.masked for row in funding][-1] == "conflit d’intérêts déclaré"
    assert second.reference not in detail.content.decode()


def test_national_ranking_is_paginated(client, scored_call, monkeypatch):
    call, files = scored_call
    monkeypatch.setattr("reviews.views_national.RANKING_PAGE_SIZE", 2)
    login_staff(client, UserFactory(national=True))
    first_page = client.get(f"/instruction/national/?call={call.pk}")
    assert len(first_page.context["page_obj"].object_list) == 2
    assert "page 1 sur 2" in first_page.content.decode()
    second_page = client.get(f"/instruction/national/?call={call.pk}&page=2")
    assert len(second_page.context["page_obj"].object_list) == 1
    assert client.get(f"/instruction/national/?call={call.pk}&page=²").status_code == 200


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
    assert len(page.context["page_obj"].object_list) == 3
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


def test_simulator_says_when_a_bonus_has_no_reference_data(client, scored_call):
    from django.utils import timezone

    from territories.models import ReferenceFile, ReferenceKind

    call, _files = scored_call
    call.priority_territories = ["rural", "qpv"]
    call.save(update_fields=["priority_territories"])
    login_staff(client, UserFactory(national=True))
    url = f"/instruction/national/?call={call.pk}"
    notes = client.get(url).context["bonus_notes"]
    assert [note.split(" :")[0] for note in notes] == ["Rural", "QPV"]
    ReferenceFile.objects.create(
        kind=ReferenceKind.DENSITY,
        file_name="grille.xlsx",
        sha256="0" * 64,
        loaded_at=timezone.now(),
    )
    page = client.get(url)
    assert [note.split(" :")[0] for note in page.context["bonus_notes"]] == ["QPV"]
    assert "la liste des quartiers prioritaires n’est pas chargée" in page.content.decode()


def test_ranking_pages_ranked_in_sql_are_the_whole_ranking_cut_into_pages(scored_call):
    """Ties on score broken by the validated opinion, then the median; an unscored file
    last; a file with a conflict of interest masked after the others: page by page, the SQL
    ranking gives the ranks, « départagé par » and order of the ranking of the whole call."""
    from django.core.paginator import Paginator
    from django.utils import timezone

    from reviews import conflicts
    from reviews.models import RegionalOpinion

    call, (first, second, third) = scored_call
    [reviewer] = reviewers(count=1)
    same = [submitted_file(call=call) for _ in range(4)]
    for application in same:
        submit_evaluation(application, reviewer, HIGH)
    RegionalOpinion.objects.create(
        application=same[2], opinion="favourable", reasons="Solide", validated_at=timezone.now()
    )
    RegionalOpinion.objects.create(application=same[3], opinion="favourable", reasons="Non validé")
    national_user = UserFactory(national=True)
    services.declare_conflict(same[1], national_user, "Administratrice de la structure")
    expected = [
        (line.rank, line.reference, line.decided_by, line.masked)
        for line, _application, _opinion in conflicts.mask_ranking(
            national.national_ranking(call), national_user
        )
    ]
    assert expected[0][1] == same[2].reference  # the validated favourable opinion first
    assert expected[-1][3] == conflicts.CONFLICT_NOTICE
    assert expected[-2][1] == third.reference  # unscored
    for size in (1, 2, 3, 10):
        paginator = Paginator(national.RankingRows(call, national_user), size)
        got = [
            (line.rank, line.reference, line.decided_by, line.masked)
            for number in paginator.page_range
            for line, _application, _opinion in paginator.page(number)
        ]
        assert got == expected, size
    assert paginator.count == 7

"""Workload and deadline pages through HTTP: « Mes évaluations », the workload table with
reassignment, the file page's due-date and extension forms, the candidate's refusal."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.factories import UserFactory, login_staff
from applications.choices import ApplicationStatus as S
from core.models import AuditLog
from reviews import services
from reviews.factories import reviewers, submit_evaluation, submitted_file
from reviews.models import Assignment, ConflictOfInterest, ConflictSource

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def team():
    application = submitted_file()
    lead = UserFactory(cell_lead=True, region_id=application.region_id, first_name="Léa")
    first, second = reviewers(region_id=application.region_id, count=2)
    services.assign(application, [first], actor=lead)
    return application, lead, first, second


def test_my_reviews_lists_due_dates_states_and_badges(client, team):
    application, lead, first, _second = team
    late = submitted_file()
    services.assign(late, [first], actor=lead)
    Assignment.objects.filter(application=late).update(due_on=TODAY - timedelta(days=2))
    done = submitted_file()
    submit_evaluation(done, first)
    login_staff(client, first)
    response = client.get("/instruction/mes-evaluations/")
    assert response.status_code == 200
    html = response.content.decode().replace("\u00a0", " ").replace("\u202f", " ")
    assert "2 évaluations à rendre, dont 1 en retard." in html
    assert (
        html.index(late.reference) < html.index(application.reference) < html.index(done.reference)
    )
    assert "En retard de 2 jours" in html
    assert "Transmise" in html and "À faire" in html
    assert f'href="/instruction/dossiers/{late.uuid}/evaluation/"' in html
    assert "Charge des évaluateurs" not in html  # a reviewer has no workload page
    assert client.get("/instruction/charge/").status_code == 403


def test_my_reviews_hides_a_file_with_a_conflict(client, team):
    application, _lead, first, _second = team
    ConflictOfInterest.objects.create(
        application=application, reviewer=first, source=ConflictSource.DECLARED, reason="Lien"
    )
    login_staff(client, first)
    html = (
        client.get("/instruction/mes-evaluations/")
        .content.decode()
        .replace("\u00a0", " ")
        .replace("\u202f", " ")
    )
    assert application.reference not in html
    assert "Aucun dossier ne vous est attribué." in html


def test_cell_lead_changes_a_due_date_on_the_file_page_never_in_the_past(client, team):
    application, lead, first, _second = team
    assignment = application.assignments.get()
    login_staff(client, lead)
    page = (
        client.get(f"/instruction/dossiers/{application.uuid}/")
        .content.decode()
        .replace("\u00a0", " ")
        .replace("\u202f", " ")
    )
    assert 'id="echeances"' in page
    assert f'name="due{assignment.pk}-due_on"' in page
    url = f"/instruction/dossiers/{application.uuid}/attribution/{assignment.pk}/echeance/"
    past = (TODAY - timedelta(days=1)).isoformat()
    response = client.post(url, {f"due{assignment.pk}-due_on": past}, follow=True)
    assert (
        "La date d’échéance ne peut pas être dans le passé."
        in response.content.decode().replace("\u00a0", " ").replace("\u202f", " ")
    )
    assignment.refresh_from_db()
    assert assignment.due_on == TODAY + timedelta(days=21)
    new = TODAY + timedelta(days=30)
    response = client.post(url, {f"due{assignment.pk}-due_on": new.isoformat()})
    assert response.status_code == 302
    assert response.url.endswith("#echeances")
    assignment.refresh_from_db()
    assert assignment.due_on == new
    assert AuditLog.objects.filter(action="review.due_date_changed").count() == 1
    # The reviewer sees the due date, without the form, and may not post it.
    login_staff(client, first)
    page = (
        client.get(f"/instruction/dossiers/{application.uuid}/")
        .content.decode()
        .replace("\u00a0", " ")
        .replace("\u202f", " ")
    )
    assert f'name="due{assignment.pk}-due_on"' not in page
    assert client.post(url, {f"due{assignment.pk}-due_on": new.isoformat()}).status_code == 403


def test_a_refused_due_date_comes_back_on_its_field_with_the_error(client, team):
    application, lead, _first, _second = team
    assignment = application.assignments.get()
    login_staff(client, lead)
    url = f"/instruction/dossiers/{application.uuid}/attribution/{assignment.pk}/echeance/"
    past = (TODAY - timedelta(days=3)).isoformat()
    client.post(url, {f"due{assignment.pk}-due_on": past})
    page = client.get(f"/instruction/dossiers/{application.uuid}/").content.decode()
    field = page[page.index(f'<input type="date" name="due{assignment.pk}-due_on"') :]
    field = field[: field.index(">") + 1]
    assert f'value="{past}"' in field
    assert 'aria-invalid="true"' in field
    [described_by] = re.findall(r'aria-describedby="([^"]+)"', field)
    [message] = [
        re.search(rf'id="{name}"[^>]*>(.*?)</', page, re.S)
        for name in described_by.split()
        if f'id="{name}"' in page
    ]
    assert "La date d’échéance ne peut pas être dans le passé." in message.group(1)
    # Shown once: the next visit shows the saved date again, without error.
    page = client.get(f"/instruction/dossiers/{application.uuid}/").content.decode()
    assert 'aria-invalid="true"' not in page
    assert f'value="{assignment.due_on.isoformat()}"' in page


def test_workload_table_and_reassignment(client, team):
    application, lead, first, second = team
    Assignment.objects.filter(reviewer=first).update(due_on=TODAY - timedelta(days=1))
    login_staff(client, lead)
    html = (
        client.get("/instruction/charge/")
        .content.decode()
        .replace("\u00a0", " ")
        .replace("\u202f", " ")
    )
    assert first.full_name in html and second.full_name in html
    assert "1 attribution, 0 transmise, 1 en retard." in html
    html = (
        client.get(f"/instruction/charge/?evaluateur={first.pk}")
        .content.decode()
        .replace("\u00a0", " ")
        .replace("\u202f", " ")
    )
    assignment = application.assignments.get()
    assert f'action="/instruction/charge/attributions/{assignment.pk}/reattribuer/"' in html
    assert f'<option value="{second.pk}">' in html
    response = client.post(
        f"/instruction/charge/attributions/{assignment.pk}/reattribuer/",
        {f"a{assignment.pk}-reviewer": second.pk},
        follow=True,
    )
    assert "réattribué à" in response.content.decode().replace("\u00a0", " ").replace("\u202f", " ")
    assignment.refresh_from_db()
    assert assignment.reviewer == second
    assert assignment.due_on == TODAY - timedelta(days=1)


def test_reassignment_to_a_conflicted_reviewer_is_refused_over_http(client, team):
    application, lead, first, second = team
    ConflictOfInterest.objects.create(
        application=application, reviewer=second, source=ConflictSource.DECLARED, reason="Lien"
    )
    assignment = application.assignments.get()
    login_staff(client, lead)
    html = (
        client.get(f"/instruction/charge/?evaluateur={first.pk}")
        .content.decode()
        .replace("\u00a0", " ")
        .replace("\u202f", " ")
    )
    assert f'<option value="{second.pk}">' not in html
    response = client.post(
        f"/instruction/charge/attributions/{assignment.pk}/reattribuer/",
        {f"a{assignment.pk}-reviewer": second.pk},
        follow=True,
    )
    assert "a un conflit d’intérêts" in response.content.decode().replace("\u00a0", " ").replace(
        "\u202f", " "
    )
    assignment.refresh_from_db()
    assert assignment.reviewer == first


def test_national_cell_filters_the_workload_by_region(client, team):
    application, _lead, first, _second = team
    elsewhere = UserFactory(
        reviewer=True, region_id="11" if application.region_id != "11" else "84"
    )
    national = UserFactory(national=True)
    login_staff(client, national)
    html = (
        client.get("/instruction/charge/")
        .content.decode()
        .replace("\u00a0", " ")
        .replace("\u202f", " ")
    )
    assert first.full_name in html and elsewhere.full_name in html
    html = (
        client.get(f"/instruction/charge/?region={application.region_id}")
        .content.decode()
        .replace("\u00a0", " ")
        .replace("\u202f", " ")
    )
    assert first.full_name in html and elsewhere.full_name not in html
    # An unknown région is ignored, never a 500.
    assert client.get("/instruction/charge/?region=%00zz&evaluateur=abc").status_code == 200


def test_candidate_refused_after_the_deadline_then_allowed_after_an_extension(client, team):
    application, lead, first, _second = team
    correction = services.request_correction(
        application,
        actor=first,
        sections=["projet"],
        message="Précisez le diagnostic.",
        deadline=TODAY + timedelta(days=5),
    )
    correction.deadline = TODAY - timedelta(days=1)
    correction.save(update_fields=["deadline"])
    owner = application.owner
    client.force_login(owner)
    summary = (
        client.get(f"/dossiers/{application.uuid}/")
        .content.decode()
        .replace("\u00a0", " ")
        .replace("\u202f", " ")
    )
    assert "Le délai est dépassé : vous ne pouvez plus déposer les compléments." in summary
    response = client.post(f"/dossiers/{application.uuid}/deposer/", {"certify": "on"}, follow=True)
    assert "Le délai pour déposer les compléments demandés est dépassé" in (
        response.content.decode().replace("\u00a0", " ").replace("\u202f", " ")
    )
    application.refresh_from_db()
    assert application.status == S.CORRECTION_REQUESTED
    # Staff grant an extension from the file page.
    login_staff(client, lead)
    page = (
        client.get(f"/instruction/dossiers/{application.uuid}/")
        .content.decode()
        .replace("\u00a0", " ")
        .replace("\u202f", " ")
    )
    assert "Accorder un nouveau délai" in page
    url = f"/instruction/dossiers/{application.uuid}/complements/{correction.pk}/delai/"
    refused = client.post(url, {f"ext{correction.pk}-deadline": TODAY.isoformat()}, follow=True)
    assert (
        "Le nouveau délai doit être postérieur à aujourd’hui."
        in refused.content.decode().replace("\u00a0", " ").replace("\u202f", " ")
    )
    new = TODAY + timedelta(days=7)
    assert client.post(url, {f"ext{correction.pk}-deadline": new.isoformat()}).status_code == 302
    correction.refresh_from_db()
    assert correction.deadline == new
    assert AuditLog.objects.filter(action="review.correction_extended").exists()
    client.force_login(owner)
    response = client.post(f"/dossiers/{application.uuid}/deposer/", {"certify": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


@pytest.mark.parametrize("value", ["", "demain", "2026-02-30", "\x00", "9" * 10000])
def test_hostile_due_dates_are_refused_with_a_message(client, team, value):
    application, lead, _first, _second = team
    assignment = application.assignments.get()
    before = assignment.due_on
    login_staff(client, lead)
    url = f"/instruction/dossiers/{application.uuid}/attribution/{assignment.pk}/echeance/"
    response = client.post(url, {f"due{assignment.pk}-due_on": value}, follow=True)
    assert response.status_code == 200
    # The refused text comes back on the field trimmed to date characters, 10 at most.
    page = response.content.decode()
    field = page[page.index(f'<input type="date" name="due{assignment.pk}-due_on"') :]
    field = field[: field.index(">") + 1]
    assert "\x00" not in page and "9" * 11 not in field
    assert 'aria-invalid="true"' in field
    assignment.refresh_from_db()
    assert assignment.due_on == before
    correction_url = f"/instruction/dossiers/{application.uuid}/complements/999999/delai/"
    assert client.post(correction_url, {"ext999999-deadline": value}).status_code == 404


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_pages_query_count_does_not_grow_with_reviewers_or_assignments(client, team):
    application, lead, first, _second = team
    login_staff(client, lead)
    login_staff(client, first)
    mine_before = _queries(client, "/instruction/mes-evaluations/")
    login_staff(client, lead)
    workload_before = _queries(client, "/instruction/charge/")
    more = reviewers(region_id=application.region_id, count=5)
    for _ in range(4):
        services.assign(submitted_file(), [first, *more[:2]], actor=lead)
    assert _queries(client, "/instruction/charge/") == workload_before
    login_staff(client, first)
    assert _queries(client, "/instruction/mes-evaluations/") == mine_before

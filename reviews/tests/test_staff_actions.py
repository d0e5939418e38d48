"""Staff actions through their pages: assignment, status changes, re-routing."""

import pytest

from accounts.factories import UserFactory, login_staff
from applications.choices import ApplicationStatus as S
from applications.models import StatusChange
from reviews.factories import reviewers, submit_evaluation, submitted_file
from reviews.models import Assignment, RoutingChange

pytestmark = pytest.mark.django_db


def test_cell_lead_assigns_from_the_suggestion(client):
    application = submitted_file()
    first, second = reviewers(count=2)
    lead = UserFactory(cell_lead=True)
    login_staff(client, lead)
    page = client.get(f"/instruction/dossiers/{application.uuid}/attribution/")
    assert page.status_code == 200
    assert page.context["form"].initial["reviewers"] == sorted([first.pk, second.pk])
    assert "(0 dossier(s))" in page.content.decode()
    response = client.post(
        f"/instruction/dossiers/{application.uuid}/attribution/",
        {"reviewers": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(application=application).count() == 2
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    # A reviewer may not assign.
    login_staff(client, first)
    assert client.get(f"/instruction/dossiers/{application.uuid}/attribution/").status_code == 403


def test_cell_lead_marks_reviewed_and_national_closes_with_reason(client):
    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    submit_evaluation(application, reviewer)
    lead = UserFactory(cell_lead=True)
    login_staff(client, lead)
    page = client.get(f"/instruction/dossiers/{application.uuid}/")
    assert (S.REVIEWED, "Instruit") in page.context["targets"]
    assert (S.CLOSED, "Classé sans suite") not in page.context["targets"]
    client.post(f"/instruction/dossiers/{application.uuid}/etat/", {"target": "reviewed"})
    application.refresh_from_db()
    assert application.status == S.REVIEWED
    # The lead may not close: refused by the table, nothing changes.
    client.post(
        f"/instruction/dossiers/{application.uuid}/etat/", {"target": "closed", "reason": "x"}
    )
    application.refresh_from_db()
    assert application.status == S.REVIEWED
    national = UserFactory(national=True)
    login_staff(client, national)
    client.post(f"/instruction/dossiers/{application.uuid}/etat/", {"target": "closed"})
    application.refresh_from_db()
    assert application.status == S.REVIEWED  # a reason is required
    client.post(
        f"/instruction/dossiers/{application.uuid}/etat/",
        {"target": "closed", "reason": "Pôle dissous"},
    )
    application.refresh_from_db()
    assert application.status == S.CLOSED
    last = StatusChange.objects.filter(application=application).last()
    assert (last.to_status, last.actor, last.reason) == (S.CLOSED, national, "Pôle dissous")


def test_national_reroutes_through_the_page(client):
    application = submitted_file()
    national = UserFactory(national=True)
    login_staff(client, national)
    response = client.post(
        f"/instruction/dossiers/{application.uuid}/orientation/",
        {"region": "32", "reason": "Siège à Amiens"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.region_id == "32"
    assert RoutingChange.objects.filter(application=application, by=national).count() == 1
    login_staff(client, UserFactory(cell_lead=True, region_id="32"))
    page = client.get(f"/instruction/dossiers/{application.uuid}/")
    assert "Siège à Amiens" in page.content.decode()
    # A cell lead cannot re-route.
    response = client.post(
        f"/instruction/dossiers/{application.uuid}/orientation/",
        {"region": "84", "reason": "x"},
    )
    assert response.status_code == 403

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import UserFactory
from applications import services
from applications.choices import ApplicationStatus
from applications.factories import ApplicationFactory, CallFactory, complete_application
from applications.models import Application, Submission

pytestmark = pytest.mark.django_db

DASHBOARD = "/mes-dossiers/"


def test_dashboard_lists_files_with_status_round_deadline_timeline(client):
    owner = UserFactory()
    submitted = complete_application(owner=owner)
    services.submit(submitted, actor=owner)
    draft = ApplicationFactory(owner=owner)
    other = ApplicationFactory()  # someone else's
    client.force_login(owner)
    response = client.get(DASHBOARD)
    content = response.content.decode()
    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.reference in content
    assert "Relève de test" in content
    assert "Déposé" in content and "Brouillon" in content
    assert "Aucun message sur ce dossier." in content
    assert reverse("applications:receipt", args=[submitted.uuid, 1]) in content
    assert str(draft.uuid) in content
    assert str(other.uuid) not in content
    assert "heure de Paris" in content
    # One compact line per file: reference, pole, call, phase, state, next step, deadline.
    assert "Compléter puis déposer le dossier" in content
    assert "Attendre l’instruction" in content
    assert content.count("<details>") == 2


def test_dashboard_query_count_does_not_grow_with_files(client):
    owner = UserFactory()
    call = CallFactory()
    for _ in range(2):
        services.submit(complete_application(owner=owner, call=call), actor=owner)
    client.force_login(owner)
    with CaptureQueriesContext(connection) as few:
        client.get(DASHBOARD)
    for _ in range(4):
        services.submit(complete_application(owner=owner, call=CallFactory()), actor=owner)
        ApplicationFactory(owner=owner)
    with CaptureQueriesContext(connection) as many:
        response = client.get(DASHBOARD)
    assert response.content.decode().count('<tr class="ptce-files__detail">') == 10
    assert len(many) == len(few)
    assert len(many) <= 14


def test_dashboard_link_from_account_space(client):
    client.force_login(UserFactory())
    assert DASHBOARD in client.get("/compte/").content.decode()


def test_staff_cannot_open_candidate_dashboard(client):
    from accounts.factories import login_staff

    login_staff(client, UserFactory(national=True))
    assert client.get(DASHBOARD).status_code == 403


def test_withdraw_needs_confirmation_and_goes_through_state_service(
    client, django_capture_on_commit_callbacks
):
    application = complete_application()
    services.submit(application, actor=application.owner)
    client.force_login(application.owner)
    url = reverse("applications:withdraw", args=[application.uuid])
    page = client.get(url)
    assert "Confirmer le retrait" in page.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Le pôle se réorganise"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.status_changes.last().reason == "Le pôle se réorganise"
    assert any("Retiré" in m.body for m in mail.outbox)
    # Nothing more to withdraw.
    assert client.get(url).status_code == 403


def test_co_editor_cannot_withdraw(client):
    application = complete_application()
    services.submit(application, actor=application.owner)
    co_editor = UserFactory()
    application.co_editors.add(co_editor)
    client.force_login(co_editor)
    response = client.post(reverse("applications:withdraw", args=[application.uuid]))
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_duplicate_into_another_open_call(client):
    application = complete_application()
    services.submit(application, actor=application.owner)
    other_call = CallFactory(title="AMI suivant")
    client.force_login(application.owner)
    response = client.post(
        reverse("applications:duplicate", args=[application.uuid]), {"call": other_call.pk}
    )
    copy = Application.objects.get(call=other_call)
    assert response.url == reverse("applications:summary", args=[copy.uuid])
    assert copy.status == ApplicationStatus.DRAFT
    assert copy.reference is None
    assert copy.duplicated_from == application
    assert copy.lead_siret == application.lead_siret
    assert copy.members.count() == 3
    assert sorted(copy.communes.values_list("code", flat=True)) == ["69062", "69238"]
    # The original is untouched.
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_invite_co_editor_by_email_then_accept(client, django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    client.force_login(application.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("applications:invite", args=[application.uuid]),
            {"email": "Collegue@Exemple.fr"},
        )
    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == ["collegue@exemple.fr"]
    path = re.search(r"https?://[^/\s]+(/dossiers/invitation/\S+/)", email.body).group(1)
    intruder = UserFactory(email="autre@exemple.fr")
    client.force_login(intruder)
    refused = client.get(path, follow=True)
    assert "autre adresse" in refused.content.decode()
    assert not application.co_editors.exists()
    colleague = UserFactory(email="collegue@exemple.fr")
    client.force_login(colleague)
    accepted = client.get(path)
    assert accepted.url == reverse("applications:summary", args=[application.uuid])
    assert list(application.co_editors.all()) == [colleague]
    # The co-editor edits...
    edit = client.post(
        reverse("applications:lead", args=[application.uuid]), {"lead_name": "Écrit à deux"}
    )
    assert edit.status_code == 302
    application.refresh_from_db()
    assert application.lead_name == "Écrit à deux"
    # ...but cannot invite others.
    assert client.get(reverse("applications:invite", args=[application.uuid])).status_code == 403


def test_receipt_downloadable_even_before_task_ran(client):
    application = complete_application()
    services.submit(application, actor=application.owner)  # on-commit task not executed
    submission = Submission.objects.get(application=application)
    assert not submission.receipt
    client.force_login(application.owner)
    response = client.get(reverse("applications:receipt", args=[application.uuid, 1]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment;" in response["Content-Disposition"]
    client.force_login(UserFactory())
    assert (
        client.get(reverse("applications:receipt", args=[application.uuid, 1])).status_code == 404
    )


def test_regional_reviewer_sees_submitted_file_summary_of_own_region(client):
    from accounts.factories import login_staff

    application = complete_application()
    services.submit(application, actor=application.owner)
    reviewer = UserFactory(reviewer=True)  # région 84
    login_staff(client, reviewer)
    page = client.get(reverse("applications:summary", args=[application.uuid]))
    assert page.status_code == 200
    assert "Déposer le dossier" not in page.content.decode()
    other = UserFactory(reviewer=True, region_id="32")
    client.logout()
    login_staff(client, other)
    assert client.get(reverse("applications:summary", args=[application.uuid])).status_code == 404

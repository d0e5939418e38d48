import pytest
from django.core import mail

from accounts.factories import UserFactory
from applications import permissions, states
from applications.choices import ApplicationStatus
from applications.factories import ApplicationFactory, complete_application
from applications.models import Application, StatusChange
from core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_transition_table_is_data_and_lists_candidate_moves():
    pairs = {(t.source, t.target) for t in states.TRANSITIONS}
    assert (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED) in pairs
    assert (ApplicationStatus.CORRECTION_REQUESTED, ApplicationStatus.SUBMITTED) in pairs
    assert (ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN) in pairs
    assert (ApplicationStatus.ACCEPTED, ApplicationStatus.WITHDRAWN) not in pairs


def test_change_status_saves_history_audit_and_notifies(django_capture_on_commit_callbacks):
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    owner = application.owner
    with django_capture_on_commit_callbacks(execute=True):
        states.change_status(
            application, ApplicationStatus.WITHDRAWN, actor=owner, reason="Projet reporté"
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    change = StatusChange.objects.get(application=application)
    assert (change.from_status, change.to_status, change.reason) == (
        "submitted",
        "withdrawn",
        "Projet reporté",
    )
    entry = AuditLog.objects.get(action="application.status_changed", object_id=str(application.pk))
    assert entry.before == {"status": "submitted"}
    assert entry.after == {"status": "withdrawn", "reason": "Projet reporté"}
    [email] = mail.outbox
    assert email.to == [owner.email]
    assert "Retiré" in email.body and "Projet reporté" in email.body


def test_change_status_refuses_other_actor_and_unknown_transition():
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    stranger = UserFactory()
    with pytest.raises(states.TransitionNotAllowed):
        states.change_status(application, ApplicationStatus.WITHDRAWN, actor=stranger)
    with pytest.raises(states.TransitionNotAllowed, match="ne peut pas passer"):
        states.change_status(application, ApplicationStatus.ACCEPTED, actor=application.owner)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not StatusChange.objects.exists()


def test_co_editor_cannot_withdraw_or_submit_but_can_edit():
    application = ApplicationFactory()
    co_editor = UserFactory()
    application.co_editors.add(co_editor)
    assert permissions.can_edit_application(co_editor, application)
    assert not permissions.can_submit_application(co_editor, application)
    assert not permissions.can_withdraw_application(co_editor, application)
    assert not states.can_change_status(application, ApplicationStatus.WITHDRAWN, co_editor)


def test_visibility_rules_and_for_user_agree():
    draft = ApplicationFactory()
    lyon = complete_application()
    lyon.status = ApplicationStatus.SUBMITTED
    lyon.region_id = "84"
    lyon.save()
    amiens = ApplicationFactory(status=ApplicationStatus.SUBMITTED, region_id="32")
    co_editor = UserFactory()
    draft.co_editors.add(co_editor)
    users = {
        "owner": draft.owner,
        "co_editor": co_editor,
        "stranger": UserFactory(),
        "national": UserFactory(national=True),
        "admin": UserFactory(admin=True),
        "reviewer_84": UserFactory(reviewer=True),
        "lead_84": UserFactory(cell_lead=True),
        "reviewer_32": UserFactory(reviewer=True, region_id="32"),
        "committee": UserFactory(committee=True),
    }
    expected = {
        "owner": {draft.pk},
        "co_editor": {draft.pk},
        "stranger": set(),
        "national": {lyon.pk, amiens.pk},
        "admin": {lyon.pk, amiens.pk},
        "reviewer_84": {lyon.pk},
        "lead_84": {lyon.pk},
        "reviewer_32": {amiens.pk},
        "committee": set(),
    }
    for name, user in users.items():
        visible = set(Application.objects.for_user(user).values_list("pk", flat=True))
        assert visible == expected[name], name
        for application in (draft, lyon, amiens):
            assert permissions.can_view_application(user, application) == (
                application.pk in expected[name]
            ), (name, application.pk)
    # Staff never edit a candidate's file.
    assert not permissions.can_edit_application(users["national"], lyon)

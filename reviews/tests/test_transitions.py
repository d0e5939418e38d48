"""The review rows of the transition table: every (from, to) pair × every role."""

import itertools

import pytest

from accounts.factories import UserFactory
from accounts.models import Role
from applications import states
from applications.choices import ApplicationStatus as S
from applications.factories import ApplicationFactory
from applications.models import Application, StatusChange
from reviews.models import ConflictOfInterest, ConflictSource

pytestmark = pytest.mark.django_db

# What each actor holds, written independently of ``states.actor_has_role``.
HOLDS = {
    "owner": {states.OWNER},
    "other_candidate": set(),
    "reviewer_here": {Role.REGIONAL_REVIEWER},
    "reviewer_elsewhere": set(),  # a regional role of another région holds nothing here
    "cell_lead_here": {Role.REGIONAL_CELL_LEAD},
    "cell_lead_elsewhere": set(),
    "national": {Role.NATIONAL_CELL},
    "admin": {Role.PROGRAMME_ADMIN},
    "committee": {Role.COMMITTEE},
    "system": {states.SYSTEM},
}


@pytest.fixture
def actors():
    application = ApplicationFactory(region_id="84")
    return application, {
        "owner": application.owner,
        "other_candidate": UserFactory(),
        "reviewer_here": UserFactory(reviewer=True),
        "reviewer_elsewhere": UserFactory(reviewer=True, region_id="32"),
        "cell_lead_here": UserFactory(cell_lead=True),
        "cell_lead_elsewhere": UserFactory(cell_lead=True, region_id="32"),
        "national": UserFactory(national=True),
        "admin": UserFactory(admin=True),
        "committee": UserFactory(committee=True),
        "system": None,
    }


def test_every_pair_for_every_role_follows_the_table(actors):
    application, people = actors
    table = {(t.source, t.target): t.roles for t in states.TRANSITIONS}
    allowed_count = refused_count = 0
    for source, target in itertools.product(S.values, S.values):
        for name, actor in people.items():
            Application.objects.filter(pk=application.pk).update(status=source)
            application.status = source
            roles = table.get((source, target))
            expected = roles is not None and bool(HOLDS[name] & roles)
            if expected:
                states.change_status(application, target, actor=actor, reason="test")
                assert Application.objects.get(pk=application.pk).status == target
                allowed_count += 1
            else:
                with pytest.raises(states.TransitionNotAllowed):
                    states.change_status(application, target, actor=actor)
                assert Application.objects.get(pk=application.pk).status == source
                refused_count += 1
    assert StatusChange.objects.filter(application=application).count() == allowed_count
    assert allowed_count + refused_count == 9 * 9 * 10
    # owner 7, start 4, corrections 4 + 4, reviewed 3, reopen 3, decisions 3 + 3, closed 4 × 2
    assert allowed_count == 39


def test_review_rows_are_declared():
    pairs = {(t.source, t.target) for t in states.TRANSITIONS}
    for pair in [
        (S.SUBMITTED, S.UNDER_REVIEW),
        (S.SUBMITTED, S.CORRECTION_REQUESTED),
        (S.UNDER_REVIEW, S.CORRECTION_REQUESTED),
        (S.UNDER_REVIEW, S.REVIEWED),
        (S.REVIEWED, S.ACCEPTED),
        (S.REVIEWED, S.REJECTED),
        (S.SUBMITTED, S.CLOSED),
        (S.CORRECTION_REQUESTED, S.CLOSED),
        (S.UNDER_REVIEW, S.CLOSED),
        (S.REVIEWED, S.CLOSED),
    ]:
        assert pair in pairs
    assert (S.ACCEPTED, S.CLOSED) not in pairs
    assert (S.REJECTED, S.ACCEPTED) not in pairs
    assert (S.DRAFT, S.UNDER_REVIEW) not in pairs


def test_a_reviewer_with_a_conflict_cannot_change_the_state():
    application = ApplicationFactory(region_id="84", status=S.SUBMITTED)
    reviewer = UserFactory(reviewer=True)
    ConflictOfInterest.objects.create(
        application=application,
        reviewer=reviewer,
        source=ConflictSource.DECLARED,
        reason="Administrateur d’un membre",
    )
    with pytest.raises(states.TransitionNotAllowed):
        states.change_status(application, S.UNDER_REVIEW, actor=reviewer)
    assert not states.can_change_status(application, S.UNDER_REVIEW, reviewer)


def test_closing_sans_suite_notifies_the_candidate(django_capture_on_commit_callbacks):
    from django.core import mail

    application = ApplicationFactory(
        region_id="84", status=S.UNDER_REVIEW, reference="PTCE-2026-0042"
    )
    with django_capture_on_commit_callbacks(execute=True):
        states.change_status(
            application, S.CLOSED, actor=UserFactory(national=True), reason="Doublon"
        )
    [email] = mail.outbox
    assert email.subject == "Dossier classé sans suite : PTCE-2026-0042"
    assert "Classé sans suite" in email.body and "Doublon" in email.body

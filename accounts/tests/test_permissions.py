import pytest

from accounts import permissions as p
from accounts.factories import UserFactory
from accounts.models import Role

pytestmark = pytest.mark.django_db


def test_role_predicates():
    candidate = UserFactory()
    reviewer = UserFactory(reviewer=True)
    national = UserFactory(national=True)
    admin = UserFactory(admin=True)
    committee = UserFactory(committee=True)
    assert p.is_candidate(candidate) and not p.is_staff_member(candidate)
    assert p.is_staff_member(reviewer) and not p.is_candidate(reviewer)
    assert p.is_national(national) and p.is_national(admin)
    assert not p.is_national(reviewer) and not p.is_national(committee)
    assert p.is_committee_member(committee)
    assert p.is_programme_admin(admin) and not p.is_programme_admin(national)


def test_regional_predicates_are_limited_to_the_region():
    reviewer = UserFactory(reviewer=True)  # Auvergne-Rhône-Alpes (84)
    lead = UserFactory(cell_lead=True)
    assert p.is_regional_for(reviewer, "84")
    assert not p.is_regional_for(reviewer, "32")
    assert not p.is_regional_for(reviewer, None)
    assert p.is_cell_lead_for(lead, "84") and not p.is_cell_lead_for(reviewer, "84")
    assert not p.is_regional_for(UserFactory(national=True), "84")


def test_inactive_and_anonymous_users_have_no_rights():
    from django.contrib.auth.models import AnonymousUser

    inactive = UserFactory(national=True, is_active=False)
    assert not p.is_national(inactive)
    assert not p.is_authenticated(AnonymousUser())
    assert not p.has_role(AnonymousUser(), Role.CANDIDATE)


def test_regional_role_requires_a_region():
    from django.core.exceptions import ValidationError

    user = UserFactory.build(role=Role.REGIONAL_REVIEWER, region=None)
    with pytest.raises(ValidationError, match="rattaché à une région"):
        user.full_clean(exclude=["password"])


def test_role_change_is_audited():
    from accounts.services import change_role
    from core.models import AuditLog

    admin = UserFactory(admin=True)
    user = UserFactory()
    from territories.models import Region

    change_role(user, role=Role.REGIONAL_REVIEWER, region=Region.objects.get(pk="32"), actor=admin)
    entry = AuditLog.objects.get(action="account.role_changed")
    assert entry.before == {"role": "candidate", "region": None}
    assert entry.after == {"role": "regional_reviewer", "region": "32"}
    assert entry.actor == admin

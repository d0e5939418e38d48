import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.factories import UserFactory
from core.models import AuditLog
from laureates.factories import PtceFactory, PtceMemberFactory
from laureates.models import PtceStatus, PtceStatusChange
from laureates.services import (
    TRANSITION_TABLE,
    allowed_targets,
    change_ptce_status,
    set_ptce_territory,
)

pytestmark = pytest.mark.django_db


def test_transition_table_declares_inactive_with_mandatory_reason():
    for (source, target), transition in TRANSITION_TABLE.items():
        if target == PtceStatus.INACTIVE:
            assert transition.reason_required, (source, target)
    assert (PtceStatus.INACTIVE, PtceStatus.EMERGING) not in TRANSITION_TABLE


def test_national_cell_moves_a_pole_along_its_lifecycle_with_history_and_audit():
    national = UserFactory(national=True)
    ptce = PtceFactory(status=PtceStatus.EMERGING)
    change_ptce_status(ptce, PtceStatus.FUNDED, actor=national)
    change_ptce_status(ptce, PtceStatus.ACTIVE, actor=national)
    change_ptce_status(ptce, PtceStatus.INACTIVE, actor=national, reason="Dissolution votée")
    ptce.refresh_from_db()
    assert ptce.status == PtceStatus.INACTIVE
    history = list(
        PtceStatusChange.objects.filter(ptce=ptce).values_list("from_status", "to_status", "reason")
    )
    assert history == [
        ("emerging", "funded", ""),
        ("funded", "active", ""),
        ("active", "inactive", "Dissolution votée"),
    ]
    entries = AuditLog.objects.filter(action="ptce.status_changed").order_by("sequence")
    assert [entry.after["status"] for entry in entries] == ["funded", "active", "inactive"]
    assert entries.last().actor == national


def test_inactive_requires_a_reason():
    ptce = PtceFactory(status=PtceStatus.ACTIVE)
    with pytest.raises(ValidationError, match="Un motif est obligatoire"):
        change_ptce_status(ptce, PtceStatus.INACTIVE, actor=UserFactory(national=True), reason=" ")
    ptce.refresh_from_db()
    assert ptce.status == PtceStatus.ACTIVE


def test_transition_outside_the_table_is_refused():
    ptce = PtceFactory(status=PtceStatus.INACTIVE)
    with pytest.raises(ValidationError, match="Passage impossible"):
        change_ptce_status(ptce, PtceStatus.EMERGING, actor=UserFactory(national=True))
    assert allowed_targets(ptce) == [PtceStatus.ACTIVE]


def test_candidates_and_reviewers_cannot_change_a_status_but_the_platform_can():
    ptce = PtceFactory(status=PtceStatus.EMERGING)
    for user in (UserFactory(), UserFactory(reviewer=True)):
        with pytest.raises(PermissionDenied):
            change_ptce_status(ptce, PtceStatus.FUNDED, actor=user)
    change_ptce_status(ptce, PtceStatus.FUNDED, actor=None)
    assert PtceStatusChange.objects.get(ptce=ptce).actor_label == "système"
    with pytest.raises(PermissionDenied):  # closing a pole is a human decision
        change_ptce_status(ptce, PtceStatus.INACTIVE, actor=None, reason="auto")


def test_territory_sets_main_region_department_population_and_search_text():
    ptce = PtceFactory(name="Pôle Rhône-Loire")
    # Lyon (69123) outweighs Saint-Étienne (42218): both in Auvergne-Rhône-Alpes.
    set_ptce_territory(ptce, commune_codes=["69123", "42218"])
    ptce.refresh_from_db()
    assert (ptce.main_region_id, ptce.main_department_id) == ("84", "69")
    assert ptce.population_covered > 600000
    assert "saint etienne" in ptce.search_text
    assert "auvergne rhone alpes" in ptce.search_text


def test_private_members_never_reach_the_search_text():
    ptce = PtceFactory()
    PtceMemberFactory(ptce=ptce, name="Public Coop", is_public=True)
    PtceMemberFactory(ptce=ptce, name="Secret Sarl", is_public=False)
    set_ptce_territory(ptce, commune_codes=["29019"])
    ptce.refresh_from_db()
    assert "public coop" in ptce.search_text
    assert "secret" not in ptce.search_text

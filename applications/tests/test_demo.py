import io

import pytest

from accounts import demo as accounts_demo
from applications import demo
from applications.choices import ApplicationStatus
from applications.factories import CallFactory
from applications.models import Application
from registry.validators import is_valid_siret

pytestmark = pytest.mark.django_db


def test_demo_without_open_call_creates_nothing_and_says_so():
    out = io.StringIO()
    demo.load(out)
    assert "aucun appel ouvert" in out.getvalue()
    assert not Application.objects.exists()


def test_demo_files_in_various_states_idempotent():
    accounts_demo.load(io.StringIO())
    CallFactory(title="AMI démo")
    out = io.StringIO()
    demo.load(out)
    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            ApplicationStatus.SUBMITTED,  # porteur, phase 1
            ApplicationStatus.DRAFT,
            ApplicationStatus.WITHDRAWN,
            ApplicationStatus.SUBMITTED,  # porteuse2, phase 1
            ApplicationStatus.SUBMITTED,  # porteuse2, phase 2 filed together
            ApplicationStatus.DRAFT,
        ]
    )
    for application in Application.objects.all():
        assert application.lead_name.endswith("(démo)")
        assert is_valid_siret(application.lead_siret)
        assert all(is_valid_siret(m.siret) for m in application.members.exclude(siret=""))
        assert application.communes.exists()
    demo.load(io.StringIO())
    assert Application.objects.count() == 6

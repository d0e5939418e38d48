from io import StringIO

import pytest
from django.urls import reverse

from accounts.models import User
from laureates import followup
from laureates.demo_followup import load
from laureates.models import PtceStatus
from laureates.models_followup import Agreement, Payment, ReportStatus

pytestmark = pytest.mark.django_db


def test_demo_laureates_signed_overdue_blocked_and_idempotent(client):
    from accounts import demo as accounts_demo
    from calls import demo as calls_demo

    accounts_demo.load(StringIO())
    calls_demo.load(StringIO())
    load(StringIO())
    out = StringIO()
    load(out)
    assert "0 lauréat(s) de phase 2 créé(s)" in out.getvalue()
    agreements = list(Agreement.objects.select_related("ptce").order_by("pk"))
    assert len(agreements) == 3
    assert all(a.ptce.name.endswith("(démo)") for a in agreements)
    assert all(a.ptce.status == PtceStatus.FUNDED for a in agreements)
    assert [a.is_signed for a in agreements] == [True, False, True]
    for agreement in agreements:
        assert sum(p.planned_amount for p in agreement.payments.all()) == agreement.amount
    assert followup.overdue_reports().count() == 1
    assert Payment.objects.filter(paid_on__isnull=False).count() == 2
    blockers = [followup.payment_blocker(p) for p in Payment.objects.filter(paid_on__isnull=True)]
    assert any("n’a pas encore été transmis" in reason for reason in blockers)
    assert any("pas encore accepté" in reason for reason in blockers)
    assert agreements[2].reports.filter(status=ReportStatus.SUBMITTED).count() == 1
    client.force_login(User.objects.get(email="porteur@demo.ptce.fr"))
    page = client.get(reverse("laureates:space")).content.decode()
    assert "Transmettre le bilan intermédiaire" in page and "(en retard)" in page

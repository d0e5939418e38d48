import io

import pytest

from accounts import demo as accounts_demo
from accounts.models import User
from applications import demo as applications_demo
from applications.choices import ApplicationStatus as S
from applications.factories import CallFactory
from applications.models import Application
from laureates.models import Award
from reviews import committee, demo, demo_round
from reviews.models import (
    Assignment,
    CommitteeSession,
    CorrectionRequest,
    Evaluation,
    RegionalOpinion,
    ReviewSummary,
)

pytestmark = pytest.mark.django_db


def test_demo_review_data_with_disagreement_and_a_correction_idempotent():
    accounts_demo.load(io.StringIO())
    CallFactory(title="AMI démo")
    applications_demo.load(io.StringIO())
    out = io.StringIO()
    demo.load(out, round_regions=[])
    assert "une demande de compléments" in out.getvalue()
    assert Application.objects.filter(pole_name__contains=demo.EXTRA).count() == 3
    summaries = ReviewSummary.objects.filter(review_count=2)
    assert summaries.filter(disagreement=True).count() == 1
    assert summaries.filter(disagreement=False).count() == 1
    [correction] = CorrectionRequest.objects.all()
    assert correction.application.status == S.CORRECTION_REQUESTED
    assert correction.sections == ["projet", "pieces"]
    counts = (Assignment.objects.count(), Evaluation.objects.count())
    # Due dates: every assignment has one, some open evaluations are overdue.
    from django.utils import timezone

    today = timezone.localdate()
    assert not Assignment.objects.filter(due_on__isnull=True).exists()
    overdue = Assignment.objects.filter(due_on__lt=today).count()
    assert overdue >= 1
    assert f"(dont {overdue} en retard)" in out.getvalue()
    due_dates = sorted(Assignment.objects.values_list("pk", "due_on"))
    demo.load(io.StringIO(), round_regions=[])
    assert (Assignment.objects.count(), Evaluation.objects.count()) == counts
    assert CorrectionRequest.objects.count() == 1
    assert sorted(Assignment.objects.values_list("pk", "due_on")) == due_dates


def test_demo_without_call_says_so():
    out = io.StringIO()
    demo.load(out)
    assert "rien créé" in out.getvalue()


def test_demo_round_in_every_state_with_sessions_awards_and_idempotent():
    accounts_demo.load(io.StringIO())
    call = CallFactory(title="AMI démo")
    applications_demo.load(io.StringIO())
    # Indexes 0–3 of demo_round.REGIONS (draft, correction, withdrawn, closed as their sixth
    # file; accepted or rejected as their fifth) and La Réunion, overseas.
    regions = ["84", "27", "53", "24", "04"]
    out = io.StringIO()
    demo.load(out, round_regions=regions)
    text = out.getvalue()
    assert "Relève de démonstration : 5 région(s) ajoutée(s)" in text
    round_files = Application.objects.filter(owner__email__startswith="porteur.")
    submitted = round_files.exclude(status=S.DRAFT)
    assert set(submitted.values_list("region_id", flat=True)) == set(regions)
    assert set(round_files.values_list("status", flat=True)) == {
        S.DRAFT,
        S.SUBMITTED,
        S.UNDER_REVIEW,
        S.CORRECTION_REQUESTED,
        S.REVIEWED,
        S.ACCEPTED,
        S.REJECTED,
        S.WITHDRAWN,
        S.CLOSED,
    }
    # Reviewers per région, existing demo accounts kept and used.
    lucas = User.objects.get(email="instructeur.ara@demo.ptce.fr")
    assert lucas.first_name == "Lucas" and lucas.region_id == "84"
    assert Assignment.objects.filter(reviewer=lucas, application__in=round_files).exists()
    reunion = User.objects.get(email="responsable.reu@demo.ptce.fr")
    assert reunion.role == "regional_cell_lead" and reunion.region_id == "04"
    assert ReviewSummary.objects.filter(application__in=round_files, disagreement=True).exists()
    assert RegionalOpinion.objects.filter(application__in=round_files).count() >= 5
    published = CommitteeSession.objects.get(title=demo_round.PUBLISHED_TITLE)
    assert published.is_published
    accepted = round_files.filter(status=S.ACCEPTED)
    assert Award.objects.filter(application__in=accepted).count() == accepted.count() > 0
    assert all(a.amount for a in Award.objects.filter(application__phase="funding"))
    ready = CommitteeSession.objects.get(title=demo_round.OPEN_TITLE)
    assert not ready.is_published and ready.simulation is not None
    assert list(ready.members_present.values_list("email", flat=True)) == ["comite@demo.ptce.fr"]
    assert len(committee.proposals(ready)) >= 5
    counts = (
        Application.objects.count(),
        Assignment.objects.count(),
        Evaluation.objects.count(),
        Award.objects.count(),
        CommitteeSession.objects.count(),
        User.objects.count(),
    )
    demo.load(io.StringIO(), round_regions=regions)
    assert counts == (
        Application.objects.count(),
        Assignment.objects.count(),
        Evaluation.objects.count(),
        Award.objects.count(),
        CommitteeSession.objects.count(),
        User.objects.count(),
    )
    assert call.pk

import io

import pytest

from accounts import demo as accounts_demo
from applications import demo as applications_demo
from applications.choices import ApplicationStatus as S
from applications.factories import CallFactory
from applications.models import Application
from reviews import demo
from reviews.models import Assignment, CorrectionRequest, Evaluation, ReviewSummary

pytestmark = pytest.mark.django_db


def test_demo_review_data_with_disagreement_and_a_correction_idempotent():
    accounts_demo.load(io.StringIO())
    CallFactory(title="AMI démo")
    applications_demo.load(io.StringIO())
    out = io.StringIO()
    demo.load(out)
    assert "une demande de compléments" in out.getvalue()
    assert Application.objects.filter(pole_name__contains=demo.EXTRA).count() == 3
    summaries = ReviewSummary.objects.filter(review_count=2)
    assert summaries.filter(disagreement=True).count() == 1
    assert summaries.filter(disagreement=False).count() == 1
    [correction] = CorrectionRequest.objects.all()
    assert correction.application.status == S.CORRECTION_REQUESTED
    assert correction.sections == ["projet", "pieces"]
    counts = (Assignment.objects.count(), Evaluation.objects.count())
    demo.load(io.StringIO())
    assert (Assignment.objects.count(), Evaluation.objects.count()) == counts
    assert CorrectionRequest.objects.count() == 1


def test_demo_without_call_says_so():
    out = io.StringIO()
    demo.load(out)
    assert "rien créé" in out.getvalue()

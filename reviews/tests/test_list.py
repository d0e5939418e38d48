"""The reviewer list: scope, filters, sort, pagination and a constant number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import UserFactory, login_staff
from applications.choices import ApplicationStatus as S
from applications.factories import ApplicationFactory, CallFactory
from reviews.models import Assignment, Evaluation, EvaluationStatus, FileIdentifier, ReviewSummary

pytestmark = pytest.mark.django_db


def make_files(count, *, call=None, region_id="84", start=0, **summary):
    call = call or CallFactory()
    files = []
    for i in range(start, start + count):
        application = ApplicationFactory(
            call=call,
            status=S.SUBMITTED,
            reference=f"PTCE-2026-{i:04d}",
            region_id=region_id,
            phase="emergence",
            pole_name=f"Pôle {i}",
        )
        ReviewSummary.objects.create(application=application, department_id="69", **summary)
        FileIdentifier.objects.create(application=application, siren=f"{700000000 + i}")
        files.append(application)
    return files


def references(response):
    return [row.reference for row in response.context["rows"]]


def test_scope_national_sees_all_regional_only_theirs(client):
    make_files(2, region_id="84")
    make_files(1, region_id="32", start=10)
    ApplicationFactory(reference=None)  # a draft is never listed
    login_staff(client, UserFactory(national=True))
    assert references(client.get("/instruction/dossiers/")) == [
        "PTCE-2026-0000",
        "PTCE-2026-0001",
        "PTCE-2026-0010",
    ]
    login_staff(client, UserFactory(reviewer=True))
    assert references(client.get("/instruction/dossiers/")) == ["PTCE-2026-0000", "PTCE-2026-0001"]
    client.force_login(UserFactory())
    assert client.get("/instruction/dossiers/").status_code == 403


def test_filters_and_sort(client):
    call = CallFactory()
    low = make_files(1, call=call, start=1, review_count=2, mean=Decimal("2.10"))[0]
    high = make_files(
        1, call=call, start=2, review_count=2, mean=Decimal("4.20"), disagreement=True
    )[0]
    out = make_files(1, call=call, start=3, review_count=1, mean=Decimal("3.00"), eliminated=True)[
        0
    ]
    overseas = make_files(1, start=4, region_id="01", is_overseas=True)[0]
    ReviewSummary.objects.filter(application=overseas).update(department_id="971")
    login_staff(client, UserFactory(national=True))
    get = lambda **q: references(client.get("/instruction/dossiers/", q))  # noqa: E731
    assert get(score_min="3", sort="-mean") == [high.reference, out.reference]
    assert get(score_max="2.5") == [low.reference]
    assert get(disagreement="on") == [high.reference]
    assert get(eligibility="eliminated") == [out.reference]
    assert get(eligibility="eligible", call=call.pk) == [low.reference, high.reference]
    assert get(priority="on") == [overseas.reference]
    assert get(region="01") == [overseas.reference]
    assert get(department="971") == [overseas.reference]
    assert get(status="submitted", phase="emergence", sort="mean")[:3] == [
        low.reference,
        out.reference,
        high.reference,
    ]
    assert get(status="accepted") == []
    response = client.get("/instruction/dossiers/", {"score_min": "4", "score_max": "2"})
    assert response.context["form"].errors["score_max"] == [
        "La note maximale (2) est inférieure à la note minimale (4)."
    ]


def test_score_filters_respect_independence(client):
    files = make_files(2, review_count=2, mean=Decimal("4.50"))
    reviewer = UserFactory(reviewer=True)
    Assignment.objects.create(application=files[0], reviewer=reviewer)
    Evaluation.objects.create(application=files[1], reviewer=reviewer)  # draft
    login_staff(client, reviewer)
    assert references(client.get("/instruction/dossiers/", {"score_min": "4"})) == []
    Evaluation.objects.filter(reviewer=reviewer).update(
        status=EvaluationStatus.SUBMITTED, submitted_at="2026-11-01T10:00:00Z"
    )
    assert references(client.get("/instruction/dossiers/", {"score_min": "4"})) == [
        files[1].reference
    ]


def _count_queries(client):
    with CaptureQueriesContext(connection) as context:
        response = client.get("/instruction/dossiers/", {"sort": "-mean", "priority": ""})
    assert response.status_code == 200
    return len(context.captured_queries), response


def test_constant_number_of_queries_and_fifty_per_page(client):
    national = UserFactory(national=True)
    login_staff(client, national)
    call = CallFactory()
    make_files(3, call=call, review_count=1, mean=Decimal("3"))
    small, response = _count_queries(client)
    assert len(response.context["rows"]) == 3
    make_files(60, call=call, start=100, review_count=2, mean=Decimal("2"))
    large, response = _count_queries(client)
    assert len(response.context["rows"]) == 50
    assert response.context["page"].paginator.num_pages == 2
    assert small == large
    second = client.get("/instruction/dossiers/", {"sort": "-mean", "page": "2"})
    assert len(second.context["rows"]) == 13


def test_list_query_count_is_pinned(client, django_assert_num_queries):
    login_staff(client, UserFactory(reviewer=True))
    first, second, *_others = make_files(5)
    FileIdentifier.objects.create(application=second, siren=f"{700000000}")  # a duplicate
    # Session, user, OTP device and session save; the paginator's count and the page's rows
    # (one query with call, round, région, figures and département joined); the filter
    # choices (calls, rounds, régions, départements); the person's saved views; the pending
    # duplicates (the page's SIRENs, the files sharing them, which of those the reader may
    # see); nothing per row.
    with django_assert_num_queries(16):
        client.get("/instruction/dossiers/")

"""Conflicts of interest and independence on every surface (issue 22, points 1 and 2).

One filter (``reviews.conflicts``: ``for_user``, ``without_conflicts``, ``mask_ranking``,
``has_conflict``) keeps a person away from a file they declared a conflict on: lists, régional
and national rankings, committee rows and decisions, follow-up (agreement, PDF, payments,
``versements.csv``, reports). A ranking stays complete (a masked row, no rank) but shows
nothing of the file. Before a reviewer submits their own evaluation, no list sort or ranking
tells the others' scores. Each reproduction of the issue is a test here."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.factories import UserFactory, login_staff
from applications.choices import ApplicationStatus
from laureates.factories import funded_award
from reviews.conflicts import CONFLICT_NOTICE, PENDING_NOTICE
from reviews.factories import call_with_grid, submitted_file
from reviews.models import (
    Assignment,
    CommitteeSession,
    ConflictOfInterest,
    ConflictSource,
    Decision,
    ReviewSummary,
)

pytestmark = pytest.mark.django_db
ARA = "84"


def staff_client(user):
    client = Client(raise_request_exception=False)
    login_staff(client, user)
    return client


def declare(user, application):
    ConflictOfInterest.objects.create(
        application=application, reviewer=user, source=ConflictSource.DECLARED, reason="Parent"
    )


def figures(application, mean):
    ReviewSummary.objects.update_or_create(
        application=application,
        defaults={"review_count": 2, "mean": Decimal(mean), "median": Decimal(mean)},
    )


@pytest.fixture
def call_files():
    call = call_with_grid(slug="ami-conflits")
    files = [submitted_file(call=call) for _ in range(3)]
    for application, mean in zip(files, ["15.25", "12.75", "17.50"], strict=True):
        assert application.region_id == ARA
        figures(application, mean)
    return call, files


def body(response):
    assert response.status_code == 200, response.status_code
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


# --- conflicts ------------------------------------------------------------------------------


def test_national_ranking_masks_the_conflicted_file_of_the_national_cell(call_files):
    call, (mine, other, third) = call_files
    national = UserFactory(national=True)
    declare(national, mine)
    page = body(staff_client(national).get(reverse("reviews:national"), {"call": call.pk}))
    assert mine.reference not in page
    assert other.reference in page and third.reference in page
    assert f"Dossier masqué : {CONFLICT_NOTICE}" in page
    # Another member of the national cell sees the complete ranking.
    colleague = body(
        staff_client(UserFactory(national=True)).get(reverse("reviews:national"), {"call": call.pk})
    )
    assert mine.reference in colleague and "Dossier masqué" not in colleague


@pytest.mark.parametrize("role", ["national", "cell_lead"])
def test_regional_ranking_masks_the_conflicted_file(call_files, role):
    _call, (mine, other, _third) = call_files
    user = UserFactory(**{role: True}, region_id=ARA)
    declare(user, mine)
    page = body(staff_client(user).get(reverse("reviews:regional_ranking"), {"region": ARA}))
    assert mine.reference not in page, page[
        page.index(mine.reference) - 300 : page.index(mine.reference) + 100
    ]
    assert other.reference in page
    assert page.count(f"Dossier masqué : {CONFLICT_NOTICE}") == 1
    assert "15,25" not in page and "15.25" not in page


def _reviewed_session(call, files):
    for application in files:
        type(application).objects.filter(pk=application.pk).update(
            status=ApplicationStatus.REVIEWED
        )
    return CommitteeSession.objects.create(call=call, title="Comité", date="2030-06-15")


def test_committee_row_is_masked_and_a_decision_refused(call_files):
    call, (mine, other, _third) = call_files
    session = _reviewed_session(call, [mine, other])
    national = UserFactory(national=True)
    declare(national, mine)
    client = staff_client(national)
    url = reverse("reviews:session", args=[session.pk])
    page = body(client.get(url))
    assert mine.reference not in page and other.reference in page
    assert f"Dossier masqué : {CONFLICT_NOTICE}" in page
    response = client.post(
        url,
        {
            "application": str(mine.pk),
            f"d{mine.pk}-decision": "accepted",
            f"d{mine.pk}-amount": "90000",
        },
    )
    assert response.status_code == 403
    assert not Decision.objects.filter(application=mine).exists()
    # The same decision on a file without conflict is recorded.
    response = client.post(
        url,
        {
            "application": str(other.pk),
            f"d{other.pk}-decision": "rejected",
            f"d{other.pk}-reasons": "Budget fragile",
        },
    )
    assert response.status_code == 302
    assert Decision.objects.filter(application=other).count() == 1


def test_committee_service_refuses_a_decision_on_a_conflicted_file(call_files):
    from reviews import committee
    from reviews.services import ReviewError

    call, (mine, _other, _third) = call_files
    session = _reviewed_session(call, [mine])
    national = UserFactory(national=True)
    declare(national, mine)
    with pytest.raises(ReviewError, match="Conflit d’intérêts"):
        committee.record_decision(session, mine, actor=national, decision="rejected", reasons="x")


@pytest.fixture
def agreement():
    award = funded_award(owner=UserFactory())
    return award.agreement


def test_follow_up_hides_the_conflicted_agreement(agreement):
    national = UserFactory(national=True)
    declare(national, agreement.award.application)
    client = staff_client(national)
    report = agreement.reports.order_by("due_on", "pk").first()
    payment = agreement.payments.order_by("position").first()
    for url in [
        reverse("laureates:followup_agreement", args=[agreement.pk]),
        reverse("laureates:agreement_pdf", args=[agreement.pk]),
        reverse("laureates:followup_report", args=[report.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert agreement.reference not in body(client.get(reverse("laureates:followup_list")))
    assert agreement.reference not in body(client.get(reverse("laureates:followup_payments_csv")))
    sign = client.post(
        reverse("laureates:followup_sign", args=[agreement.pk]), {"signed_on": "01/02/2027"}
    )
    assert sign.status_code == 404
    paid = client.post(reverse("laureates:followup_payment", args=[payment.pk]), {})
    assert paid.status_code == 404
    # Without the conflict, the same pages answer.
    other = staff_client(UserFactory(national=True))
    assert (
        other.get(reverse("laureates:followup_agreement", args=[agreement.pk])).status_code == 200
    )
    assert agreement.reference in body(other.get(reverse("laureates:followup_payments_csv")))


def test_reviewer_list_and_exports_leave_out_the_conflicted_file(call_files):
    _call, (mine, other, _third) = call_files
    national = UserFactory(national=True)
    declare(national, mine)
    client = staff_client(national)
    for name in ["reviews:list", "reviews:export_csv"]:
        page = body(client.get(reverse(name)))
        assert mine.reference not in page and other.reference in page, name


# --- independence ---------------------------------------------------------------------------


def test_sort_by_mean_does_not_place_files_awaiting_ones_evaluation(call_files):
    _call, files = call_files
    reviewer = UserFactory(reviewer=True, region_id=ARA)
    for application in files:
        Assignment.objects.create(application=application, reviewer=reviewer)
    client = staff_client(reviewer)
    by_reference = sorted(files, key=lambda a: a.reference)
    for sort in ["-mean", "mean", "-std_dev"]:
        page = body(client.get(reverse("reviews:list"), {"sort": sort}))
        positions = [page.index(a.reference) for a in by_reference]
        assert positions == sorted(positions), sort  # reference order: scores unknown
        csv = body(client.get(reverse("reviews:export_csv"), {"sort": sort}))
        positions = [csv.index(a.reference) for a in by_reference]
        assert positions == sorted(positions), sort
        assert "17.50" not in csv and "17,5" not in csv


def test_sort_by_mean_still_orders_for_the_national_cell(call_files):
    _call, (a, b, c) = call_files
    page = body(
        staff_client(UserFactory(national=True)).get(reverse("reviews:list"), {"sort": "-mean"})
    )
    assert page.index(c.reference) < page.index(a.reference) < page.index(b.reference)


def test_cell_lead_assigned_sees_no_figure_before_her_evaluation(call_files):
    _call, (mine, other, third) = call_files
    lead = UserFactory(cell_lead=True, region_id=ARA)
    Assignment.objects.create(application=mine, reviewer=lead)
    page = body(staff_client(lead).get(reverse("reviews:regional_ranking"), {"region": ARA}))
    assert mine.reference not in page
    assert f"Dossier masqué : {PENDING_NOTICE}" in page
    assert "15,25" not in page and "15.25" not in page
    # The visible files are numbered among themselves: third (17.50) first, other second.
    assert page.index(third.reference) < page.index(other.reference)


# --- remaining surfaces (simulations, minutes, letters, staff API, exports, PTCE status) -----


def pdf_text(content: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def _saved_simulation(call, name="Scénario"):
    from reviews import national
    from reviews.allocation import AllocationParameters

    result = national.simulate(call, AllocationParameters(envelope=Decimal("100000")))
    return national.save_simulation(call, name, result, actor=UserFactory(national=True))


def test_saved_simulation_masks_the_conflicted_file_and_stays_complete(call_files):
    call, (mine, other, third) = call_files
    simulation = _saved_simulation(call)
    national = UserFactory(national=True)
    declare(national, mine)
    page = body(staff_client(national).get(reverse("reviews:simulation", args=[simulation.pk])))
    assert mine.reference not in page
    assert other.reference in page and third.reference in page
    assert page.count(f"Dossier masqué : {CONFLICT_NOTICE}") == 1
    colleague = body(
        staff_client(UserFactory(national=True)).get(
            reverse("reviews:simulation", args=[simulation.pk])
        )
    )
    assert mine.reference in colleague and "Dossier masqué" not in colleague


def test_simulation_run_on_the_consolidation_page_masks_the_conflicted_file(call_files):
    call, (mine, other, _third) = call_files
    national = UserFactory(national=True)
    declare(national, mine)
    response = staff_client(national).post(
        reverse("reviews:national"), {"call": call.pk, "envelope": "100 000"}
    )
    page = body(response)
    assert mine.reference not in page and other.reference in page
    # One masked row in the national ranking, one in the simulated allocation.
    assert page.count(f"Dossier masqué : {CONFLICT_NOTICE}") == 2


def test_simulation_comparison_masks_the_conflicted_file(call_files):
    from reviews.allocation import Outcome

    call, (mine, other, _third) = call_files
    a = _saved_simulation(call, "A")
    b = _saved_simulation(call, "B")
    # B differs from A on every file: each would be a line of the comparison.
    b.result = {
        **b.result,
        "decisions": [
            {**row, "outcome": Outcome.WAITING_LIST.value, "granted_amount": "0"}
            for row in b.result["decisions"]
        ],
    }
    b.save()
    national = UserFactory(national=True)
    declare(national, mine)
    page = body(
        staff_client(national).get(
            reverse("reviews:simulations"), {"call": call.pk, "a": a.pk, "b": b.pk}
        )
    )
    assert mine.reference not in page and other.reference in page
    assert page.count(f"Dossier masqué : {CONFLICT_NOTICE}") == 1


def test_committee_minutes_pdf_masks_the_conflicted_row(call_files):
    call, (mine, other, _third) = call_files
    session = _reviewed_session(call, [mine, other])
    Decision.objects.create(
        session=session, application=mine, decision="rejected", reasons="Budget de Mine"
    )
    Decision.objects.create(session=session, application=other, decision="rejected", reasons="Zz")
    national = UserFactory(national=True)
    declare(national, mine)
    response = staff_client(national).get(reverse("reviews:minutes", args=[session.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert mine.reference not in text and "Budget de Mine" not in text
    assert other.reference in text
    assert f"Dossier masqué : {CONFLICT_NOTICE}" in text.replace("\n", " ")
    assert "Dossiers examinés : 2" in text  # the minutes stay complete
    colleague = staff_client(UserFactory(national=True))
    full = pdf_text(colleague.get(reverse("reviews:minutes", args=[session.pk])).content)
    assert mine.reference in full and "Dossier masqué" not in full


def test_decision_letter_is_refused_to_a_conflicted_national_member(call_files):
    from django.utils import timezone

    call, (mine, _other, _third) = call_files
    session = _reviewed_session(call, [mine])
    Decision.objects.create(session=session, application=mine, decision="rejected", reasons="x")
    session.published_at = timezone.now()
    session.save()
    url = reverse("reviews:decision_letter", args=[mine.uuid])
    national = UserFactory(national=True)
    declare(national, mine)
    assert staff_client(national).get(url).status_code == 404
    assert staff_client(UserFactory(national=True)).get(url).status_code == 200


def test_agreement_letter_preview_never_uses_a_conflicted_agreement():
    from editorial import services as editorial_services
    from editorial.defaults import LetterKind

    kept = funded_award(owner=UserFactory()).agreement
    conflicted = funded_award(owner=UserFactory()).agreement  # the latest: the usual example
    national = UserFactory(national=True)
    declare(national, conflicted.award.application)
    form = {**editorial_services.letter_content(LetterKind.AGREEMENT), "revision": 0}
    url = reverse("editorial:letter_preview", args=["agreement"])
    text = pdf_text(staff_client(national).post(url, form).content)
    assert conflicted.award.application.pole_name not in text
    assert kept.award.application.pole_name in text
    colleague = pdf_text(staff_client(UserFactory(national=True)).post(url, form).content)
    assert conflicted.award.application.pole_name in colleague


def test_staff_api_leaves_out_the_awards_of_conflicted_files():
    from directory.tokens import issue_token

    kept = funded_award(owner=UserFactory())
    conflicted = funded_award(owner=UserFactory())
    for n, award in enumerate([kept, conflicted]):  # decided files, as after a committee
        award.application.status = ApplicationStatus.ACCEPTED
        award.application.reference = f"PTCE-2026-09{n}"
        award.application.save(update_fields=["status", "reference"])
    national = UserFactory(national=True)
    declare(national, conflicted.application)
    _token, raw = issue_token(national, name="tableau de bord")
    response = Client().get("/api/v1/staff/awards", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    references = {row["dossier_reference"] for row in response.json()["results"]}
    assert references == {kept.application.reference}


@pytest.mark.parametrize("name", ["reviews:export_xlsx", "reviews:export_ods"])
def test_spreadsheet_exports_leave_out_the_conflicted_file(call_files, name):
    import zipfile
    from io import BytesIO

    _call, (mine, other, _third) = call_files
    national = UserFactory(national=True)
    declare(national, mine)
    response = staff_client(national).get(reverse(name))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    archive = zipfile.ZipFile(BytesIO(content))
    xml = "".join(
        archive.read(item).decode("utf-8", "replace")
        for item in archive.namelist()
        if item.endswith(".xml")
    )
    assert mine.reference not in xml and other.reference in xml


def test_ptce_status_page_does_not_list_the_conflicted_agreement(agreement):
    national = UserFactory(national=True)
    declare(national, agreement.award.application)
    url = reverse("laureates:ptce_status", args=[agreement.ptce_id])
    page = body(staff_client(national).get(url))
    assert agreement.reference not in page
    assert agreement.reference in body(staff_client(UserFactory(national=True)).get(url))


def test_audit_journal_leaves_out_the_entries_about_a_conflicted_file():
    from core.models import AuditLog

    award = funded_award()
    mine = award.application
    national = UserFactory(national=True)
    declare(national, mine)
    about_mine = AuditLog.objects.filter(
        object_type__in=["applications.application", "laureates.award", "laureates.agreement"],
        object_id__in=[str(mine.pk), str(award.pk), str(award.agreement.pk)],
    )
    assert about_mine.count() >= 2
    client = staff_client(national)
    shown = body(client.get(reverse("backoffice:audit_list")))
    colleague = body(staff_client(UserFactory(national=True)).get(reverse("backoffice:audit_list")))
    for entry in about_mine:
        marker = f'<th scope="row">{entry.sequence}</th>'
        assert marker not in shown
        assert marker in colleague

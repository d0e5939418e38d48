"""Laureate space and staff follow-up pages, through HTTP."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import UserFactory, login_staff
from core.models import AuditLog
from laureates import followup
from laureates.factories import funded_award
from laureates.models import Ptce
from laureates.models_followup import Payment, Report, ReportKind, ReportStatus

pytestmark = pytest.mark.django_db
D = Decimal

INDICATORS = dict.fromkeys(followup.INDICATOR_CODES, "3")


def _laureate():
    award = funded_award(amount="80000")
    return award.agreement, award.application.owner


def _report_post(**changes):
    return {"narrative": "Une année de coopération.", **INDICATORS, **changes}


def test_laureate_space_shows_next_steps_agreement_payments_and_reports(client):
    agreement, owner = _laureate()
    client.force_login(owner)
    page = client.get(reverse("laureates:space")).content.decode()
    assert agreement.ptce.name in page
    assert f"Signer la convention {agreement.reference}" in page
    assert "Télécharger la convention" in page
    assert "La convention n’est pas encore signée" in page
    assert "Vous inscrire à une offre du bouquet de services" in page
    assert reverse("laureates:report_edit", args=[agreement.reports.first().pk]) in page
    followup.sign_agreement(agreement, datetime.date(2026, 2, 1), actor=UserFactory(national=True))
    page = client.get(reverse("laureates:space")).content.decode()
    assert f"Signer la convention {agreement.reference}" not in page
    assert "Versement bloqué : le bilan intermédiaire n’a pas encore été transmis." in page
    assert "Prêt à être versé" in page


def test_space_without_ptce_explains_and_links_nothing(client):
    client.force_login(UserFactory())
    page = client.get(reverse("laureates:space")).content.decode()
    assert "rattaché à aucun PTCE lauréat" in page


def test_space_is_for_signed_in_users(client):
    response = client.get(reverse("laureates:space"))
    assert response.status_code == 302 and "/compte/" in response["Location"]


def test_laureate_downloads_own_agreement_pdf_but_not_another_ptce_one(client):
    agreement, owner = _laureate()
    other, _ = _laureate()
    client.force_login(owner)
    response = client.get(reverse("laureates:agreement_pdf", args=[agreement.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(reverse("laureates:agreement_pdf", args=[other.pk])).status_code == 404
    other_report = other.reports.first()
    assert client.get(reverse("laureates:report_edit", args=[other_report.pk])).status_code == 404
    response = client.post(reverse("laureates:report_edit", args=[other_report.pk]), _report_post())
    assert response.status_code == 404
    url = reverse("laureates:agreement_acknowledge", args=[other.pk])
    assert client.post(url).status_code == 404
    other_report.refresh_from_db()
    assert other_report.status == ReportStatus.EXPECTED


def test_laureate_acknowledges_the_agreement_once(client):
    agreement, owner = _laureate()
    client.force_login(owner)
    url = reverse("laureates:agreement_acknowledge", args=[agreement.pk])
    client.post(url)
    client.post(url)
    agreement.refresh_from_db()
    assert agreement.acknowledged_by == owner
    assert AuditLog.objects.filter(action="laureates.agreement_acknowledged").count() == 1


def test_laureate_submits_a_report_then_a_second_submit_is_refused(client):
    agreement, owner = _laureate()
    report = agreement.reports.get(kind=ReportKind.INTERIM)
    client.force_login(owner)
    url = reverse("laureates:report_edit", args=[report.pk])
    page = client.get(url).content.decode()
    assert "Membres du pôle par catégorie" in page and "Cofinancements obtenus" in page
    response = client.post(url, _report_post(jobs_created_fte="1,5"), follow=True)
    assert "Bilan intermédiaire transmis" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.indicators["jobs_created_fte"] == "1.5"
    response = client.post(url, _report_post(narrative="Autre texte"), follow=True)
    assert "ne peut pas être transmis une seconde fois" in response.content.decode()
    report.refresh_from_db()
    assert (report.narrative, report.submission_count) == ("Une année de coopération.", 1)
    assert "Transmettre le bilan" not in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("volunteers", "-3", "La valeur ne peut pas être négative."),
        ("turnover", "douze mille", "Saisissez un nombre"),
        ("people_reached", "4.5", "Saisissez un nombre entier."),
    ],
)
def test_bad_indicators_are_shown_next_to_their_field_and_nothing_is_saved(
    client, field, value, message
):
    agreement, owner = _laureate()
    report = agreement.reports.first()
    client.force_login(owner)
    response = client.post(
        reverse("laureates:report_edit", args=[report.pk]), _report_post(**{field: value})
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'aria-describedby="id_{field}-desc-error"' in page  # error tied to its field
    assert f'id="id_{field}-desc-error"' in page
    report.refresh_from_db()
    assert report.status == ReportStatus.EXPECTED and report.indicators == {}


def test_national_cell_signs_records_payments_and_is_refused_above_the_award(client):
    agreement, _ = _laureate()
    national = UserFactory(national=True)
    login_staff(client, national)
    detail = reverse("laureates:followup_agreement", args=[agreement.pk])
    page = client.get(detail).content.decode()
    assert "Enregistrer la signature" in page
    response = client.post(
        reverse("laureates:followup_sign", args=[agreement.pk]),
        {"signed_on": "2026-02-01"},
        follow=True,
    )
    assert "Signature de la convention" in response.content.decode()
    first, second = agreement.payments.order_by("position")
    url = reverse("laureates:followup_payment", args=[first.pk])
    prefix = f"tranche-{first.pk}"
    response = client.post(
        url, {f"{prefix}-amount": "80000.01", f"{prefix}-paid_on": "2026-03-01"}, follow=True
    )
    assert "au-delà de la subvention accordée" in response.content.decode()
    response = client.post(
        url, {f"{prefix}-amount": "40000", f"{prefix}-paid_on": "2026-03-01"}, follow=True
    )
    assert "Versement « À la signature » enregistré." in response.content.decode()
    prefix = f"tranche-{second.pk}"
    response = client.post(
        reverse("laureates:followup_payment", args=[second.pk]),
        {f"{prefix}-amount": "40000", f"{prefix}-paid_on": "2026-03-01"},
        follow=True,
    )
    assert "le bilan intermédiaire n’a pas encore été transmis" in response.content.decode()
    assert list(Payment.objects.filter(paid_on__isnull=False).values_list("pk", flat=True)) == [
        first.pk
    ]


def test_national_cell_asks_for_changes_then_laureate_resubmits_and_it_is_accepted(client):
    agreement, owner = _laureate()
    report = agreement.reports.get(kind=ReportKind.INTERIM)
    followup.submit_report(report, narrative="Premier jet", indicators=INDICATORS, user=owner)
    national = UserFactory(national=True)
    login_staff(client, national)
    url = reverse("laureates:followup_report", args=[report.pk])
    response = client.post(url, {"decision": "changes", "comment": ""})
    assert response.status_code == 400
    assert "Précisez les compléments attendus." in response.content.decode()
    client.post(url, {"decision": "changes", "comment": "Ventilez les ETP."})
    report.refresh_from_db()
    assert report.status == ReportStatus.CHANGES_REQUESTED
    client.force_login(owner)
    edit = reverse("laureates:report_edit", args=[report.pk])
    assert "Ventilez les ETP." in client.get(edit).content.decode()
    client.post(edit, _report_post(narrative="Version complétée"))
    report.refresh_from_db()
    assert (report.status, report.submission_count) == (ReportStatus.SUBMITTED, 2)
    login_staff(client, national)
    client.post(url, {"decision": "accept", "comment": ""})
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED


def test_regional_cell_reads_its_region_only_and_cannot_act(client):
    agreement, _ = _laureate()
    ptce = Ptce.objects.get(pk=agreement.ptce_id)
    assert ptce.main_region_id == "84"  # Monts du Lyonnais
    reviewer = UserFactory(reviewer=True, region_id="84")
    login_staff(client, reviewer)
    assert agreement.reference in client.get(reverse("laureates:followup_list")).content.decode()
    detail = client.get(reverse("laureates:followup_agreement", args=[agreement.pk]))
    assert detail.status_code == 200
    assert "Enregistrer la signature" not in detail.content.decode()
    assert client.get(reverse("laureates:agreement_pdf", args=[agreement.pk])).status_code == 200
    sign = client.post(
        reverse("laureates:followup_sign", args=[agreement.pk]), {"signed_on": "2026-02-01"}
    )
    assert sign.status_code == 403
    report = agreement.reports.first()
    assert (
        client.post(
            reverse("laureates:followup_report", args=[report.pk]), {"decision": "accept"}
        ).status_code
        == 403
    )
    other = UserFactory(reviewer=True, region_id="32")
    login_staff(client, other)
    assert (
        agreement.reference not in client.get(reverse("laureates:followup_list")).content.decode()
    )
    assert (
        client.get(reverse("laureates:followup_agreement", args=[agreement.pk])).status_code == 404
    )
    assert client.get(reverse("laureates:agreement_pdf", args=[agreement.pk])).status_code == 404


def test_staff_pages_refuse_candidates_and_committee(client):
    agreement, owner = _laureate()
    for user in (owner, UserFactory(committee=True)):
        login_staff(client, user) if user.role != "candidate" else client.force_login(user)
        assert client.get(reverse("laureates:followup_list")).status_code == 403
        assert client.get(reverse("laureates:followup_overdue")).status_code == 403
        url = reverse("laureates:followup_agreement", args=[agreement.pk])
        assert client.get(url).status_code == 403
    response = client.get(reverse("laureates:followup_list"))
    assert response.status_code == 403


def test_overdue_page_lists_late_reports(client):
    agreement, _ = _laureate()
    Report.objects.filter(agreement=agreement, kind=ReportKind.INTERIM).update(
        due_on=datetime.date(2026, 1, 31)
    )
    login_staff(client, UserFactory(national=True))
    page = client.get(reverse("laureates:followup_overdue")).content.decode()
    assert agreement.ptce.name in page and "Bilan intermédiaire" in page and "31/01/2026" in page


def test_followup_list_constant_queries(client):
    login_staff(client, UserFactory(national=True))
    _laureate()
    url = reverse("laureates:followup_list")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(4):
        agreement, owner = _laureate()
        followup.submit_report(
            agreement.reports.first(), narrative="Bilan", indicators=INDICATORS, user=owner
        )
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    page = response.content.decode()
    assert page.count("CONV-") >= 5
    assert "Bilans à examiner" in page and page.count("transmis le") == 4


def test_award_without_agreement_can_be_drawn_up_from_the_list(client):
    award = funded_award()
    award.agreement.payments.all().delete()
    award.agreement.reports.all().delete()
    award.agreement.delete()
    login_staff(client, UserFactory(national=True))
    page = client.get(reverse("laureates:followup_list")).content.decode()
    assert "Établir la convention" in page
    response = client.post(reverse("laureates:followup_generate", args=[award.pk]), follow=True)
    assert "établie" in response.content.decode()
    award.refresh_from_db()
    assert award.agreement.payments.count() == 2


def test_national_cell_closes_a_pole_with_a_reason_through_the_status_page(client):
    from laureates.factories import PtceFactory
    from laureates.models import PtceStatus, PtceStatusChange

    ptce = PtceFactory(status=PtceStatus.ACTIVE, name="Pôle du plateau")
    national = UserFactory(national=True)
    login_staff(client, national)
    url = reverse("laureates:ptce_status", args=[ptce.pk])
    page = client.get(url).content.decode()
    assert "Inactif" in page and "Financé" in page
    response = client.post(url, {"to": "inactive", "reason": ""})
    assert response.status_code == 400
    assert "Un motif est obligatoire" in response.content.decode()
    response = client.post(url, {"to": "emerging", "reason": "x"})
    assert response.status_code == 400  # not in the table: not even offered
    client.post(url, {"to": "inactive", "reason": "Association dissoute en AG"})
    ptce.refresh_from_db()
    assert ptce.status == PtceStatus.INACTIVE
    change = PtceStatusChange.objects.get(ptce=ptce)
    assert (change.reason, change.actor) == ("Association dissoute en AG", national)
    assert "Association dissoute en AG" in client.get(url).content.decode()
    for user in (UserFactory(reviewer=True), UserFactory()):
        login_staff(client, user) if user.role != "candidate" else client.force_login(user)
        assert client.get(url).status_code == 403


def test_account_page_links_laureates_and_staff_to_their_follow_up(client):
    client.force_login(UserFactory())
    assert reverse("laureates:space") in client.get(reverse("accounts:dashboard")).content.decode()
    login_staff(client, UserFactory(national=True))
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("laureates:followup_list") in page


def test_overdue_page_constant_queries(client):
    login_staff(client, UserFactory(national=True))
    url = reverse("laureates:followup_overdue")

    def late():
        agreement, _ = _laureate()
        agreement.reports.update(due_on=datetime.date(2026, 1, 31))

    late()
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(3):
        late()
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.content.decode().count("31/01/2026") == 8


def test_laureate_space_constant_queries_whatever_the_number_of_poles(client):
    owner = UserFactory()
    funded_award(owner=owner)
    client.force_login(owner)
    url = reverse("laureates:space")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(3):
        funded_award(owner=owner)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.content.decode().count("Télécharger la convention CONV-") == 4


def test_regional_reviewer_with_a_conflict_of_interest_does_not_see_the_agreement(client):
    from reviews.models import ConflictOfInterest

    agreement, _ = _laureate()
    reviewer = UserFactory(reviewer=True, region_id="84")
    ConflictOfInterest.objects.create(
        reviewer=reviewer,
        application=agreement.award.application,
        source="declared",
        reason="Administrateur",
    )
    login_staff(client, reviewer)
    assert (
        agreement.reference not in client.get(reverse("laureates:followup_list")).content.decode()
    )
    url = reverse("laureates:followup_agreement", args=[agreement.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("laureates:agreement_pdf", args=[agreement.pk])).status_code == 404


def test_payments_export_is_scoped_audited_and_neutralises_formulas(client):
    agreement, _ = _laureate()
    Ptce.objects.filter(pk=agreement.ptce_id).update(name="=HYPERLINK(1)")
    other = funded_award()
    Ptce.objects.filter(pk=other.ptce_id).update(main_region_id="32")
    login_staff(client, UserFactory(reviewer=True, region_id="84"))
    response = client.get(reverse("laureates:followup_payments_csv"))
    content = b"".join(response.streaming_content).decode()
    lines = content.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Convention;PTCE;Région")
    assert len(lines) == 3  # header + two tranches of the Auvergne-Rhône-Alpes agreement
    assert "'=HYPERLINK(1)" in content and other.agreement.reference not in content
    assert "La convention n’est pas encore signée" in lines[1]
    assert AuditLog.objects.filter(action="laureates.payments_exported").count() == 1
    client.force_login(UserFactory())
    assert client.get(reverse("laureates:followup_payments_csv")).status_code == 403

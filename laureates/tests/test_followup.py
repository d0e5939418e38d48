"""Agreements, payments, reports and reminders of phase-2 laureates (services)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from accounts.factories import UserFactory
from core.models import AuditLog, OutboundEmail
from laureates import followup
from laureates.factories import PtceFactory, funded_award
from laureates.models import Ptce, PtceStatus, PtceStatusChange
from laureates.models_followup import Agreement, Payment, PaymentTrigger, ReportKind, ReportStatus
from laureates.models_support import PtceContact

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = datetime.date(2026, 11, 26)


def _memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and "mode=memory" in str(
        connection.settings_dict.get("NAME", "")
    )


INDICATORS = dict.fromkeys(followup.INDICATOR_CODES, "1") | {
    "jobs_created_fte": "2,5",
    "turnover": "120000.50",
}


def _accept(report, national):
    owner = report.agreement.award.application.owner
    followup.submit_report(report, narrative="Année riche.", indicators=INDICATORS, user=owner)
    report.refresh_from_db()
    return followup.review_report(report, accept=True, actor=national)


# --- rounding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "shares", "expected"),
    [
        ("80000", [50, 50], ["40000.00", "40000.00"]),
        ("100000.01", [50, 50], ["50000.00", "50000.01"]),
        ("10000.01", [33.33, 33.33, 33.34], ["3333.00", "3333.00", "3334.01"]),
        ("100000", [33.3, 33.3, 33.4], ["33300.00", "33300.00", "33400.00"]),
        ("99999.99", [12.5, 12.5, 25, 50], ["12499.99", "12499.99", "24999.99", "50000.02"]),
        ("0.05", [50, 50], ["0.02", "0.03"]),
        ("1", [100], ["1.00"]),
    ],
)
def test_split_rounds_down_to_the_cent_and_puts_the_remainder_on_the_last_tranche(
    amount, shares, expected
):
    parts = followup.split_amount(D(amount), shares)
    assert parts == [D(value) for value in expected]
    assert sum(parts) == D(amount).quantize(D("0.01"))


def test_split_always_adds_up_on_many_awkward_amounts():
    shares = [33.33, 33.33, 33.34]
    for cents in range(100000001, 100000400, 7):
        amount = D(cents) / 100
        assert sum(followup.split_amount(amount, shares)) == amount


def test_split_refuses_shares_not_adding_up_to_100():
    with pytest.raises(ValueError):
        followup.split_amount(D("1000"), [50, 40])


def test_add_months_clamps_to_the_end_of_month():
    assert followup.add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert followup.add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)


# --- agreement generation ----------------------------------------------------------------------


def test_phase_two_award_generates_agreement_tranches_and_reports_from_the_template():
    award = funded_award(amount="80000.01")
    agreement = award.agreement
    assert agreement.amount == D("80000.01")
    assert (agreement.starts_on, agreement.duration_months) == (datetime.date(2026, 1, 15), 24)
    reports = list(agreement.reports.values_list("kind", "due_on"))
    assert reports == [
        (ReportKind.INTERIM, datetime.date(2027, 3, 15)),  # 12 months + 2
        (ReportKind.FINAL, datetime.date(2028, 3, 15)),  # 24 months + 2
    ]
    first, second = agreement.payments.order_by("position")
    assert (first.trigger, first.planned_amount, first.prerequisite_report) == (
        PaymentTrigger.SIGNATURE,
        D("40000.00"),
        None,
    )
    assert second.planned_amount == D("40000.01")
    assert second.prerequisite_report.kind == ReportKind.INTERIM
    assert second.planned_on == datetime.date(2027, 4, 15)
    assert AuditLog.objects.filter(action="laureates.agreement_created").count() == 1


@pytest.mark.parametrize(
    "template",
    [[], None, "n’importe quoi", [{"label": "A", "share": 60}], [{"label": "A", "share": "x"}]],
)
def test_missing_or_malformed_template_gives_one_tranche_at_signature(template):
    [tranche] = followup.normalise_schedule(template)
    assert (tranche.share, tranche.trigger) == (D(100), PaymentTrigger.SIGNATURE)


def test_tranches_without_trigger_follow_their_position():
    template = [{"label": f"T{n}", "share": 25} for n in range(4)]
    triggers = [t.trigger for t in followup.normalise_schedule(template)]
    assert triggers == ["signature", "interim_report", "interim_report", "final_report"]


def test_yearly_instalments_need_the_previous_yearly_report():
    schedule = [
        {"label": "Première année", "share": 40, "trigger": "year_1"},
        {"label": "Deuxième année", "share": 30, "trigger": "year_2"},
        {"label": "Troisième année", "share": 30, "trigger": "year_3"},
    ]
    agreement = funded_award(amount="100000", schedule=schedule, duration=36).agreement
    assert list(agreement.reports.values_list("kind", "year")) == [
        ("yearly", 1),
        ("yearly", 2),
        ("final", 0),
    ]
    payments = list(agreement.payments.select_related("prerequisite_report"))
    assert [p.planned_amount for p in payments] == [D("40000"), D("30000"), D("30000")]
    assert payments[0].prerequisite_report is None
    assert [(p.prerequisite_report.kind, p.prerequisite_report.year) for p in payments[1:]] == [
        ("yearly", 1),
        ("yearly", 2),
    ]


def test_creating_the_award_twice_keeps_one_agreement_and_follows_a_new_amount():
    award = funded_award(amount="60000")
    from laureates.services import create_award

    create_award(award.application, phase="funding", amount=D("70000.03"))
    agreement = Agreement.objects.get()
    assert agreement.amount == D("70000.03")
    assert [p.planned_amount for p in agreement.payments.all()] == [D("35000.01"), D("35000.02")]


def test_phase_one_award_has_no_agreement_and_links_the_owner_as_contact():
    from applications.factories import ApplicationFactory
    from laureates.services import create_award

    application = ApplicationFactory(pole_name="Pôle émergent")
    award = create_award(application, phase="emergence")
    assert not Agreement.objects.exists()
    assert PtceContact.objects.filter(ptce=award.ptce, user=application.owner).exists()
    assert followup.laureate_ptces(application.owner).get() == award.ptce


# --- lifecycle ---------------------------------------------------------------------------------


def test_phase_two_award_moves_an_emerging_pole_to_funded_through_the_service():
    award = funded_award()
    ptce = award.ptce
    assert ptce.status == PtceStatus.FUNDED
    assert list(ptce.status_changes.values_list("from_status", "to_status")) == [("", "funded")]
    # the same pole labelled earlier in phase 1, then funded: history and audit of the change
    emerging = PtceFactory(status=PtceStatus.EMERGING, lead_organisation_siret="")
    from applications.factories import ApplicationFactory
    from laureates.services import create_award

    application = ApplicationFactory(pole_name="Pôle à financer")
    first = create_award(application, phase="emergence")
    assert first.ptce.status == PtceStatus.EMERGING
    second = create_award(application, phase="funding", amount=D("50000"))
    pole = Ptce.objects.get(pk=second.ptce_id)
    assert pole.pk == first.ptce_id and pole.status == PtceStatus.FUNDED
    steps = list(pole.status_changes.values_list("from_status", "to_status", "reason"))
    assert steps[-1][:2] == ("emerging", "funded")
    assert "phase 2" in steps[-1][2].lower() or "financement" in steps[-1][2].lower()
    entry = AuditLog.objects.filter(action="ptce.status_changed").last()
    assert entry.after["status"] == "funded"
    assert emerging.status == PtceStatus.EMERGING


def test_phase_one_label_never_moves_an_active_pole_backwards():
    from applications.factories import ApplicationFactory
    from laureates.services import create_award

    application = ApplicationFactory(pole_name="Pôle actif")
    award = create_award(application, phase="funding", amount=D("50000"))
    Ptce.objects.filter(pk=award.ptce_id).update(status=PtceStatus.ACTIVE)
    create_award(application, phase="emergence")
    assert Ptce.objects.get(pk=award.ptce_id).status == PtceStatus.ACTIVE


def test_accepting_the_final_report_makes_the_funded_pole_active():
    national = UserFactory(national=True)
    agreement = funded_award().agreement
    for report in agreement.reports.all():
        _accept(report, national)
    ptce = Ptce.objects.get(pk=agreement.ptce_id)
    assert ptce.status == PtceStatus.ACTIVE
    assert PtceStatusChange.objects.filter(ptce=ptce).last().reason.startswith("Bilan final")


# --- signature and payments --------------------------------------------------------------------


def test_signature_recorded_once_by_the_national_cell_and_audited():
    national = UserFactory(national=True)
    agreement = funded_award().agreement
    with pytest.raises(PermissionDenied):
        followup.sign_agreement(agreement, datetime.date(2026, 2, 1), actor=UserFactory())
    with pytest.raises(followup.FollowUpRefused, match="futur"):
        followup.sign_agreement(agreement, datetime.date(2099, 1, 1), actor=national)
    with pytest.raises(followup.FollowUpRefused, match="précéder la décision"):
        followup.sign_agreement(agreement, datetime.date(2025, 1, 1), actor=national)
    followup.sign_agreement(agreement, datetime.date(2026, 2, 1), actor=national)
    first = agreement.payments.get(position=1)
    assert first.planned_on == datetime.date(2026, 3, 1)
    with pytest.raises(followup.FollowUpRefused, match="déjà signée"):
        followup.sign_agreement(agreement, datetime.date(2026, 2, 2), actor=national)
    entry = AuditLog.objects.get(action="laureates.agreement_signed")
    assert entry.after == {"signed_on": "2026-02-01"} and entry.actor == national


def test_payment_blocked_until_signature_then_until_interim_report_accepted():
    national = UserFactory(national=True)
    agreement = funded_award().agreement
    first, second = agreement.payments.order_by("position")
    with pytest.raises(followup.FollowUpRefused, match="pas encore signée"):
        followup.record_payment(first, amount="40000", paid_on=TODAY, actor=national)
    followup.sign_agreement(agreement, datetime.date(2026, 2, 1), actor=national)
    followup.record_payment(
        first, amount="40000,00", paid_on=datetime.date(2026, 3, 2), actor=national
    )
    first.refresh_from_db()
    assert (first.paid_amount, first.paid_on) == (D("40000"), datetime.date(2026, 3, 2))
    with pytest.raises(followup.FollowUpRefused, match="déjà été versée"):
        followup.record_payment(first, amount="1", paid_on=TODAY, actor=national)
    with pytest.raises(followup.FollowUpRefused, match="bilan intermédiaire n’a pas encore été"):
        followup.record_payment(second, amount="40000", paid_on=TODAY, actor=national)
    report = second.prerequisite_report
    owner = agreement.award.application.owner
    followup.submit_report(report, narrative="Bilan", indicators=INDICATORS, user=owner)
    with pytest.raises(followup.FollowUpRefused, match="transmis mais pas encore accepté"):
        followup.record_payment(second, amount="40000", paid_on=TODAY, actor=national)
    followup.review_report(report, accept=False, comment="Chiffres manquants", actor=national)
    with pytest.raises(followup.FollowUpRefused, match="compléments demandés"):
        followup.record_payment(second, amount="40000", paid_on=TODAY, actor=national)
    report.refresh_from_db()
    followup.submit_report(report, narrative="Bilan complété", indicators=INDICATORS, user=owner)
    followup.review_report(report, accept=True, actor=national)
    followup.record_payment(second, amount="40000", paid_on=TODAY, actor=national)
    assert AuditLog.objects.filter(action="laureates.payment_recorded").count() == 2


def test_payment_above_the_award_is_refused():
    national = UserFactory(national=True)
    agreement = funded_award(amount="80000").agreement
    followup.sign_agreement(agreement, datetime.date(2026, 2, 1), actor=national)
    first = agreement.payments.get(position=1)
    with pytest.raises(followup.FollowUpRefused, match="au-delà de la subvention accordée"):
        followup.record_payment(first, amount="80000.01", paid_on=TODAY, actor=national)
    for bad in ("-5", "0", "abc", "1.001", "NaN", "Infinity"):
        with pytest.raises(followup.FollowUpRefused, match="nombre positif"):
            followup.record_payment(first, amount=bad, paid_on=TODAY, actor=national)
    with pytest.raises(followup.FollowUpRefused, match="futur"):
        followup.record_payment(
            first, amount="1", paid_on=datetime.date(2099, 1, 1), actor=national
        )
    with pytest.raises(PermissionDenied):
        followup.record_payment(first, amount="1", paid_on=TODAY, actor=UserFactory(reviewer=True))
    assert not Payment.objects.filter(paid_on__isnull=False).exists()


def test_overdue_report_blocks_the_next_payment():
    national = UserFactory(national=True)
    schedule = [
        {"label": "Première année", "share": 50, "trigger": "year_1"},
        {"label": "Deuxième année", "share": 50, "trigger": "year_2"},
    ]
    agreement = funded_award(schedule=schedule, duration=24).agreement
    followup.sign_agreement(agreement, datetime.date(2026, 2, 1), actor=national)
    first = agreement.payments.get(position=1)
    late_day = datetime.date(2027, 4, 1)  # yearly report 1 was due 15 March 2027
    reason = followup.payment_blocker(first, today=late_day)
    assert "en retard" in reason and "15/03/2027" in reason
    assert followup.payment_blocker(first, today=datetime.date(2027, 3, 1)) == ""


@pytest.mark.django_db(transaction=True)
def test_two_staff_recording_the_last_tranche_at_once_never_overpay():
    if _memory_sqlite():
        pytest.skip("Base SQLite en mémoire : pas d’accès concurrent réel (testé sur PostgreSQL).")
    national = UserFactory(national=True)
    agreement = funded_award(amount="1000", schedule=[]).agreement
    followup.sign_agreement(agreement, datetime.date(2026, 2, 1), actor=national)
    payment = agreement.payments.get()
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt():
        try:
            barrier.wait(timeout=10)
            followup.record_payment(payment, amount="1000", paid_on=TODAY, actor=national)
            outcomes.append("ok")
        except followup.FollowUpRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Payment.objects.get().paid_amount == D("1000")


# --- reports -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("volunteers", "-1", "négative"),
        ("turnover", "-0.01", "négative"),
        ("people_reached", "beaucoup", "nombre"),
        ("jobs_created_fte", "1e", "nombre"),
        ("projects_launched", "2.5", "entier"),
        ("jobs_maintained_fte", "1.234", "Deux décimales"),
        ("members_ess_enterprise", "", "Indiquez une valeur"),
        ("cofinancing_eu_funds", "NaN", "nombre"),
        ("turnover", "1e30", "trop grande"),
    ],
)
def test_report_indicators_refused_when_negative_non_numeric_or_missing(code, value, message):
    agreement = funded_award().agreement
    report = agreement.reports.first()
    owner = agreement.award.application.owner
    with pytest.raises(ValidationError) as error:
        followup.submit_report(
            report, narrative="Texte", indicators={**INDICATORS, code: value}, user=owner
        )
    assert message in error.value.message_dict[code][0]
    report.refresh_from_db()
    assert report.status == ReportStatus.EXPECTED and report.indicators == {}


def test_report_submitted_twice_is_refused_and_kept_as_first_sent():
    agreement = funded_award().agreement
    report = agreement.reports.first()
    owner = agreement.award.application.owner
    followup.submit_report(report, narrative="Premier envoi", indicators=INDICATORS, user=owner)
    with pytest.raises(followup.FollowUpRefused, match="une seconde fois"):
        followup.submit_report(report, narrative="Second envoi", indicators=INDICATORS, user=owner)
    report.refresh_from_db()
    assert (report.narrative, report.submission_count) == ("Premier envoi", 1)
    assert report.indicators["jobs_created_fte"] == "2.5"
    assert report.indicators["volunteers"] == "1"


def test_someone_else_cannot_submit_the_report():
    agreement = funded_award().agreement
    with pytest.raises(PermissionDenied):
        followup.submit_report(
            agreement.reports.first(), narrative="x", indicators=INDICATORS, user=UserFactory()
        )


def test_changes_requested_need_a_comment_and_email_the_laureate(
    django_capture_on_commit_callbacks,
):
    national = UserFactory(national=True)
    agreement = funded_award().agreement
    report = agreement.reports.first()
    owner = agreement.award.application.owner
    followup.submit_report(report, narrative="Bilan", indicators=INDICATORS, user=owner)
    with pytest.raises(followup.FollowUpRefused, match="compléments attendus"):
        followup.review_report(report, accept=False, comment=" ", actor=national)
    followup.review_report(report, accept=False, comment="Détaillez les ETP.", actor=national)
    report.refresh_from_db()
    assert report.status == ReportStatus.CHANGES_REQUESTED
    email = OutboundEmail.objects.get(template="report_reviewed")
    assert email.to == [owner.email]
    assert "Détaillez les ETP." in email.body
    with pytest.raises(followup.FollowUpRefused, match="Seul un bilan transmis"):
        followup.review_report(report, accept=True, actor=national)


# --- reminders ---------------------------------------------------------------------------------


def test_reminders_before_and_after_the_due_date_sent_once_per_stage():
    agreement = funded_award().agreement
    interim = agreement.reports.get(kind=ReportKind.INTERIM)  # due 15 March 2027
    contact = UserFactory()
    PtceContact.objects.create(ptce=agreement.ptce, user=contact)
    assert followup.send_report_reminders(today=datetime.date(2027, 2, 1)) == 0
    followup.send_report_reminders(today=datetime.date(2027, 3, 5))
    followup.send_report_reminders(today=datetime.date(2027, 3, 6))  # same stage: no new mail
    followup.send_report_reminders(today=datetime.date(2027, 3, 20))
    followup.send_report_reminders(today=datetime.date(2027, 4, 20))
    followup.send_report_reminders(today=datetime.date(2027, 4, 21))
    emails = OutboundEmail.objects.filter(template="report_reminder").order_by("pk")
    assert [e.dedup_key.rsplit("-", 1)[1] for e in emails] == ["before", "overdue", "overdue_30"]
    assert all(f"report-reminder-{interim.pk}-0-" in e.dedup_key for e in emails)
    assert sorted(emails[0].to) == sorted([contact.email, agreement.award.application.owner.email])
    assert "15/03/2027" in emails[0].body
    assert "en retard" in emails[1].body


def test_no_reminder_once_the_report_is_sent():
    agreement = funded_award().agreement
    report = agreement.reports.get(kind=ReportKind.INTERIM)
    followup.submit_report(
        report, narrative="Bilan", indicators=INDICATORS, user=agreement.award.application.owner
    )
    assert followup.send_report_reminders(today=datetime.date(2027, 3, 20)) == 0


def test_reminder_task_is_registered_as_a_periodic_job():
    from core import periodic

    jobs = {job.name: job for job in periodic.registered_jobs()}
    assert jobs["laureates.report_reminders"].task_path == "laureates.tasks.send_report_reminders"


def test_overdue_list_holds_expected_and_changes_requested_reports_past_due():
    late = funded_award(decided_at=None).agreement
    on_time = funded_award(decided_at=None).agreement
    on_time.reports.update(due_on=datetime.date(2099, 1, 1))
    overdue = list(followup.overdue_reports(today=datetime.date(2027, 4, 1)))
    assert [r.agreement_id for r in overdue] == [late.pk]
    assert overdue[0].kind == ReportKind.INTERIM


@pytest.mark.django_db(transaction=True)
def test_report_sent_from_two_browsers_at_once_is_recorded_once():
    if _memory_sqlite():
        pytest.skip("Base SQLite en mémoire : pas d’accès concurrent réel (testé sur PostgreSQL).")
    agreement = funded_award().agreement
    report = agreement.reports.first()
    owner = agreement.award.application.owner
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(text):
        try:
            barrier.wait(timeout=10)
            followup.submit_report(report, narrative=text, indicators=INDICATORS, user=owner)
            outcomes.append("ok")
        except followup.FollowUpRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(f"Envoi {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    report.refresh_from_db()
    assert report.submission_count == 1
    assert AuditLog.objects.filter(action="laureates.report_submitted").count() == 1


def test_published_phase_two_decision_gives_the_owner_a_laureate_space_with_an_agreement(
    django_capture_on_commit_callbacks,
):
    from applications import states
    from applications.choices import ApplicationStatus as S
    from reviews import committee
    from reviews.factories import reviewers, submit_evaluation, submitted_file
    from reviews.models import CommitteeSession

    application = submitted_file()
    application.phase = "funding"
    application.save(update_fields=["phase"])
    submit_evaluation(application, reviewers(count=1)[0])
    states.change_status(application, S.REVIEWED, actor=UserFactory(cell_lead=True))
    application.refresh_from_db()
    session = CommitteeSession.objects.create(
        call=application.call, title="Comité", date=datetime.date(2026, 6, 15)
    )
    committee.record_decision(
        session,
        application,
        actor=UserFactory(committee=True),
        decision="accepted",
        amount=D("75000.01"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        committee.publish_session(session, actor=UserFactory(national=True))
    agreement = Agreement.objects.get(award__application=application)
    assert agreement.amount == D("75000.01")
    assert sum(p.planned_amount for p in agreement.payments.all()) == D("75000.01")
    assert followup.laureate_ptces(application.owner).get() == agreement.ptce
    assert agreement.ptce.status == PtceStatus.FUNDED

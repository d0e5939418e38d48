"""Business rules of the follow-up of phase-2 laureates (SPEC §6): agreements drawn from the
call's payment schedule template, payment tranches, reports with indicators, reminders.

Rules written once here and documented in ``docs/laureates.md``:

* **Rounding**: the award is split in cents. Every tranche but the last is ``award × share /
  100`` rounded *down* to the cent; the last tranche takes the remainder, so the tranches always
  add up to the award exactly.
* **Reports** are due two months after the end of the period they cover: the first half of the
  agreement (interim report), each year but the last (yearly report, when the schedule pays
  yearly), the whole agreement (final report).
* **Payments** need the agreement signed, the tranche's prerequisite report accepted, no other
  report overdue on the day of payment, and the total paid may never exceed the award.

Every change locks the row it changes (``select_for_update``) and writes the audit log.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import is_authenticated, is_national
from applications.choices import Funder, MemberCategory
from calls.choices import Phase
from core import audit
from core.outbox import queue_templated_email
from laureates.models import Award, Ptce, PtceStatus
from laureates.models_followup import (
    Agreement,
    Payment,
    PaymentTrigger,
    Report,
    ReportKind,
    ReportStatus,
)

CENT = Decimal("0.01")
DEFAULT_DURATION_MONTHS = 24
REPORT_DELAY_MONTHS = 2  # a report is due two months after the period it covers
PAYMENT_DELAY_MONTHS = 1  # a tranche is planned one month after its condition is met
REMINDER_DAYS_BEFORE = 15
SECOND_OVERDUE_REMINDER_DAYS = 30
EDITABLE = (ReportStatus.EXPECTED, ReportStatus.CHANGES_REQUESTED)
REGIONAL_ROLES = (Role.REGIONAL_REVIEWER, Role.REGIONAL_CELL_LEAD)


class FollowUpRefused(Exception):
    """An action the rules refuse; the message is shown to the person as is."""


# ---------------------------------------------------------------------------------------------
# Dates and amounts


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day ``months`` later, clamped to the end of shorter months (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def split_amount(amount, shares) -> list[Decimal]:
    """Split ``amount`` (euros) by ``shares`` (percentages adding up to 100): every tranche but
    the last rounded down to the cent, the last one takes the remainder."""
    amount = Decimal(amount).quantize(CENT)
    shares = [Decimal(str(share)) for share in shares]
    if not shares:
        return []
    if sum(shares) != 100 or any(share <= 0 for share in shares):
        raise ValueError("Les parts de l’échéancier sont positives et totalisent 100 %.")
    head = [(amount * share / 100).quantize(CENT, rounding=ROUND_DOWN) for share in shares[:-1]]
    return [*head, amount - sum(head, Decimal("0"))]


@dataclass(frozen=True)
class Tranche:
    label: str
    share: Decimal
    trigger: str
    year: int = 0  # for yearly tranches: the year of the agreement it is paid in


YEAR_TRIGGER = re.compile(r"^year_(\d{1,2})$")


def normalise_schedule(template) -> list[Tranche]:
    """The call's template as tranches with a known condition. Without a template: one tranche
    at signature (also when the template is malformed, so that publishing a decision never
    fails). A tranche without a known ``trigger``: the first is paid at signature, the
    last after the final report, those in between after the interim report."""
    single = [Tranche("Versement unique à la signature", Decimal(100), PaymentTrigger.SIGNATURE)]
    template = (
        [item for item in (template or []) if isinstance(item, dict)]
        if isinstance(template, list)
        else []
    )
    try:
        shares = [Decimal(str(item.get("share"))) for item in template]
    except (InvalidOperation, ValueError):
        return single  # a template the call's validation would refuse: never block a decision
    if not template or sum(shares) != 100 or any(not s.is_finite() or s <= 0 for s in shares):
        return single
    tranches = []
    for index, item in enumerate(template):
        raw = str(item.get("trigger") or "")
        year = 0
        if match := YEAR_TRIGGER.match(raw):
            trigger, year = PaymentTrigger.YEARLY, max(int(match.group(1)), 1)
        elif raw in PaymentTrigger.values and raw != PaymentTrigger.YEARLY:
            trigger = raw
        elif index == 0:
            trigger = PaymentTrigger.SIGNATURE
        elif index == len(template) - 1:
            trigger = PaymentTrigger.FINAL_REPORT
        else:
            trigger = PaymentTrigger.INTERIM_REPORT
        tranches.append(
            Tranche(
                str(item.get("label") or "").strip()[:255],
                Decimal(str(item["share"])),
                trigger,
                year,
            )
        )
    return tranches


def report_plan(starts_on, duration_months: int, tranches) -> list[tuple[str, int, datetime.date]]:
    """(kind, year, due date) of the reports an agreement requires."""
    years = max(1, -(-duration_months // 12))
    plan = []
    if any(t.trigger == PaymentTrigger.YEARLY for t in tranches):
        for year in range(1, years):
            plan.append(
                (ReportKind.YEARLY, year, add_months(starts_on, 12 * year + REPORT_DELAY_MONTHS))
            )
    else:
        half = max(duration_months // 2, 1)
        plan.append((ReportKind.INTERIM, 0, add_months(starts_on, half + REPORT_DELAY_MONTHS)))
    plan.append((ReportKind.FINAL, 0, add_months(starts_on, duration_months + REPORT_DELAY_MONTHS)))
    return plan


def _prerequisite(tranche: Tranche, reports: dict) -> Report | None:
    if tranche.trigger == PaymentTrigger.INTERIM_REPORT:
        return reports.get((ReportKind.INTERIM, 0)) or reports.get((ReportKind.YEARLY, 1))
    if tranche.trigger == PaymentTrigger.FINAL_REPORT:
        return reports[(ReportKind.FINAL, 0)]
    if tranche.trigger == PaymentTrigger.YEARLY and tranche.year > 1:
        return reports.get((ReportKind.YEARLY, tranche.year - 1)) or reports[(ReportKind.FINAL, 0)]
    return None


def _signature_planned_on(agreement: Agreement) -> datetime.date:
    return add_months(agreement.signed_on or agreement.starts_on, PAYMENT_DELAY_MONTHS)


# ---------------------------------------------------------------------------------------------
# Agreements


def ensure_agreement(award: Award, *, actor=None) -> Agreement | None:
    """The agreement of a phase-2 award, drawn up from its call's schedule template if it does
    not exist yet (idempotent). ``None`` for a phase-1 label or an award without amount."""
    if award.phase != Phase.FUNDING or not award.amount or award.ptce_id is None:
        return None
    existing = Agreement.objects.filter(award=award).first()
    if existing:
        _follow_amount(existing, award.amount, actor=actor)
        return existing
    call = award.call
    tranches = normalise_schedule(call.payment_schedule_template)
    duration = call.award_duration_months or DEFAULT_DURATION_MONTHS
    starts_on = timezone.localdate(award.decided_at)
    with transaction.atomic():
        Award.objects.select_for_update().get(pk=award.pk)
        existing = Agreement.objects.filter(award=award).first()
        if existing:
            return existing
        agreement = Agreement.objects.create(
            award=award,
            ptce_id=award.ptce_id,
            amount=award.amount,
            starts_on=starts_on,
            duration_months=duration,
            schedule=[
                {"label": t.label, "share": str(t.share), "trigger": t.trigger, "year": t.year}
                for t in tranches
            ],
        )
        reports = {
            (kind, year): Report.objects.create(
                agreement=agreement, kind=kind, year=year, due_on=due
            )
            for kind, year, due in report_plan(starts_on, duration, tranches)
        }
        amounts = split_amount(agreement.amount, [t.share for t in tranches])
        for position, (tranche, amount) in enumerate(zip(tranches, amounts, strict=True), 1):
            report = _prerequisite(tranche, reports)
            Payment.objects.create(
                agreement=agreement,
                position=position,
                label=tranche.label,
                share=tranche.share,
                trigger=tranche.trigger,
                prerequisite_report=report,
                planned_amount=amount,
                planned_on=add_months(report.due_on, PAYMENT_DELAY_MONTHS)
                if report
                else _signature_planned_on(agreement),
            )
        audit.record(
            "laureates.agreement_created",
            actor=actor,
            obj=agreement,
            after={
                "award": award.pk,
                "amount": str(agreement.amount),
                "tranches": [str(a) for a in amounts],
                "reports": [f"{r.kind}:{r.year}:{r.due_on.isoformat()}" for r in reports.values()],
            },
        )
    return agreement


def _follow_amount(agreement: Agreement, amount, *, actor) -> None:
    """A decision re-published with another amount: the tranches follow as long as nothing
    has been paid (the rounding rule still applies)."""
    if agreement.amount == amount or agreement.payments.filter(paid_on__isnull=False).exists():
        return
    with transaction.atomic():
        payments = list(agreement.payments.select_for_update().order_by("position"))
        amounts = split_amount(amount, [payment.share for payment in payments])
        for payment, planned in zip(payments, amounts, strict=True):
            payment.planned_amount = planned
        Payment.objects.bulk_update(payments, ["planned_amount"])
        before = {"amount": str(agreement.amount)}
        agreement.amount = amount
        agreement.save(update_fields=["amount"])
        audit.record(
            "laureates.agreement_amount_changed",
            actor=actor,
            obj=agreement,
            before=before,
            after={"amount": str(amount), "tranches": [str(a) for a in amounts]},
        )


def sign_agreement(agreement: Agreement, signed_on: datetime.date, *, actor) -> Agreement:
    """Staff record the date the agreement was signed (once); tranches paid at signature are
    then planned one month later."""
    if not is_national(actor):
        raise PermissionDenied("Seule la cellule nationale enregistre la signature.")
    today = timezone.localdate()
    if signed_on > today:
        raise FollowUpRefused("La date de signature ne peut pas être dans le futur.")
    if signed_on < agreement.starts_on:
        raise FollowUpRefused(
            "La date de signature ne peut pas précéder la décision du comité "
            f"({agreement.starts_on:%d/%m/%Y})."
        )
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.signed_on:
            raise FollowUpRefused(
                f"La convention est déjà signée (le {locked.signed_on:%d/%m/%Y})."
            )
        locked.signed_on, locked.signature_recorded_by = signed_on, actor
        locked.save(update_fields=["signed_on", "signature_recorded_by"])
        locked.payments.filter(prerequisite_report__isnull=True, paid_on__isnull=True).update(
            planned_on=_signature_planned_on(locked)
        )
        audit.record(
            "laureates.agreement_signed",
            actor=actor,
            obj=locked,
            after={"signed_on": signed_on.isoformat()},
        )
    agreement.signed_on, agreement.signature_recorded_by = signed_on, actor
    return agreement


def acknowledge_agreement(agreement: Agreement, *, user) -> Agreement:
    """The laureate states they have read the agreement (once; later clicks change nothing)."""
    if not can_act_for_ptce(user, agreement.ptce_id):
        raise PermissionDenied
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.acknowledged_at is None:
            locked.acknowledged_at, locked.acknowledged_by = timezone.now(), user
            locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
            audit.record("laureates.agreement_acknowledged", actor=user, obj=locked)
    return locked


# ---------------------------------------------------------------------------------------------
# Payments


def payment_blocker(payment: Payment, *, today=None, reports=None) -> str:
    """Why ``payment`` cannot be recorded now ("" when it can). ``reports``: the agreement's
    reports when already loaded (list pages)."""
    agreement = payment.agreement
    if payment.is_paid:
        return "Cette tranche a déjà été versée."
    if not agreement.is_signed:
        return "La convention n’est pas encore signée : enregistrez d’abord la date de signature."
    if reports is None:
        reports = list(agreement.reports.all())
    by_pk = {report.pk: report for report in reports}
    required = by_pk.get(payment.prerequisite_report_id)
    if required is not None and required.status != ReportStatus.ACCEPTED:
        reason = {
            ReportStatus.EXPECTED: "n’a pas encore été transmis",
            ReportStatus.SUBMITTED: "est transmis mais pas encore accepté",
            ReportStatus.CHANGES_REQUESTED: "est en attente des compléments demandés",
        }[required.status]
        today = today or timezone.localdate()
        if required.is_overdue(today):
            reason += f", alors qu’il était attendu le {required.due_on:%d/%m/%Y}"
        return f"Versement bloqué : le {required.title.lower()} {reason}."
    today = today or timezone.localdate()
    for report in reports:
        if report.is_overdue(today):
            return (
                f"Versement bloqué : le {report.title.lower()} est en retard (attendu le "
                f"{report.due_on:%d/%m/%Y}) ; un bilan en retard bloque le versement suivant."
            )
    return ""


def parse_amount(value) -> Decimal | None:
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value or "").strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return None
    if not amount.is_finite():
        return None
    return amount


def record_payment(payment: Payment, *, amount, paid_on: datetime.date, actor) -> Payment:
    """Record that a tranche was paid. Refused (with the reason) when its conditions are not
    met or when the total paid would exceed the award. Locks the agreement, so two staff
    members recording at once cannot overpay."""
    if not is_national(actor):
        raise PermissionDenied("Seule la cellule nationale enregistre les versements.")
    amount = parse_amount(amount)
    if amount is None or amount <= 0 or amount != amount.quantize(CENT):
        raise FollowUpRefused("Le montant versé est un nombre positif en euros, au centime près.")
    if paid_on > timezone.localdate():
        raise FollowUpRefused("La date de versement ne peut pas être dans le futur.")
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=payment.agreement_id)
        locked = Payment.objects.select_related("agreement").get(pk=payment.pk)
        locked.agreement = agreement
        # Reports are judged as they stood on the day of the payment.
        blocker = payment_blocker(locked, today=paid_on)
        if blocker:
            raise FollowUpRefused(blocker)
        if paid_on < agreement.signed_on:
            raise FollowUpRefused("La date de versement ne peut pas précéder la signature.")
        already = agreement.payments.aggregate(total=Sum("paid_amount"))["total"] or Decimal(0)
        if already + amount > agreement.amount:
            raise FollowUpRefused(
                f"Versement refusé : le total versé atteindrait {already + amount} €, au-delà de "
                f"la subvention accordée ({agreement.amount} €). Reste à verser : "
                f"{agreement.amount - already} €."
            )
        locked.paid_amount, locked.paid_on = amount, paid_on
        locked.recorded_by, locked.recorded_at = actor, timezone.now()
        locked.save(update_fields=["paid_amount", "paid_on", "recorded_by", "recorded_at"])
        audit.record(
            "laureates.payment_recorded",
            actor=actor,
            obj=locked,
            after={
                "agreement": agreement.pk,
                "amount": str(amount),
                "paid_on": paid_on.isoformat(),
            },
        )
    payment.paid_amount, payment.paid_on = amount, paid_on
    return locked


# ---------------------------------------------------------------------------------------------
# Reports and indicators


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    decimal: bool = False  # FTE and euros allow cents; counts are whole numbers
    unit: str = ""


INDICATORS = [
    *(
        Indicator(f"members_{value}", f"Membres — {label}", unit="membres")
        for value, label in MemberCategory.choices
    ),
    Indicator("jobs_created_fte", "Emplois créés (ETP)", decimal=True, unit="ETP"),
    Indicator("jobs_maintained_fte", "Emplois maintenus (ETP)", decimal=True, unit="ETP"),
    Indicator("turnover", "Chiffre d’affaires du pôle (€)", decimal=True, unit="€"),
    *(
        Indicator(f"cofinancing_{value}", f"Cofinancement obtenu — {label}", decimal=True, unit="€")
        for value, label in Funder.choices
        if value != Funder.STATE
    ),
    Indicator("projects_launched", "Projets lancés", unit="projets"),
    Indicator("people_reached", "Personnes touchées", unit="personnes"),
    Indicator("volunteers", "Bénévoles", unit="bénévoles"),
]
INDICATOR_CODES = [indicator.code for indicator in INDICATORS]
MAX_INDICATOR = Decimal("1000000000000")


def clean_indicators(raw) -> tuple[dict, dict]:
    """(values as strings, errors by code). Every indicator is required, a number, never
    negative; counts are whole numbers, FTE and euros have at most two decimals."""
    values, errors = {}, {}
    for indicator in INDICATORS:
        text = str((raw or {}).get(indicator.code, "") or "").strip()
        if not text:
            errors[indicator.code] = "Indiquez une valeur (0 si aucune)."
            continue
        number = parse_amount(text)
        if number is None:
            errors[indicator.code] = "Saisissez un nombre (par exemple 12 ou 3,5)."
        elif number < 0:
            errors[indicator.code] = "La valeur ne peut pas être négative."
        elif number >= MAX_INDICATOR:
            errors[indicator.code] = "La valeur est trop grande."
        elif not indicator.decimal and number != number.to_integral_value():
            errors[indicator.code] = "Saisissez un nombre entier."
        elif indicator.decimal and number != number.quantize(CENT):
            errors[indicator.code] = "Deux décimales au plus."
        else:
            values[indicator.code] = str(number if indicator.decimal else int(number))
    return values, errors


def submit_report(report: Report, *, narrative: str, indicators: dict, user) -> Report:
    """The laureate sends a report (first time, or after changes were requested). A report
    already sent or accepted is never overwritten: a second submission is refused."""
    if not can_act_for_ptce(user, report.agreement.ptce_id):
        raise PermissionDenied
    narrative = (narrative or "").replace("\x00", "").strip()
    values, errors = clean_indicators(indicators)
    if not narrative:
        errors["narrative"] = "Le bilan qualitatif est obligatoire."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if not locked.is_editable:
            sent = timezone.localtime(locked.submitted_at)
            raise FollowUpRefused(
                f"Ce bilan a déjà été transmis le {sent:%d/%m/%Y}"
                f" ({ReportStatus(locked.status).label.lower()}) : il ne peut pas être transmis "
                "une seconde fois."
            )
        before = locked.status
        locked.narrative, locked.indicators = narrative, values
        locked.status = ReportStatus.SUBMITTED
        locked.submitted_at, locked.submitted_by = timezone.now(), user
        locked.submission_count += 1
        locked.save()
        audit.record(
            "laureates.report_submitted",
            actor=user,
            obj=locked,
            before={"status": before},
            after={"status": locked.status, "submission": locked.submission_count},
        )
    return locked


def review_report(report: Report, *, accept: bool, comment: str = "", actor) -> Report:
    """The national cell accepts a submitted report or asks for changes (comment required);
    the laureate is told by e-mail. Accepting the final report makes a funded pole active."""
    from laureates.services import change_ptce_status

    if not is_national(actor):
        raise PermissionDenied("Seule la cellule nationale examine les bilans.")
    comment = (comment or "").strip()
    if not accept and not comment:
        raise FollowUpRefused("Précisez les compléments attendus.")
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update().select_related("agreement__ptce").get(pk=report.pk)
        )
        if locked.status != ReportStatus.SUBMITTED:
            raise FollowUpRefused("Seul un bilan transmis et en cours d’examen peut être examiné.")
        locked.status = ReportStatus.ACCEPTED if accept else ReportStatus.CHANGES_REQUESTED
        locked.reviewed_at, locked.reviewed_by, locked.review_comment = (
            timezone.now(),
            actor,
            comment,
        )
        locked.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"])
        audit.record(
            "laureates.report_reviewed",
            actor=actor,
            obj=locked,
            before={"status": ReportStatus.SUBMITTED},
            after={"status": locked.status, "comment": comment},
        )
        ptce = locked.agreement.ptce
        if accept and locked.kind == ReportKind.FINAL and ptce.status == PtceStatus.FUNDED:
            change_ptce_status(
                ptce,
                PtceStatus.ACTIVE,
                actor=None,
                reason="Bilan final accepté : convention soldée",
            )
        recipients = laureate_emails(locked.agreement)
        if recipients:
            queue_templated_email(
                recipients,
                "report_reviewed",
                {
                    "report": locked,
                    "ptce": ptce,
                    "accepted": accept,
                    "comment": comment,
                    **report_links(locked),
                },
                dedup_key=f"report-reviewed-{locked.pk}-{locked.submission_count}",
            )
    return locked


def overdue_reports(today=None):
    today = today or timezone.localdate()
    return (
        Report.objects.filter(status__in=EDITABLE, due_on__lt=today)
        .select_related("agreement__ptce__main_region")
        .order_by("due_on", "pk")
    )


def report_links(report: Report) -> dict:
    """Absolute links placed in the report e-mails (placeholders ``report_url``, ``space_url``)."""
    from django.urls import reverse

    return {
        "report_url": settings.SITE_URL + reverse("laureates:report_edit", args=[report.pk]),
        "space_url": settings.SITE_URL + reverse("laureates:space"),
    }


def laureate_emails(agreement: Agreement) -> list[str]:
    emails = set(
        agreement.ptce.contacts.filter(user__is_active=True).values_list("user__email", flat=True)
    )
    owner = agreement.award.application.owner
    if owner and owner.is_active:
        emails.add(owner.email)
    return sorted(email for email in emails if email)


def reminder_stage(report: Report, today) -> str:
    """ "before" within 15 days of the due date, "overdue" once past it, "overdue_30" a month
    later; "" otherwise. Each stage is sent once (outbox dedup key)."""
    if not report.is_editable:
        return ""
    days = (report.due_on - today).days
    if 0 <= days <= REMINDER_DAYS_BEFORE:
        return "before"
    if days < -SECOND_OVERDUE_REMINDER_DAYS:
        return "overdue_30"
    if days < 0:
        return "overdue"
    return ""


def send_report_reminders(today=None) -> int:
    """Queue the reminders due today (idempotent: the outbox keeps one e-mail per report and
    stage). Returns how many reports were considered for a reminder."""
    today = today or timezone.localdate()
    reports = (
        Report.objects.filter(
            status__in=EDITABLE,
            due_on__lte=today + datetime.timedelta(days=REMINDER_DAYS_BEFORE),
        )
        .select_related("agreement__ptce", "agreement__award__application__owner")
        .order_by("due_on", "pk")
    )
    count = 0
    for report in reports:
        stage = reminder_stage(report, today)
        recipients = laureate_emails(report.agreement) if stage else []
        if not recipients:
            continue
        queue_templated_email(
            recipients,
            "report_reminder",
            {
                "report": report,
                "ptce": report.agreement.ptce,
                "stage": stage,
                "days_late": (today - report.due_on).days,
                **report_links(report),
            },
            dedup_key=f"report-reminder-{report.pk}-{report.submission_count}-{stage}",
        )
        count += 1
    return count


# ---------------------------------------------------------------------------------------------
# Who sees what


def laureate_ptces(user):
    """The PTCE a person follows as a laureate: contact of the pole, or owner of the file
    that won its award."""
    if not is_authenticated(user):
        return Ptce.objects.none()
    return Ptce.objects.filter(
        Q(contacts__user=user) | Q(awards__application__owner=user)
    ).distinct()


def can_act_for_ptce(user, ptce_id) -> bool:
    return laureate_ptces(user).filter(pk=ptce_id).exists()


def is_followup_reader(user) -> bool:
    """Staff who may read the follow-up pages: the national cell (and admins) everywhere,
    regional cells for their région."""
    return is_national(user) or (
        is_authenticated(user) and user.role in REGIONAL_ROLES and user.region_id is not None
    )


def staff_agreements(user):
    """Agreements a staff member may read (none for anybody else): all for the national cell;
    for a regional cell, those of its région; never a file the reader has a conflict of interest
    on (``reviews.conflicts.without_conflicts``)."""
    from reviews.conflicts import without_conflicts

    queryset = without_conflicts(Agreement.objects.all(), user, "award__application")
    if is_national(user):
        return queryset
    if is_followup_reader(user):
        return queryset.filter(ptce__main_region_id=user.region_id)
    return queryset.none()


def visible_agreements(user):
    """Staff scope plus the laureate's own agreements: what the PDF link may serve."""
    if is_followup_reader(user):
        return staff_agreements(user)
    return Agreement.objects.filter(ptce__in=laureate_ptces(user))


# ---------------------------------------------------------------------------------------------
# Laureate dashboard


@dataclass
class Step:
    text: str
    url: str = ""
    link_label: str = ""
    urgent: bool = False


def next_steps(ptce: Ptce, agreements, reports, *, has_enrolment: bool, today=None) -> list[Step]:
    from django.urls import reverse

    today = today or timezone.localdate()
    steps = []
    for agreement in agreements:
        if not agreement.is_signed:
            steps.append(
                Step(
                    f"Signer la convention {agreement.reference} : téléchargez-la, faites-la "
                    "signer par le représentant légal de la structure porteuse et renvoyez-la à "
                    "la cellule nationale.",
                    reverse("laureates:agreement_pdf", args=[agreement.pk]),
                    "Télécharger la convention (PDF)",
                    urgent=True,
                )
            )
    for report in reports:
        if not report.is_editable:
            continue
        url = reverse("laureates:report_edit", args=[report.pk])
        if report.status == ReportStatus.CHANGES_REQUESTED:
            steps.append(
                Step(
                    f"Compléter le {report.title.lower()} : la cellule nationale demande des "
                    "compléments.",
                    url,
                    "Compléter le bilan",
                    urgent=True,
                )
            )
        elif report.due_on < today:
            steps.append(
                Step(
                    f"Transmettre le {report.title.lower()}, attendu le "
                    f"{report.due_on:%d/%m/%Y} (en retard) : il bloque le versement suivant.",
                    url,
                    "Remplir le bilan",
                    urgent=True,
                )
            )
        elif (report.due_on - today).days <= 90:
            steps.append(
                Step(
                    f"Préparer le {report.title.lower()}, à transmettre avant le "
                    f"{report.due_on:%d/%m/%Y}.",
                    url,
                    "Remplir le bilan",
                )
            )
    if not has_enrolment and ptce.status != PtceStatus.INACTIVE:
        steps.append(
            Step(
                "Vous inscrire à une offre du bouquet de services (accompagnement individuel ou "
                "collectif).",
                reverse("laureates:support_list"),
                "Voir le catalogue",
            )
        )
    return steps

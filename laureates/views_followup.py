"""Pages of the follow-up of laureates: the laureate space (dashboard, agreement PDF, reports)
and the staff pages (agreements, signature, payments, report review, overdue reports).

Views are thin: they scope the objects by the user (``laureates.followup``), call the service
and show its refusal as is."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_national, login_required, user_passes
from laureates import followup
from laureates.agreement_pdf import agreement_pdf
from laureates.forms_followup import (
    PaymentForm,
    PtceStatusForm,
    ReportForm,
    ReviewForm,
    SignatureForm,
)
from laureates.models import Award, AwardStatus
from laureates.models_followup import Agreement, Payment, Report, ReportStatus
from laureates.models_support import Enrolment, EnrolmentStatus
from reviews.conflicts import without_conflicts
from reviews.numbers import format_number

followup_reader_required = user_passes(followup.is_followup_reader)
national_required = user_passes(is_national)


def _space_crumb(current, *, extra=()):
    return {
        "links": [{"url": reverse("laureates:space"), "title": "Espace lauréat"}, *extra],
        "current": current,
    }


def _staff_crumb(current, *, extra=()):
    return {
        "links": [
            {"url": reverse("laureates:followup_list"), "title": "Suivi des lauréats"},
            *extra,
        ],
        "current": current,
    }


def _with_figures(agreements):
    """Attach payments, reports, totals and blockers (already prefetched: no extra query)."""
    today = timezone.localdate()
    for agreement in agreements:
        payments = list(agreement.payments.all())
        reports = list(agreement.reports.all())
        for payment in payments:
            payment.agreement = agreement
            payment.blocker = (
                ""
                if payment.is_paid
                else followup.payment_blocker(payment, today=today, reports=reports)
            )
        for report in reports:
            report.agreement = agreement
            report.overdue = report.is_overdue(today)
        agreement.payment_rows = payments
        agreement.report_rows = reports
        agreement.paid_total = sum((p.paid_amount or 0 for p in payments), 0)
        agreement.planned_total = sum((p.planned_amount for p in payments), 0)
    return agreements


def _agreements_with_children(queryset):
    return queryset.select_related(
        "ptce__main_region", "award__call", "award__application"
    ).prefetch_related(
        Prefetch("payments", queryset=Payment.objects.order_by("position")),
        Prefetch("reports", queryset=Report.objects.order_by("due_on", "pk")),
    )


# ---------------------------------------------------------------------------------------------
# Laureate space


@login_required
def space(request):
    """Who may see it: any signed-in user; it shows only the PTCE they follow as a laureate
    (contact of the pole or owner of the winning file), otherwise a short explanation."""
    ptces = list(
        followup.laureate_ptces(request.user)
        .select_related("main_region")
        .prefetch_related("labels")
        .order_by("name")
    )
    agreements = _with_figures(
        list(_agreements_with_children(Agreement.objects.filter(ptce__in=ptces)))
    )
    enrolments = list(
        Enrolment.objects.filter(ptce__in=ptces)
        .exclude(status=EnrolmentStatus.CANCELLED)
        .select_related("offer__partner")
        .order_by("offer__starts_on", "pk")
    )
    awards = list(
        Award.objects.filter(ptce__in=ptces, status=AwardStatus.GRANTED)
        .select_related("call", "application")
        .order_by("-decided_at")
    )
    sections = []
    for ptce in ptces:
        own_agreements = [a for a in agreements if a.ptce_id == ptce.pk]
        own_reports = [r for a in own_agreements for r in a.report_rows]
        own_enrolments = [e for e in enrolments if e.ptce_id == ptce.pk]
        sections.append(
            {
                "ptce": ptce,
                "agreements": own_agreements,
                "awards": [a for a in awards if a.ptce_id == ptce.pk],
                "enrolments": own_enrolments,
                "steps": followup.next_steps(
                    ptce, own_agreements, own_reports, has_enrolment=bool(own_enrolments)
                ),
            }
        )
    return render(
        request,
        "laureates/followup/space.html",
        {"sections": sections, "breadcrumb": {"links": [], "current": "Espace lauréat"}},
    )


@login_required
def agreement_download(request, pk):
    """Who may see it: a laureate of the PTCE, the national cell, a regional cell of the PTCE's
    région. Anybody else gets 404 (the agreement's existence is not disclosed)."""
    agreement = get_object_or_404(
        followup.visible_agreements(request.user).select_related(
            "ptce", "award__call", "award__application"
        ),
        pk=pk,
    )
    response = HttpResponse(agreement_pdf(agreement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="convention-{agreement.reference}.pdf"'
    return response


@require_POST
@login_required
def agreement_acknowledge(request, pk):
    """Who may do it: a laureate of the PTCE (404 for anybody else)."""
    agreement = get_object_or_404(
        Agreement.objects.filter(ptce__in=followup.laureate_ptces(request.user)), pk=pk
    )
    followup.acknowledge_agreement(agreement, user=request.user)
    messages.success(request, "Merci : votre prise de connaissance de la convention est notée.")
    return redirect("laureates:space")


def _indicator_rows(report):
    """(label, value in French notation) of each indicator of a report."""
    rows = []
    for indicator in followup.INDICATORS:
        value = report.indicators.get(indicator.code)
        rows.append(
            (indicator.label, "—" if value in (None, "") else format_number(Decimal(value)))
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    """Who may see it: a laureate of the PTCE (404 for anybody else). The form is offered while
    the report is expected or changes were requested; afterwards it is read-only."""
    report = get_object_or_404(
        Report.objects.filter(
            agreement__ptce__in=followup.laureate_ptces(request.user)
        ).select_related("agreement__ptce"),
        pk=pk,
    )
    form = None
    if report.is_editable or request.method == "POST":
        initial = {"narrative": report.narrative, **report.indicators}
        form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            followup.submit_report(
                report, narrative=data["narrative"], indicators=data, user=request.user
            )
        except followup.FollowUpRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("laureates:report_edit", pk=report.pk)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request,
                f"{report.title} transmis à la cellule nationale. Vous serez prévenu par "
                "courriel de son examen.",
            )
            return redirect("laureates:space")
    status = 400 if request.method == "POST" else 200
    if not report.is_editable:
        form = None
    elif form.is_bound:
        form._point_to_errors()  # fields rendered one by one: focus the first field in error
    return render(
        request,
        "laureates/followup/report_edit.html",
        {
            "report": report,
            "form": form,
            "rows": _indicator_rows(report),
            "overdue": report.is_overdue(),
            "breadcrumb": _space_crumb(report.title),
        },
        status=status,
    )


# ---------------------------------------------------------------------------------------------
# Staff pages


@followup_reader_required
def followup_list(request):
    """Who may see it: the national cell and admins (all), regional cells (their région,
    read-only). A fixed number of queries whatever the number of agreements."""
    agreements = _with_figures(
        list(
            _agreements_with_children(followup.staff_agreements(request.user)).order_by(
                "ptce__name"
            )
        )
    )
    pending_awards = []
    if is_national(request.user):
        pending_awards = list(
            without_conflicts(Award.objects.all(), request.user)
            .filter(phase="funding", status=AwardStatus.GRANTED, agreement__isnull=True)
            .exclude(amount__isnull=True)
            .exclude(ptce__isnull=True)
            .select_related("ptce", "call")
        )
    return render(
        request,
        "laureates/followup/staff_list.html",
        {
            "agreements": agreements,
            "pending_awards": pending_awards,
            "is_national": is_national(request.user),
            "to_review": [
                report
                for agreement in agreements
                for report in agreement.report_rows
                if report.status == ReportStatus.SUBMITTED
            ],
            "overdue_count": followup.overdue_reports()
            .filter(agreement__in=followup.staff_agreements(request.user))
            .count(),
            "totals": {
                "awarded": sum((a.amount for a in agreements), 0),
                "paid": sum((a.paid_total for a in agreements), 0),
            },
            "breadcrumb": {"links": [], "current": "Suivi des lauréats"},
        },
    )


@require_POST
@national_required
def generate_agreement(request, pk):
    """Who may do it: the national cell and admins (a phase-2 award without agreement)."""
    award = get_object_or_404(
        without_conflicts(Award.objects.all(), request.user),
        pk=pk,
        phase="funding",
        status=AwardStatus.GRANTED,
    )
    agreement = followup.ensure_agreement(award, actor=request.user)
    if agreement is None:
        messages.error(request, "Cette décision n’a pas de montant : aucune convention possible.")
        return redirect("laureates:followup_list")
    messages.success(request, f"Convention {agreement.reference} établie.")
    return redirect("laureates:followup_agreement", pk=agreement.pk)


def _staff_agreement(request, pk):
    agreements = _agreements_with_children(followup.staff_agreements(request.user))
    return _with_figures([get_object_or_404(agreements, pk=pk)])[0]


@followup_reader_required
def agreement_detail(request, pk):
    """Who may see it: national cell and admins; a regional cell for a PTCE of its région
    (read-only); 404 outside that scope."""
    agreement = _staff_agreement(request, pk)
    national = is_national(request.user)
    for payment in agreement.payment_rows:
        payment.form = (
            PaymentForm(
                prefix=f"tranche-{payment.pk}",
                initial={"amount": payment.planned_amount, "paid_on": timezone.localdate()},
            )
            if national and not payment.is_paid and not payment.blocker
            else None
        )
    return render(
        request,
        "laureates/followup/staff_agreement.html",
        {
            "agreement": agreement,
            "is_national": national,
            "signature_form": SignatureForm(initial={"signed_on": timezone.localdate()})
            if national and not agreement.is_signed
            else None,
            "history": agreement.ptce.status_changes.order_by("changed_at", "pk"),
            "breadcrumb": _staff_crumb(f"Convention {agreement.reference}"),
        },
    )


@require_POST
@national_required
def agreement_sign(request, pk):
    """Who may do it: the national cell and admins."""
    agreement = get_object_or_404(followup.staff_agreements(request.user), pk=pk)
    form = SignatureForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez une date de signature valide (jj/mm/aaaa).")
    else:
        try:
            followup.sign_agreement(agreement, form.cleaned_data["signed_on"], actor=request.user)
        except followup.FollowUpRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, f"Signature de la convention {agreement.reference} enregistrée."
            )
    return redirect("laureates:followup_agreement", pk=agreement.pk)


@require_POST
@national_required
def payment_record(request, pk):
    """Who may do it: the national cell and admins. Refusals (missing report, above the award)
    are shown with their reason."""
    payment = get_object_or_404(
        Payment.objects.filter(
            agreement__in=followup.staff_agreements(request.user)
        ).select_related("agreement"),
        pk=pk,
    )
    form = PaymentForm(request.POST, prefix=f"tranche-{payment.pk}")
    if not form.is_valid():
        messages.error(request, "Indiquez le montant et une date de versement valide.")
    else:
        try:
            followup.record_payment(
                payment,
                amount=form.cleaned_data["amount"],
                paid_on=form.cleaned_data["paid_on"],
                actor=request.user,
            )
        except followup.FollowUpRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, f"Versement « {payment.label} » enregistré.")
    return redirect("laureates:followup_agreement", pk=payment.agreement_id)


@followup_reader_required
@require_http_methods(["GET", "POST"])
def report_review(request, pk):
    """Who may see it: national cell and admins (review), regional cell of the PTCE's région
    (read-only); 404 outside that scope."""
    report = get_object_or_404(
        Report.objects.filter(agreement__in=followup.staff_agreements(request.user)).select_related(
            "agreement__ptce", "submitted_by", "reviewed_by"
        ),
        pk=pk,
    )
    national = is_national(request.user)
    if request.method == "POST" and not national:
        raise PermissionDenied
    form = (
        ReviewForm(request.POST or None)
        if national and report.status == ReportStatus.SUBMITTED
        else None
    )
    if request.method == "POST":
        if form is None:
            messages.error(
                request, "Seul un bilan transmis et en cours d’examen peut être examiné."
            )
            return redirect("laureates:followup_report", pk=report.pk)
        if form.is_valid():
            try:
                followup.review_report(
                    report,
                    accept=form.cleaned_data["decision"] == "accept",
                    comment=form.cleaned_data["comment"],
                    actor=request.user,
                )
            except followup.FollowUpRefused as refusal:
                form.add_error("comment", str(refusal))
            else:
                messages.success(request, "Examen du bilan enregistré.")
                return redirect("laureates:followup_agreement", pk=report.agreement_id)
    return render(
        request,
        "laureates/followup/staff_report.html",
        {
            "report": report,
            "form": form,
            "rows": _indicator_rows(report),
            "breadcrumb": _staff_crumb(
                report.title,
                extra=[
                    {
                        "url": reverse("laureates:followup_agreement", args=[report.agreement_id]),
                        "title": f"Convention {report.agreement.reference}",
                    }
                ],
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@followup_reader_required
def overdue(request):
    """Who may see it: national cell and admins (all), regional cells (their région)."""
    today = timezone.localdate()
    reports = list(
        followup.overdue_reports(today).filter(
            agreement__in=followup.staff_agreements(request.user)
        )
    )
    for report in reports:
        report.days_late = (today - report.due_on).days
    return render(
        request,
        "laureates/followup/staff_overdue.html",
        {"reports": reports, "breadcrumb": _staff_crumb("Bilans en retard")},
    )


@national_required
@require_http_methods(["GET", "POST"])
def ptce_status(request, pk):
    """Who may see it: the national cell and admins. Moves a PTCE along its lifecycle through
    ``change_ptce_status`` (checked table, dated history with reason, audit log)."""
    from laureates.models import Ptce
    from laureates.services import allowed_targets, change_ptce_status

    ptce = get_object_or_404(Ptce, pk=pk)
    form = PtceStatusForm(request.POST or None, targets=allowed_targets(ptce))
    if request.method == "POST" and form.is_valid():
        try:
            change_ptce_status(
                ptce,
                form.cleaned_data["to"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error("reason", error.messages[0])
        else:
            messages.success(request, f"Statut de {ptce.name} : {ptce.get_status_display()}.")
            return redirect("laureates:ptce_status", pk=ptce.pk)
    return render(
        request,
        "laureates/followup/ptce_status.html",
        {
            "ptce": ptce,
            "form": form,
            "history": ptce.status_changes.order_by("changed_at", "pk"),
            # Never an agreement of a file the reader has a conflict of interest on.
            "agreements": followup.staff_agreements(request.user).filter(ptce=ptce).order_by("pk"),
            "breadcrumb": _staff_crumb(f"Statut de {ptce.name}"),
        },
        status=400 if request.method == "POST" else 200,
    )


PAYMENTS_HEADER = [
    "Convention",
    "PTCE",
    "Région",
    "Appel",
    "Subvention (€)",
    "Signée le",
    "Rang",
    "Tranche",
    "Part (%)",
    "Montant prévu (€)",
    "Date prévue",
    "Montant versé (€)",
    "Versé le",
    "Situation",
]


@followup_reader_required
def payments_export(request):
    """Who may use it: the readers of the follow-up list, on the agreements they may see
    (national cell: all; regional cell: its région). One row per tranche; audited."""
    from core import audit
    from core.exports import csv_response

    agreements = _with_figures(
        list(
            _agreements_with_children(followup.staff_agreements(request.user)).order_by(
                "ptce__name", "pk"
            )
        )
    )
    audit.record(
        "laureates.payments_exported", actor=request.user, after={"agreements": len(agreements)}
    )

    def rows():
        for agreement in agreements:
            for payment in agreement.payment_rows:
                yield [
                    agreement.reference,
                    agreement.ptce.name,
                    agreement.ptce.main_region.name if agreement.ptce.main_region_id else "",
                    agreement.award.call.title,
                    agreement.amount,
                    agreement.signed_on.isoformat() if agreement.signed_on else "",
                    payment.position,
                    payment.label,
                    payment.share.normalize(),
                    payment.planned_amount,
                    payment.planned_on.isoformat(),
                    payment.paid_amount if payment.is_paid else "",
                    payment.paid_on.isoformat() if payment.is_paid else "",
                    "versé" if payment.is_paid else (payment.blocker or "prêt à être versé"),
                ]

    return csv_response("versements-laureats.csv", PAYMENTS_HEADER, rows())

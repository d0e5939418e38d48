"""The funding agreement (convention) as PDF: ``templates/pdf/agreement.html`` rendered by
WeasyPrint (``core.pdf``). The control clause, signatory and contact details come from the
editable letter texts of the call (``editorial``, /gestion/courriers/)."""

from django.utils import timezone

from core.formatting import format_date, format_euros, format_number
from core.pdf import render_pdf
from editorial.defaults import ISSUER, LetterKind
from editorial.services import letter_content, rendered_letter
from laureates.models_followup import PaymentTrigger


def agreement_pdf(agreement, *, content: dict | None = None) -> bytes:
    award = agreement.award
    ptce = agreement.ptce
    call = award.call
    application = award.application
    payments = list(agreement.payments.select_related("prerequisite_report").order_by("position"))
    reports = list(agreement.reports.order_by("due_on", "pk"))
    lead = ptce.lead_organisation_name or application.lead_name or ptce.name
    siret = ptce.lead_organisation_siret or application.lead_siret
    texts = rendered_letter(
        LetterKind.AGREEMENT,
        {
            "reference": agreement.reference,
            "appel": call.title,
            "porteur": lead,
            "montant": format_euros(agreement.amount),
        },
        content if content is not None else letter_content(LetterKind.AGREEMENT, call),
    )
    rows = [
        {
            "label": payment.label,
            "share": f"{format_number(payment.share.normalize())}\u00a0%",
            "amount": format_euros(payment.planned_amount),
            "condition": (
                payment.prerequisite_report.title + " accepté"
                if payment.prerequisite_report
                else PaymentTrigger.SIGNATURE.label
            ),
            "planned_on": format_date(payment.planned_on) if payment.planned_on else "—",
        }
        for payment in payments
    ]
    return render_pdf(
        "pdf/agreement.html",
        {
            "issuer": ISSUER,
            "agreement": agreement,
            "call": call,
            "ptce": ptce,
            "application": application,
            "lead": lead,
            "siret": siret,
            "decided_on": format_date(timezone.localdate(award.decided_at)),
            "amount": format_euros(agreement.amount),
            "starts_on": format_date(agreement.starts_on),
            "ends_on": format_date(agreement.ends_on),
            "signed_on": format_date(agreement.signed_on) if agreement.signed_on else "",
            "rows": rows,
            "total": format_euros(sum(p.planned_amount for p in payments)),
            "reports": [(r.title, format_date(r.due_on)) for r in reports],
            "texts": texts,
        },
        title=f"Convention {agreement.reference}",
    )

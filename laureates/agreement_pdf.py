"""The funding agreement (convention) as PDF, built with the letter helpers of ``reviews.letters``
(embedded Vera fonts, escaped user text, reproducible output)."""

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from laureates.models_followup import PaymentTrigger
from reviews.letters import DEFAULT_ISSUER, FONT, FONT_BOLD, _build, _styles, text
from reviews.numbers import format_date, format_euros


def _table(rows, widths):
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8.5),
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3e3fd")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def agreement_pdf(agreement) -> bytes:
    s = _styles()
    award = agreement.award
    ptce = agreement.ptce
    call = award.call
    application = award.application
    payments = list(agreement.payments.select_related("prerequisite_report").order_by("position"))
    reports = list(agreement.reports.order_by("due_on", "pk"))
    lead = ptce.lead_organisation_name or application.lead_name or ptce.name
    siret = ptce.lead_organisation_siret or application.lead_siret

    def p(markup, style="body"):
        return Paragraph(markup, s[style])

    story = [
        p(f"<b>{text(DEFAULT_ISSUER)}</b>", "small"),
        Spacer(1, 0.6 * cm),
        p(f"Convention de financement n° {text(agreement.reference)}", "title"),
        p(
            f"Appel « {text(call.title)} », phase 2 « financement » — décision du comité de "
            f"sélection du {format_date(timezone.localdate(award.decided_at))}"
        ),
        Spacer(1, 0.4 * cm),
        p("Entre les soussignés", "heading"),
        p(
            "L’État, représenté par la cellule nationale d’animation du programme PTCE, "
            "ci-après « l’administration »,"
        ),
        p(
            f"et <b>{text(lead)}</b>"
            + (f", SIRET {text(siret)}" if siret else "")
            + f", structure porteuse du pôle territorial de coopération économique "
            f"« {text(ptce.name)} », ci-après « le bénéficiaire »."
        ),
        Spacer(1, 0.3 * cm),
        p("Article 1 — Objet", "heading"),
        p(
            "La présente convention a pour objet le soutien financier de l’État au programme de "
            "développement du pôle tel que décrit dans le dossier de candidature "
            f"{text(application.reference or '')}, retenu par le comité de sélection."
        ),
        p("Article 2 — Montant et durée", "heading"),
        p(
            f"Une subvention de <b>{format_euros(agreement.amount)}</b> est attribuée au "
            f"bénéficiaire pour une durée de {agreement.duration_months} mois, du "
            f"{format_date(agreement.starts_on)} au {format_date(agreement.ends_on)}."
        ),
        p("Article 3 — Échéancier des versements", "heading"),
        p(
            "La subvention est versée selon l’échéancier ci-dessous, établi d’après l’échéancier "
            "type de l’appel. Chaque tranche est arrondie au centime inférieur ; la dernière "
            "tranche reçoit le reliquat, de sorte que le total est égal à la subvention."
        ),
        _table(
            [["Tranche", "Part", "Montant", "Condition", "Date prévue"]]
            + [
                [
                    Paragraph(text(payment.label), s["small"]),
                    f"{payment.share.normalize():f} %".replace(".", ","),
                    format_euros(payment.planned_amount),
                    Paragraph(
                        text(
                            payment.prerequisite_report.title + " accepté"
                            if payment.prerequisite_report
                            else PaymentTrigger.SIGNATURE.label
                        ),
                        s["small"],
                    ),
                    format_date(payment.planned_on),
                ]
                for payment in payments
            ]
            + [["Total", "100 %", format_euros(sum(p.planned_amount for p in payments)), "", ""]],
            [5 * cm, 1.6 * cm, 2.6 * cm, 4.6 * cm, 3.2 * cm],
        ),
        Spacer(1, 0.3 * cm),
        p("Article 4 — Bilans", "heading"),
        p(
            "Le bénéficiaire transmet sur la Plateforme PTCE les bilans suivants, au plus tard "
            "deux mois après la fin de la période qu’ils couvrent. Un bilan en retard suspend "
            "le versement suivant."
        ),
        _table(
            [["Bilan", "À transmettre au plus tard le"]]
            + [[report.title, format_date(report.due_on)] for report in reports],
            [9 * cm, 8 * cm],
        ),
        Spacer(1, 0.3 * cm),
        p(
            "Chaque bilan comprend un bilan qualitatif et les indicateurs suivants : membres "
            "du pôle par catégorie de l’article 9 de la loi ESS ; emplois créés et maintenus "
            "(ETP) ; chiffre d’affaires ; cofinancements obtenus, par financeur ; projets "
            "lancés ; personnes touchées ; bénévoles."
        ),
        p("Article 5 — Contrôle et reversement", "heading"),
        p(
            "L’administration peut demander tout justificatif de l’emploi de la subvention. Les "
            "sommes non utilisées conformément à la présente convention donnent lieu à "
            "reversement."
        ),
        Spacer(1, 0.6 * cm),
    ]
    if agreement.signed_on:
        story.append(p(f"<b>Convention signée le {format_date(agreement.signed_on)}.</b>"))
    else:
        story.append(
            Table(
                [["Pour l’administration", "Pour le bénéficiaire"], ["Date :", "Date :"], ["", ""]],
                colWidths=[8.5 * cm, 8.5 * cm],
                rowHeights=[0.7 * cm, 0.7 * cm, 2.2 * cm],
                style=TableStyle([("FONT", (0, 0), (-1, -1), FONT, 9)]),
            )
        )
    return _build(story, f"Convention {agreement.reference}")

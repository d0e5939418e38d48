"""The PDF receipt (accusé de réception) of a submitted version, rendered with ReportLab.

User text is escaped before it reaches ReportLab's mini-markup, so HTML or script typed in a
field is printed as text, never interpreted.
"""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from applications.choices import MemberCategory


def _p(text, style):
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def paris_time(value) -> str:
    when = parse_datetime(value) if isinstance(value, str) else value
    return timezone.localtime(when).strftime("%d/%m/%Y à %H:%M:%S (heure de Paris)")


def receipt_pdf(submission) -> bytes:
    data = submission.data
    styles = getSampleStyleSheet()
    body, title, heading = styles["BodyText"], styles["Title"], styles["Heading2"]
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"Accusé de réception {submission.reference}",
        author="Plateforme PTCE",
    )
    lead = data.get("lead", {})
    project = data.get("project", {})
    territory = data.get("territory", {})
    budget = data.get("budget", {})
    story = [
        Paragraph("Accusé de réception de dossier de candidature", title),
        _p("République française — Programme d’appui aux PTCE", body),
        Spacer(1, 6 * mm),
    ]
    facts = [
        ("Référence", submission.reference),
        ("Version", str(submission.version)),
        ("Déposé le", paris_time(submission.submitted_at)),
        ("Appel", data.get("call", {}).get("title", "")),
        (
            "Phase",
            {"emergence": "Phase 1 (label)", "funding": "Phase 2 (financement)"}.get(
                data.get("phase"), data.get("phase") or ""
            ),
        ),
        ("Relève", data.get("round") or "—"),
        ("Structure porteuse", f"{lead.get('name', '')} (SIRET {lead.get('siret', '')})"),
        ("Nom du pôle", project.get("pole_name", "")),
    ]
    table = Table([[_p(k, body), _p(v, body)] for k, v in facts], colWidths=[45 * mm, 125 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm), Paragraph("Résumé du contenu", heading)]
    members = data.get("members", [])
    by_category = {}
    for member in members:
        by_category[member.get("category")] = by_category.get(member.get("category"), 0) + 1
    lines = [
        f"Membres déclarés : {len(members)}"
        + (
            " ("
            + ", ".join(
                f"{MemberCategory(c).label if c in MemberCategory.values else c} : {n}"
                for c, n in sorted(by_category.items(), key=lambda item: str(item[0]))
            )
            + ")"
            if members
            else ""
        ),
        f"Territoire : {len(territory.get('communes', []))} commune(s), "
        f"{len(territory.get('epcis', []))} EPCI, départements "
        f"{', '.join(territory.get('departments', [])) or '—'}, population couverte "
        f"{territory.get('population', 0)} habitants",
        f"Budget : dépenses {budget.get('expenses', '0')} €, ressources "
        f"{budget.get('resources', '0')} €, montant demandé à l’État "
        f"{budget.get('requested', '0')} €",
        f"Pièces jointes : {len(data.get('attachments', []))}",
    ]
    for line in lines:
        story.append(_p(line, body))
    story += [Spacer(1, 4 * mm), Paragraph("Innovation sociale ou technologique", heading)]
    innovation = project.get("innovation", "")
    story.append(_p(innovation[:1500] + ("…" if len(innovation) > 1500 else ""), body))
    story += [
        Spacer(1, 6 * mm),
        Paragraph("Empreinte du dossier déposé", heading),
        _p(
            "Le contenu déposé est conservé tel quel. Son empreinte SHA-256 permet de vérifier "
            "qu’il n’a pas été modifié :",
            body,
        ),
        Paragraph(f"<font face='Courier'>{escape(submission.sha256)}</font>", body),
    ]
    document.build(story)
    return buffer.getvalue()

"""Decision letters and committee minutes as PDF (SPEC §5.5), from plain dicts.

Pure functions returning bytes; the committee pages and the publishing task will feed them from
the models and attach them to the outbox e-mails. Every piece of user text is escaped before it
reaches ReportLab's Paragraph markup (a name containing "<b>" or "&" prints as typed and cannot
change the layout). Output is reproducible: the same dict gives the same bytes.

Decision letter::

    {"reference": "PTCE-2026-0042", "call_title": "…", "phase": "funding" | "emergence",
     "decision": "accepted" | "rejected" | "waiting_list", "amount": Decimal | None,
     "reasons": "…" (required for a refusal), "waiting_position": 2 (optional),
     "date": date, "place": "Paris" (optional), "issuer": "…" (optional),
     "candidate": {"organisation": "…", "contact_name": "…", "address_lines": ["…"]},
     "signatory": {"name": "…", "title": "…"}}

Committee minutes::

    {"call_title": "…", "session_title": "…" (optional), "session_date": date,
     "place": "…" (optional), "members_present": ["Nom — fonction", …],
     "envelope": Decimal (optional), "decisions": [{"reference", "name", "region", "decision",
     "amount", "reasons"}, …], "chair": {"name", "title"} (optional)}
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .choices import CommitteeDecision
from .numbers import format_date, format_euros

DEFAULT_ISSUER = "Ministère chargé de l’économie sociale et solidaire — Programme PTCE"
PHASE_LABELS = {
    "emergence": "phase 1 « PTCE émergents »",
    "funding": "phase 2 « financement »",
}
DECISION_LABELS = dict(CommitteeDecision.choices)


class LetterError(ValueError):
    """The dict lacks what the document needs; the message says what, in French."""


def text(value) -> str:
    """User text made safe for Paragraph markup; line breaks kept."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


FONT = "PtceVera"
FONT_BOLD = "PtceVera-Bold"


@cache
def _register_fonts() -> None:
    """Bitstream Vera, shipped inside the ReportLab package: unlike the PDF standard fonts
    (Latin-1 only) it covers names such as « Łukasz » or « Ağaoğlu »; embedded as a subset."""
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, filename in (
        (FONT, "Vera.ttf"),
        (FONT_BOLD, "VeraBd.ttf"),
        ("PtceVera-Italic", "VeraIt.ttf"),
        ("PtceVera-BoldItalic", "VeraBI.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    pdfmetrics.registerFontFamily(
        FONT,
        normal=FONT,
        bold=FONT_BOLD,
        italic="PtceVera-Italic",
        boldItalic="PtceVera-BoldItalic",
    )


def _styles():
    _register_fonts()
    sheet = getSampleStyleSheet()

    def style(name, parent, font=FONT, **options):
        return ParagraphStyle(name, parent=sheet[parent], fontName=font, **options)

    return {
        "body": style("body", "Normal", fontSize=10, leading=14.5),
        "small": style("small", "Normal", fontSize=8, leading=10.5),
        "title": style("title", "Heading1", FONT_BOLD, fontSize=14.5, leading=19),
        "heading": style("heading", "Heading2", FONT_BOLD, fontSize=11.5, leading=15),
        "right": style("right", "Normal", fontSize=10, leading=14.5, alignment=TA_RIGHT),
    }


def _build(flowables, title: str) -> bytes:
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=title,
        author="Plateforme PTCE",
        invariant=True,
    )

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(2 * cm, 1.2 * cm, title)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Page {doc.page}")
        canvas.restoreState()

    document.build(flowables, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _require(data: Mapping, keys, what: str):
    missing = [key for key in keys if data.get(key) in (None, "")]
    if missing:
        raise LetterError(f"{what} : information manquante ({', '.join(missing)}).")


def _decision(value) -> str:
    if value not in DECISION_LABELS:
        raise LetterError(
            f"Décision inconnue « {value} » : accepted, rejected ou waiting_list attendu."
        )
    return str(value)


def decision_letter_pdf(data: Mapping) -> bytes:
    """The letter telling a candidate the committee's decision (see the module docstring)."""
    _require(data, ("reference", "call_title", "decision", "date"), "Lettre de décision")
    decision = _decision(data["decision"])
    candidate = data.get("candidate") or {}
    signatory = data.get("signatory") or {}
    _require(candidate, ("organisation",), "Lettre de décision, candidat")
    _require(signatory, ("name", "title"), "Lettre de décision, signataire")
    reasons = data.get("reasons") or ""
    if decision == CommitteeDecision.REJECTED and not str(reasons).strip():
        raise LetterError("Lettre de décision : un refus est toujours motivé.")
    amount = data.get("amount")
    phase = data.get("phase") or ""
    if decision == CommitteeDecision.ACCEPTED and phase == "funding" and not amount:
        raise LetterError("Lettre de décision : le montant accordé en phase 2 est manquant.")

    s = _styles()
    reference = text(data["reference"])
    call = text(data["call_title"])
    phase_text = f", {PHASE_LABELS[phase]}" if phase in PHASE_LABELS else ""
    story = [
        Paragraph(f"<b>{text(data.get('issuer') or DEFAULT_ISSUER)}</b>", s["small"]),
        Spacer(1, 0.8 * cm),
    ]
    recipient = [f"<b>{text(candidate['organisation'])}</b>"]
    if candidate.get("contact_name"):
        recipient.append(f"À l’attention de {text(candidate['contact_name'])}")
    recipient.extend(text(line) for line in candidate.get("address_lines") or ())
    story.append(Paragraph("<br/>".join(recipient), s["body"]))
    story.append(Spacer(1, 0.6 * cm))
    place = f"{text(data['place'])}, le " if data.get("place") else "Le "
    story.append(Paragraph(place + format_date(data["date"]), s["right"]))
    story.append(Spacer(1, 0.6 * cm))
    story.append(
        Paragraph(
            f"<b>Objet : décision relative au dossier {reference}</b><br/>"
            f"Appel « {call} »{phase_text}",
            s["body"],
        )
    )
    story.append(Spacer(1, 0.5 * cm))
    story.append(Paragraph("Madame, Monsieur,", s["body"]))
    story.append(Spacer(1, 0.3 * cm))

    if decision == CommitteeDecision.ACCEPTED:
        paragraphs = [
            "Nous avons le plaisir de vous informer que le comité de sélection a retenu votre "
            f"dossier {reference}, déposé dans le cadre de l’appel « {call} »."
        ]
        if phase == "emergence":
            paragraphs.append("Votre pôle obtient le label « PTCE émergent ».")
        if amount:
            paragraphs.append(
                f"Une subvention de <b>{format_euros(Decimal(amount))}</b> vous est attribuée "
                "au titre de la phase 2 « financement ». Une convention précisant l’échéancier "
                "des versements vous sera adressée prochainement."
            )
    elif decision == CommitteeDecision.WAITING_LIST:
        position = data.get("waiting_position")
        where = f" en position {text(position)}" if position else ""
        paragraphs = [
            f"Le comité de sélection a inscrit votre dossier {reference}, déposé dans le cadre "
            f"de l’appel « {call} », sur la liste d’attente{where}.",
            "Il pourra être retenu si des crédits se libèrent ; nous reviendrons vers vous dès "
            "qu’une décision définitive sera prise.",
        ]
    else:
        paragraphs = [
            "Nous avons le regret de vous informer que le comité de sélection n’a pas retenu "
            f"votre dossier {reference}, déposé dans le cadre de l’appel « {call} »."
        ]
    if str(reasons).strip():
        label = "Motifs du refus" if decision == CommitteeDecision.REJECTED else "Observations"
        paragraphs.append(f"<b>{label} :</b><br/>{text(reasons)}")
    if decision == CommitteeDecision.REJECTED:
        paragraphs.append(
            "Cette décision peut faire l’objet d’un recours gracieux auprès de l’autorité "
            "signataire ou d’un recours contentieux devant le tribunal administratif dans un "
            "délai de deux mois à compter de sa notification."
        )
    paragraphs.append(
        "Nous vous prions d’agréer, Madame, Monsieur, l’expression de nos salutations distinguées."
    )
    for paragraph in paragraphs:
        story.append(Paragraph(paragraph, s["body"]))
        story.append(Spacer(1, 0.3 * cm))
    story.append(Spacer(1, 0.8 * cm))
    story.append(
        Paragraph(f"{text(signatory['title'])}<br/><b>{text(signatory['name'])}</b>", s["right"])
    )
    return _build(story, f"Décision — dossier {data['reference']}")


def committee_minutes_pdf(data: Mapping) -> bytes:
    """Minutes of a committee session: members, decisions table and totals."""
    _require(data, ("call_title", "session_date"), "Procès-verbal")
    decisions = list(data.get("decisions") or ())
    for row in decisions:
        _require(row, ("reference", "decision"), "Procès-verbal, décision")
        _decision(row["decision"])
    s = _styles()
    title = text(data.get("session_title") or "Comité de sélection")
    where = f", {text(data['place'])}" if data.get("place") else ""
    story = [
        Paragraph(f"Procès-verbal — {title}", s["title"]),
        Paragraph(
            f"Appel « {text(data['call_title'])} » — séance du "
            f"{format_date(data['session_date'])}{where}",
            s["body"],
        ),
        Spacer(1, 0.4 * cm),
        Paragraph("Membres présents", s["heading"]),
    ]
    members = data.get("members_present") or ()
    if members:
        story.append(Paragraph("<br/>".join(f"– {text(m)}" for m in members), s["body"]))
    else:
        story.append(Paragraph("Aucun membre présent n’est indiqué.", s["body"]))
    story.append(Paragraph("Décisions", s["heading"]))

    header = ["Référence", "Pôle", "Région", "Décision", "Montant", "Motifs"]
    rows = [[Paragraph(f"<b>{label}</b>", s["small"]) for label in header]]
    counts = dict.fromkeys(DECISION_LABELS, 0)
    granted = Decimal(0)
    for row in decisions:
        decision = str(row["decision"])
        counts[decision] += 1
        amount = row.get("amount")
        if decision == CommitteeDecision.ACCEPTED and amount:
            granted += Decimal(amount)
        rows.append(
            [
                Paragraph(text(row["reference"]), s["small"]),
                Paragraph(text(row.get("name")), s["small"]),
                Paragraph(text(row.get("region")), s["small"]),
                Paragraph(DECISION_LABELS[decision], s["small"]),
                Paragraph(format_euros(Decimal(amount)) if amount else "—", s["small"]),
                Paragraph(text(row.get("reasons")), s["small"]),
            ]
        )
    if decisions:
        table = Table(
            rows,
            colWidths=[3.1 * cm, 3.2 * cm, 2.9 * cm, 2.1 * cm, 2.0 * cm, 3.7 * cm],
            repeatRows=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3e3fd")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    else:
        story.append(Paragraph("Aucune décision n’a été enregistrée.", s["body"]))

    story.append(Paragraph("Totaux", s["heading"]))
    totals = [
        f"Dossiers examinés : {len(decisions)}",
        f"Retenus : {counts[CommitteeDecision.ACCEPTED]}",
        f"Liste d’attente : {counts[CommitteeDecision.WAITING_LIST]}",
        f"Non retenus : {counts[CommitteeDecision.REJECTED]}",
        f"Montant total accordé : {format_euros(granted)}",
    ]
    if data.get("envelope") is not None:
        envelope = Decimal(data["envelope"])
        totals.append(f"Enveloppe : {format_euros(envelope)}")
        totals.append(f"Reste disponible : {format_euros(envelope - granted)}")
    story.append(Paragraph("<br/>".join(totals), s["body"]))
    chair = data.get("chair") or {}
    if chair.get("name"):
        story.append(Spacer(1, 0.8 * cm))
        story.append(
            Paragraph(
                f"{text(chair.get('title') or 'Présidence du comité')}<br/>"
                f"<b>{text(chair['name'])}</b>",
                s["right"],
            )
        )
    return _build(story, f"Procès-verbal — {data['call_title']}")

"""The PDF of a submitted file for the instruction (SPEC §5.6): the frozen snapshot of one
version, section by section with French labels (``reviews.versions.snapshot_sections``).

Reuses the fonts, styles and page layout of ``reviews.letters``; every value is escaped before
it reaches ReportLab's markup. Long texts are paragraphs (never table cells), so a 10 000
character diagnosis flows over pages.
"""

from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from reviews import letters, versions

PHASES = {"emergence": "Phase 1 (label)", "funding": "Phase 2 (financement)"}


def file_pdf(submission, *, status_label: str = "", region_name: str = "") -> bytes:
    """``submission``: an ``applications.models.Submission`` (its ``data`` is the snapshot)."""
    data = submission.data or {}
    styles = letters._styles()
    body, small = styles["body"], styles["small"]
    label_style = styles["heading"].clone("label", fontSize=10, leading=13, spaceBefore=4)
    story = [
        Paragraph(letters.text(f"Dossier {submission.reference}"), styles["title"]),
        Paragraph(
            letters.text(
                (data.get("project") or {}).get("pole_name") or (data.get("lead") or {}).get("name")
            ),
            body,
        ),
        Spacer(1, 0.4 * cm),
    ]
    facts = [
        ("Appel", (data.get("call") or {}).get("title", "")),
        ("Phase", PHASES.get(data.get("phase"), data.get("phase") or "—")),
        ("Relève", data.get("round") or "—"),
        ("Version", str(submission.version)),
        ("Déposée le", _when(submission.submitted_at)),
        ("Région d’instruction", region_name or "—"),
        ("État actuel", status_label or "—"),
        ("Empreinte SHA-256", submission.sha256),
    ]
    for label, value in facts:
        story.append(Paragraph(f"<b>{letters.text(label)}</b> : {letters.text(value)}", body))
    for title, rows in versions.snapshot_sections(data):
        story += [Spacer(1, 0.3 * cm), Paragraph(letters.text(title), styles["heading"])]
        if not rows:
            story.append(Paragraph("Rien de renseigné.", small))
        for label, value in rows:
            pair = [
                Paragraph(letters.text(label), label_style),
                Paragraph(letters.text(value), body),
            ]
            if len(str(value)) < 1500:  # a short pair never splits; a long text flows on
                story.append(KeepTogether(pair))
            else:
                story.extend(pair)
    return letters._build(story, f"Dossier {submission.reference} — version {submission.version}")


def _when(value) -> str:
    from applications.receipts import paris_time

    return paris_time(value) if value else "—"

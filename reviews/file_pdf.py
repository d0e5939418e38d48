"""The PDF of a submitted file for the instruction (SPEC §5.6): the frozen snapshot of one
version, section by section with French labels (``reviews.versions.snapshot_sections``).

``templates/pdf/file.html`` rendered by WeasyPrint (``core.pdf``); values are autoescaped. Long
texts are paragraphs, so a 10 000 character diagnosis flows over pages.
"""

from core.pdf import render_pdf
from editorial.defaults import ISSUER
from reviews import versions

PHASES = {"emergence": "Phase 1 (label)", "funding": "Phase 2 (financement)"}


def file_pdf(
    submission, *, status_label: str = "", region_name: str = "", names: dict | None = None
) -> bytes:
    """``submission``: an ``applications.models.Submission`` (its ``data`` is the snapshot);
    ``names``: region and department names by code (``reviews.file_page.territory_names``)."""
    data = submission.data or {}
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
    return render_pdf(
        "pdf/file.html",
        {
            "issuer": ISSUER,
            "reference": submission.reference,
            "name": (data.get("project") or {}).get("pole_name")
            or (data.get("lead") or {}).get("name")
            or "",
            "facts": facts,
            "sections": [
                (title, [(label, str(value)) for label, value in rows])
                for title, rows in versions.snapshot_sections(data, names)
            ],
        },
        title=f"Dossier {submission.reference} — version {submission.version}",
    )


def _when(value) -> str:
    from applications.receipts import paris_time

    return paris_time(value) if value else "—"

"""The PDF receipt (accusé de réception) of a submitted version: ``templates/pdf/receipt.html``
rendered by WeasyPrint (``core.pdf``), in French typography (« 145 500,00 € », « 35 417
habitants »).

The receipt shows what the phase of the file asks for: the budget only for a phase-2 file.
When phases 1 and 2 are filed together, each file gets its own receipt titled by its phase and
naming the linked file. It carries the SHA-256 of the frozen snapshot and the programme's
contact details (editable letter texts, /gestion/courriers/). User text is autoescaped.
"""

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from applications.choices import MemberCategory
from core.formatting import format_euros, format_integer, quantity
from core.pdf import render_pdf
from editorial.defaults import ISSUER, LetterKind
from editorial.services import letter_content, rendered_letter

PHASE_TITLES = {"emergence": "Phase 1 « PTCE émergents »", "funding": "Phase 2 « financement »"}


def paris_time(value) -> str:
    when = parse_datetime(value) if isinstance(value, str) else value
    return timezone.localtime(when).strftime("%d/%m/%Y à %H:%M:%S (heure de Paris)")


def _euros(value) -> str:
    return format_euros(value if value not in (None, "") else 0, cents=True)


def receipt_pdf(submission, *, content: dict | None = None) -> bytes:
    data = submission.data
    application = submission.application
    lead = data.get("lead", {})
    project = data.get("project", {})
    territory = data.get("territory", {})
    budget = data.get("budget", {})
    phase = data.get("phase") or ""
    phase_title = PHASE_TITLES.get(phase, phase)
    members = data.get("members", [])
    by_category = {}
    for member in members:
        by_category[member.get("category")] = by_category.get(member.get("category"), 0) + 1
    categories = ", ".join(
        f"{MemberCategory(c).label if c in MemberCategory.values else c} : {n}"
        for c, n in sorted(by_category.items(), key=lambda item: str(item[0]))
    )
    linked = application.linked_application or application.linked_files.first()
    texts = rendered_letter(
        LetterKind.RECEIPT,
        {
            "reference": submission.reference,
            "appel": data.get("call", {}).get("title", ""),
            "phase": phase_title,
            "date_depot": paris_time(submission.submitted_at),
        },
        content if content is not None else letter_content(LetterKind.RECEIPT, application.call),
    )
    innovation = project.get("innovation", "")
    return render_pdf(
        "pdf/receipt.html",
        {
            "issuer": ISSUER,
            "submission": submission,
            "phase_title": phase_title,
            "is_funding": phase == "funding",
            "linked": linked,
            "linked_phase": PHASE_TITLES.get(getattr(linked, "phase", ""), ""),
            "facts": [
                ("Référence", submission.reference),
                ("Phase", phase_title or "—"),
                ("Version", str(submission.version)),
                ("Déposé le", paris_time(submission.submitted_at)),
                ("Appel", data.get("call", {}).get("title", "")),
                ("Relève", data.get("round") or "—"),
                ("Structure porteuse", f"{lead.get('name', '')} (SIRET {lead.get('siret', '')})"),
                ("Nom du pôle", project.get("pole_name", "")),
            ],
            "members": quantity(len(members), "membre déclaré", "membres déclarés")
            + (f" ({categories})" if members else ""),
            "territory": (
                f"{quantity(len(territory.get('communes', [])), 'commune')}, "
                f"{format_integer(len(territory.get('epcis', [])))}\u00a0EPCI, "
                f"{quantity(len(territory.get('departments', [])), 'département')} "
                f"({', '.join(territory.get('departments', [])) or '—'}), population couverte "
                f"{quantity(territory.get('population') or 0, 'habitant')}"
            ),
            "budget": {
                "expenses": _euros(budget.get("expenses")),
                "resources": _euros(budget.get("resources")),
                "requested": _euros(budget.get("requested")),
            },
            "attachments": quantity(
                len(data.get("attachments", [])), "pièce jointe", "pièces jointes"
            ),
            "innovation": innovation[:1500] + ("…" if len(innovation) > 1500 else ""),
            "texts": texts,
        },
        title=f"Accusé de réception {submission.reference} — {phase_title}",
    )

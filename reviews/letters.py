"""Decision letters and committee minutes as PDF (SPEC §5.5), from plain dicts.

Rendered by WeasyPrint from the HTML templates ``templates/pdf/decision_letter.html`` and
``templates/pdf/minutes.html`` (``core.pdf``). The wording comes from the editable letter texts
(``editorial``): pass the texts in force as ``data["texts"]`` (``editorial.services.
letter_content``); without them the shipped defaults are used, so these functions stay pure.
User text is autoescaped by the templates: a name containing "<b>" or "&" prints as typed.

Decision letter::

    {"reference": "PTCE-2026-0042", "call_title": "…", "phase": "funding" | "emergence",
     "decision": "accepted" | "rejected" | "waiting_list", "amount": Decimal | None,
     "reasons": "…" (required for a refusal), "waiting_position": 2 (optional),
     "date": date, "place": "Paris" (optional), "issuer": "…" (optional),
     "candidate": {"organisation": "…", "contact_name": "…", "address_lines": ["…"]},
     "signatory": {"name": "…", "title": "…"} (optional: overrides the edited signatory),
     "texts": {"body": "…", "appeal": "…", …} (optional)}

Committee minutes::

    {"call_title": "…", "session_title": "…" (optional), "session_date": date,
     "place": "…" (optional), "members_present": ["Nom — fonction", …],
     "envelope": Decimal (optional), "decisions": [{"reference", "name", "region", "decision",
     "amount", "reasons"}, …], "chair": {"name", "title"} (optional), "texts": {…} (optional)}
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from core.formatting import format_date, format_euros
from core.pdf import render_pdf
from editorial.defaults import ISSUER, LetterKind
from editorial.services import rendered_letter

from .choices import CommitteeDecision

DEFAULT_ISSUER = ISSUER
PHASE_LABELS = {
    "emergence": "phase 1 « PTCE émergents »",
    "funding": "phase 2 « financement »",
}
DECISION_LABELS = dict(CommitteeDecision.choices)
LETTER_KINDS = {
    CommitteeDecision.ACCEPTED: LetterKind.ACCEPTANCE,
    CommitteeDecision.REJECTED: LetterKind.REFUSAL,
    CommitteeDecision.WAITING_LIST: LetterKind.WAITING_LIST,
}


class LetterError(ValueError):
    """The dict lacks what the document needs; the message says what, in French."""


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
    _require(candidate, ("organisation",), "Lettre de décision, candidat")
    kind = LETTER_KINDS[decision]
    texts_in = dict(data.get("texts") or {})
    if data.get("signatory"):
        _require(data["signatory"], ("name", "title"), "Lettre de décision, signataire")
        texts_in["signatory_name"] = data["signatory"]["name"]
        texts_in["signatory_title"] = data["signatory"]["title"]
    reasons = str(data.get("reasons") or "")
    if decision == CommitteeDecision.REJECTED and not reasons.strip():
        raise LetterError("Lettre de décision : un refus est toujours motivé.")
    amount = data.get("amount")
    phase = data.get("phase") or ""
    if decision == CommitteeDecision.ACCEPTED and phase == "funding" and not amount:
        raise LetterError("Lettre de décision : le montant accordé en phase 2 est manquant.")
    values = {
        "reference": data["reference"],
        "appel": data["call_title"],
        "porteur": candidate["organisation"],
        "date": format_date(data["date"]),
        "montant": format_euros(Decimal(amount)) if amount else "",
        "position": data.get("waiting_position") or "",
    }
    texts = rendered_letter(kind, values, texts_in)
    if not (texts["signatory_name"] and texts["signatory_title"]):
        raise LetterError("Lettre de décision, signataire : information manquante (title).")
    return render_pdf(
        "pdf/decision_letter.html",
        {
            "issuer": data.get("issuer") or DEFAULT_ISSUER,
            "data": data,
            "candidate": candidate,
            "decision": decision,
            "phase": phase,
            "phase_label": PHASE_LABELS.get(phase, ""),
            "amount": format_euros(Decimal(amount)) if amount else "",
            "reasons": reasons.strip(),
            "date": format_date(data["date"]),
            "texts": texts,
        },
        title=f"Décision — dossier {data['reference']}",
    )


def committee_minutes_pdf(data: Mapping) -> bytes:
    """Minutes of a committee session: members, decisions table and totals."""
    _require(data, ("call_title", "session_date"), "Procès-verbal")
    decisions = list(data.get("decisions") or ())
    for row in decisions:
        _require(row, ("reference", "decision"), "Procès-verbal, décision")
        _decision(row["decision"])
    counts = dict.fromkeys(DECISION_LABELS, 0)
    granted = Decimal(0)
    rows = []
    for row in decisions:
        decision = str(row["decision"])
        counts[decision] += 1
        amount = row.get("amount")
        if decision == CommitteeDecision.ACCEPTED and amount:
            granted += Decimal(amount)
        masked = bool(row.get("masked"))  # a file the reader has a conflict on: counted only
        rows.append(
            {
                **row,
                "label": "—" if masked else DECISION_LABELS[decision],
                "amount_text": format_euros(Decimal(amount)) if amount and not masked else "—",
            }
        )
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
    texts = rendered_letter(
        LetterKind.MINUTES,
        {"appel": data["call_title"], "date": format_date(data["session_date"])},
        data.get("texts"),
    )
    chair = dict(data.get("chair") or {})
    return render_pdf(
        "pdf/minutes.html",
        {
            "issuer": data.get("issuer") or DEFAULT_ISSUER,
            "data": data,
            "session_title": data.get("session_title") or "Comité de sélection",
            "session_date": format_date(data["session_date"]),
            "members": list(data.get("members_present") or ()),
            "rows": rows,
            "totals": totals,
            "texts": texts,
            "chair_name": chair.get("name") or texts["signatory_name"],
            "chair_title": chair.get("title") or texts["signatory_title"],
        },
        title=f"Procès-verbal — {data['call_title']}",
    )

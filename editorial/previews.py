"""Demo data for the PDF previews of the letter editor: the edited (unsaved) texts applied to
a realistic fictitious file, never to a real candidate's data."""

from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from editorial.defaults import LetterKind

DEMO_CANDIDATE = {
    "organisation": "Coopérative des Monts d’Auvergne",
    "contact_name": "Zoé Martin",
    "address_lines": ["12 rue de la Gare", "15000 Aurillac"],
}


def _letter(decision, content, call_title, **extra):
    from reviews.letters import decision_letter_pdf

    return decision_letter_pdf(
        {
            "reference": "PTCE-2026-0042",
            "call_title": call_title,
            "phase": "funding",
            "decision": decision,
            "amount": None,
            "reasons": "",
            "date": timezone.localdate(),
            "place": "Paris",
            "candidate": DEMO_CANDIDATE,
            "texts": content,
        }
        | extra
    )


def preview_pdf(kind: str, content: dict, call=None, reader=None) -> bytes:
    call_title = call.title if call else "AMI « Financer le développement des PTCE » 2026"
    if kind == LetterKind.ACCEPTANCE:
        return _letter("accepted", content, call_title, amount=Decimal("145500"))
    if kind == LetterKind.REFUSAL:
        return _letter(
            "rejected",
            content,
            call_title,
            reasons="Gouvernance peu formalisée.\nCofinancements non confirmés.",
        )
    if kind == LetterKind.WAITING_LIST:
        return _letter("waiting_list", content, call_title, waiting_position=2)
    if kind == LetterKind.MINUTES:
        from reviews.letters import committee_minutes_pdf

        return committee_minutes_pdf(
            {
                "call_title": call_title,
                "session_title": "Comité de sélection de démonstration",
                "session_date": timezone.localdate(),
                "place": "Paris",
                "members_present": ["Anne Dupont — cellule nationale"],
                "envelope": Decimal("500000"),
                "decisions": [
                    {
                        "reference": "PTCE-2026-0042",
                        "name": "Pôle des Monts",
                        "region": "Auvergne-Rhône-Alpes",
                        "decision": "accepted",
                        "amount": Decimal("145500"),
                        "reasons": "",
                    }
                ],
                "texts": content,
            }
        )
    if kind == LetterKind.RECEIPT:
        from applications.receipts import receipt_pdf

        return receipt_pdf(_demo_submission(call_title), content=content)
    if kind == LetterKind.AGREEMENT:
        return _agreement(content, call, reader)
    raise ValueError(kind)


def _demo_submission(call_title):
    no_file = SimpleNamespace(first=lambda: None)
    return SimpleNamespace(
        reference="PTCE-2026-0042",
        version=1,
        submitted_at=timezone.now(),
        sha256="0" * 64,
        application=SimpleNamespace(linked_application=None, linked_files=no_file, call=None),
        data={
            "phase": "funding",
            "call": {"title": call_title},
            "round": "Relève du 15 mars 2026",
            "lead": {"name": "Coopérative des Monts d’Auvergne", "siret": "12345678900011"},
            "project": {"pole_name": "Pôle des Monts", "innovation": "Une filière bois locale."},
            "members": [{"category": "ess_enterprise"}, {"category": "other_enterprise"}],
            "territory": {
                "communes": [{"code": "15014"}],
                "epcis": [{"code": "241500230"}],
                "departments": ["15"],
                "population": 35417,
            },
            "budget": {"expenses": "145500.00", "resources": "145500.00", "requested": "80000"},
            "attachments": [],
        },
    )


def _agreement(content, call, reader=None):
    """The latest real agreement serves as the example — never one of a file ``reader`` has
    a conflict of interest on."""
    from laureates.agreement_pdf import agreement_pdf
    from laureates.models_followup import Agreement
    from reviews.conflicts import without_conflicts

    agreement = without_conflicts(
        Agreement.objects.select_related("award__call", "award__application", "ptce"),
        reader,
        "award__application",
    )
    if call is not None:
        agreement = agreement.filter(award__call=call)
    agreement = agreement.order_by("-pk").first()
    if agreement is None:
        return None
    return agreement_pdf(agreement, content=content)

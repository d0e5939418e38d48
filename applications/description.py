"""The plain description of an application file read by the eligibility engine.

``describe(application)`` produces exactly the input documented in ``docs/eligibility.md``
(``calls.eligibility.evaluate``), so the same engine runs live in the form, in
``manage.py check_eligibility`` and behind ``POST /api/v1/eligibility``.
"""

from applications.choices import LegalForm, MemberKind, PhaseRequest
from calls.choices import Phase


def requested_phases(application) -> list[str]:
    if application.phase:
        if application.phase == Phase.FUNDING and application.linked_application_id:
            # Filed together with its phase-1 file.
            return [Phase.EMERGENCE.value, Phase.FUNDING.value]
        return [application.phase]
    return {
        PhaseRequest.EMERGENCE: [Phase.EMERGENCE.value],
        PhaseRequest.FUNDING: [Phase.FUNDING.value],
        PhaseRequest.BOTH: [Phase.EMERGENCE.value, Phase.FUNDING.value],
    }[application.requested_phases]


def describe(application, *, members=None, budget=None, territory=None) -> dict:
    """JSON-ready description of ``application`` (already-loaded parts may be passed in)."""
    from applications.services import (
        budget_summary,
        has_phase_one_label,
        territory_codes,
    )
    from registry.checks import previous_supports

    if members is None:
        members = list(application.members.all())
    if budget is None:
        budget = budget_summary(application)
    communes, epcis = territory if territory is not None else territory_codes(application)
    phases = requested_phases(application)
    funding = Phase.FUNDING in phases
    return {
        "phases": phases,
        "has_emergence_label": has_phase_one_label(application) if funding else False,
        "lead": {
            "kind": MemberKind.ORGANISATION.value,
            "name": application.lead_name,
            "siret": application.lead_siret,
            "category": application.lead_category or None,
            "legal_form": application.lead_legal_form,
            "legal_category": application.lead_legal_category,
            "is_public_body": application.lead_legal_form == LegalForm.PUBLIC_BODY,
            "group_mostly_non_ess": False,
        },
        "members": [
            {
                "kind": member.kind,
                "name": member.name,
                "siret": member.siret,
                "category": member.category or None,
                "group_mostly_non_ess": member.group_mostly_non_ess,
            }
            for member in members
        ],
        "territory": {"communes": list(communes), "epcis": list(epcis)},
        "project": {"innovation": application.innovation},
        # Declared by the candidate; found: an earlier call funded the same lead or pole
        # (awards, funding labels, accepted files; by SIRET, SIREN or name).
        "previous_state_support": bool(application.previous_state_support),
        "previous_state_support_found": [s.summary for s in previous_supports(application)],
        "budget": {
            "requested_amount": str(budget.requested) if funding else None,
            "total_expenses": str(budget.expenses) if funding else None,
            "total_resources": str(budget.resources) if funding else None,
        },
        "attachments": sorted(set(application.attachments.values_list("kind", flat=True))),
    }

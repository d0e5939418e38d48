"""Who can be invited to an event: a small registry of audiences.

Each audience has a key, a French label, the parameter it needs (none, a pasted list, a
région, a call) and a resolver returning e-mail addresses. Other apps register theirs in their
``AppConfig.ready`` (e.g. laureates of phase 1) with :func:`register`.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

PARAM_NONE = ""
PARAM_EMAILS = "emails"
PARAM_REGION = "region"
PARAM_CALL = "call"


@dataclass(frozen=True)
class Audience:
    key: str
    label: str
    resolver: Callable[[dict], Iterable[str]]
    parameter: str = PARAM_NONE

    def resolve(self, params: dict) -> list[str]:
        return normalise_addresses(self.resolver(params))


_REGISTRY: dict[str, Audience] = {}


def register(key: str, label: str, resolver, parameter: str = PARAM_NONE) -> None:
    _REGISTRY[key] = Audience(key, label, resolver, parameter)


def get(key: str) -> Audience:
    return _REGISTRY[key]


def registered() -> list[Audience]:
    return list(_REGISTRY.values())


def choices() -> list[tuple[str, str]]:
    return [(audience.key, audience.label) for audience in _REGISTRY.values()]


def normalise_addresses(addresses: Iterable[str]) -> list[str]:
    """Lower-cased, stripped, duplicates merged, first-seen order kept."""
    seen = {}
    for address in addresses:
        cleaned = (address or "").strip().lower()
        if cleaned and cleaned not in seen:
            seen[cleaned] = None
    return list(seen)


SEPARATORS = re.compile(r"[\s,;]+")
NAMED_ADDRESS = re.compile(r"^.*<([^<>]+)>$")


def parse_email_list(text: str) -> tuple[list[str], list[str]]:
    """Split a pasted list (commas, semicolons, spaces or lines; « Nom <adresse> » accepted).

    Returns ``(valid, invalid)``: valid addresses lower-cased with duplicates merged, invalid
    entries as typed (duplicates merged too)."""
    valid: list[str] = []
    invalid: list[str] = []
    for raw_line in (text or "").splitlines():
        line = raw_line.strip()
        if not line:
            continue
        named = NAMED_ADDRESS.match(line)
        tokens = [named.group(1)] if named else SEPARATORS.split(line)
        for token in tokens:
            token = token.strip().strip("<>")
            if not token:
                continue
            try:
                validate_email(token)
            except ValidationError:
                if token not in invalid:
                    invalid.append(token)
            else:
                valid.append(token)
    return normalise_addresses(valid), invalid


def _pasted(params: dict) -> list[str]:
    valid, _invalid = parse_email_list(params.get("emails", ""))
    return valid


def _active_users():
    from accounts.models import User

    return User.objects.filter(is_active=True, email_confirmed_at__isnull=False)


def _candidates(params: dict) -> list[str]:
    from accounts.models import Role

    return list(
        _active_users()
        .filter(role=Role.CANDIDATE)
        .order_by("email")
        .values_list("email", flat=True)
    )


def _region_accounts(params: dict) -> list[str]:
    region = params.get("region")
    if not region:
        return []
    return list(
        _active_users().filter(region=region).order_by("email").values_list("email", flat=True)
    )


def _ptce_contacts(ptces) -> list[str]:
    return list(
        ptces.exclude(contact_email="")
        .order_by("contact_email")
        .values_list("contact_email", flat=True)
    )


def _active_ptce():
    from laureates.models import Ptce, PtceStatus

    return Ptce.objects.exclude(status=PtceStatus.INACTIVE)


def _all_ptce(params: dict) -> list[str]:
    return _ptce_contacts(_active_ptce())


def _laureates_of_phase(phase: str):
    def resolve(params: dict) -> list[str]:
        return _ptce_contacts(_active_ptce().filter(labels__phase=phase).distinct())

    return resolve


def _call_candidates(params: dict) -> list[str]:
    """Owners, co-editors and contacts of the files submitted to a call (drafts excluded)."""
    from applications.choices import ApplicationStatus
    from applications.models import Application

    call = params.get("call")
    if not call:
        return []
    files = Application.objects.filter(call=call).exclude(status=ApplicationStatus.DRAFT)
    owners = files.values_list("owner__email", flat=True)
    co_editors = files.values_list("co_editors__email", flat=True)
    contacts = files.exclude(contact_email="").values_list("contact_email", flat=True)
    return [address for address in [*owners, *co_editors, *contacts] if address]


register("emails", "Liste d’adresses collées", _pasted, PARAM_EMAILS)
register("candidates", "Tous les comptes porteurs de projet", _candidates)
register("region", "Comptes rattachés à une région", _region_accounts, PARAM_REGION)
register("ptce_contacts", "Contacts de tous les PTCE (hors pôles inactifs)", _all_ptce)
register(
    "laureates_phase_1",
    "Lauréats de la phase 1 « PTCE émergents »",
    _laureates_of_phase("emergence"),
)
register(
    "laureates_phase_2", "Lauréats de la phase 2 « financement »", _laureates_of_phase("funding")
)
register("call_candidates", "Candidats d’un appel (dossiers déposés)", _call_candidates, PARAM_CALL)

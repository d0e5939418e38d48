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


register("emails", "Liste d’adresses collées", _pasted, PARAM_EMAILS)
register("candidates", "Tous les comptes porteurs de projet", _candidates)
register("region", "Comptes rattachés à une région", _region_accounts, PARAM_REGION)

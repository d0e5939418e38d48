"""Issue, check and revoke API tokens (bearer tokens for the staff-only API resources).

A token is ``ptce_`` + 43 random URL-safe characters (256 bits); only its SHA-256 is stored, so
a stolen database does not yield usable tokens, and lookup is one indexed query."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.permissions import is_authenticated, is_staff_member
from core import audit
from directory.models import ApiToken

TOKEN_PREFIX = "ptce_"  # noqa: S105 - a public marker, not a secret
DEFAULT_DAYS = 90
MAX_DAYS = 366
LAST_USED_PRECISION = timedelta(minutes=5)  # at most one write per token every 5 minutes


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


class TokenError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def issue_token(owner, *, name: str, days: int = DEFAULT_DAYS, actor=None) -> tuple[ApiToken, str]:
    """A new token for ``owner`` (a staff member), valid ``days`` days (1 to 366). Returns the
    row and the token in clear, to show once."""
    if not is_staff_member(owner):
        raise TokenError(403, "Seuls les agents du programme reçoivent un jeton d’API.")
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(400, f"Durée de validité entre 1 et {MAX_DAYS} jours.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        owner=owner,
        name=name[:100],
        prefix=raw[: len(TOKEN_PREFIX) + 4],
        token_hash=digest(raw),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record(
        "api.token_issued",
        actor=actor,
        obj=token,
        after={"owner": owner.pk, "expires_at": token.expires_at.isoformat()},
    )
    return token, raw


def revoke_token(token: ApiToken, *, actor=None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("api.token_revoked", actor=actor, obj=token)


@dataclass
class Authenticated:
    token: ApiToken
    user: object


def authenticate(header: str | None, *, now=None) -> Authenticated:
    """The owner behind an ``Authorization: Bearer <token>`` header, or TokenError(401) when the
    header is missing, malformed, unknown, expired or revoked, or the owner no longer active;
    TokenError(403) when the owner is no longer a staff member."""
    now = now or timezone.now()
    if not header:
        raise TokenError(401, "Jeton d’API requis : en-tête « Authorization: Bearer <jeton> ».")
    scheme, _, raw = header.strip().partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        raise TokenError(401, "Jeton d’API invalide.")
    token = ApiToken.objects.select_related("owner").filter(token_hash=digest(raw)).first()
    if token is None:
        raise TokenError(401, "Jeton d’API invalide.")
    if token.revoked_at is not None:
        raise TokenError(401, "Ce jeton d’API a été révoqué.")
    if token.expires_at <= now:
        raise TokenError(401, "Ce jeton d’API a expiré.")
    if not is_authenticated(token.owner):
        raise TokenError(401, "Le compte titulaire de ce jeton est désactivé.")
    if not is_staff_member(token.owner):
        raise TokenError(403, "Le titulaire de ce jeton n’a plus accès aux données réservées.")
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return Authenticated(token=token, user=token.owner)

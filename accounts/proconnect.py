"""Sign-in with ProConnect, the State's identity federation for professionals (OpenID Connect).

The protocol itself is Authlib's (authorisation-code flow with PKCE, ``state`` and ``nonce``,
ID token signature and claims, RP-initiated logout); this module only configures it and reads
ProConnect's signed userinfo (``application/jwt``) with joserfc, verified against the
provider's published keys. Everything is switched off unless the discovery URL, the client id
and the client secret are all set (see ``docs/proconnect.md``).
"""

import json
import threading
import time
from dataclasses import dataclass, field

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

SESSION_KEY = "accounts.proconnect"
NEXT_SESSION_KEY = "accounts.proconnect_next"
METADATA_MAX_AGE = 3600  # seconds: the provider's discovery document is read again after that
DEFAULT_SIGNING_ALGORITHMS = ["RS256", "ES256"]
WELL_KNOWN = "/.well-known/openid-configuration"


class ProviderUnavailable(Exception):
    """ProConnect could not be reached (connection refused, timeout, server error)."""


class SignInRefused(Exception):
    """The provider's answer failed a check (state, code, signature, claims…)."""


@dataclass
class Identity:
    """What ProConnect asserted about the person, once every check has passed."""

    sub: str
    email: str
    id_token: str
    claims: dict = field(default_factory=dict)  # ID token claims, then userinfo claims

    @property
    def acr(self) -> str:
        return str(self.claims.get("acr") or "")

    @property
    def amr(self) -> list[str]:
        value = self.claims.get("amr") or []
        return [value] if isinstance(value, str) else [str(item) for item in value]


def is_configured() -> bool:
    return bool(
        settings.PROCONNECT_DISCOVERY_URL
        and settings.PROCONNECT_CLIENT_ID
        and settings.PROCONNECT_CLIENT_SECRET
    )


_clients: dict[tuple, tuple[float, object]] = {}
_clients_lock = threading.Lock()


def get_client():
    """The Authlib client for the current settings (discovery read at most once an hour)."""
    key = (
        settings.PROCONNECT_DISCOVERY_URL,
        settings.PROCONNECT_CLIENT_ID,
        settings.PROCONNECT_CLIENT_SECRET,
        tuple(settings.PROCONNECT_SCOPES),
        settings.PROCONNECT_TIMEOUT,
    )
    with _clients_lock:
        cached = _clients.get(key)
        if cached is not None and time.monotonic() - cached[0] < METADATA_MAX_AGE:
            return cached[1]
        oauth = OAuth()
        client = oauth.register(
            name="proconnect",
            client_id=settings.PROCONNECT_CLIENT_ID,
            client_secret=settings.PROCONNECT_CLIENT_SECRET,
            server_metadata_url=settings.PROCONNECT_DISCOVERY_URL,
            client_kwargs={
                "scope": " ".join(settings.PROCONNECT_SCOPES),
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_post",
                "default_timeout": settings.PROCONNECT_TIMEOUT,
            },
        )
        _clients[key] = (time.monotonic(), client)
        return client


def _guard(call, *args, **kwargs):
    """Run one step of the protocol, turning library errors into our two exceptions."""
    try:
        return call(*args, **kwargs)
    except requests.HTTPError as error:
        status = error.response.status_code if error.response is not None else 0
        if status >= 500:
            raise ProviderUnavailable(str(error)) from error
        raise SignInRefused(str(error)) from error
    except requests.RequestException as error:  # refused, timed out, cut…
        raise ProviderUnavailable(f"{type(error).__name__}: {error}") from error
    except (OAuthError, JoseError, ValueError, KeyError, RuntimeError) as error:
        raise SignInRefused(f"{type(error).__name__}: {error}") from error


def _metadata(client) -> dict:
    """The discovery document, whose issuer must be the one the discovery URL belongs to."""
    metadata = _guard(client.load_server_metadata)
    expected = settings.PROCONNECT_DISCOVERY_URL.removesuffix(WELL_KNOWN).rstrip("/")
    if str(metadata.get("issuer") or "").rstrip("/") != expected:
        raise SignInRefused(
            f"émetteur {metadata.get('issuer')!r} différent de celui de l’URL de découverte"
        )
    return metadata


def authorize_redirect(request, redirect_uri: str):
    """Redirect to ProConnect's authorisation endpoint (state, nonce and PKCE kept in session)."""
    client = get_client()
    _metadata(client)
    params = {
        # ProConnect only sends `amr` when it is asked for as an essential ID token claim.
        "claims": json.dumps({"id_token": {"amr": {"essential": True}}}),
    }
    if settings.PROCONNECT_ACR_VALUES:
        params["acr_values"] = settings.PROCONNECT_ACR_VALUES
    return _guard(client.authorize_redirect, request, redirect_uri, **params)


def complete(request) -> Identity:
    """Check the callback (state), exchange the code (PKCE), validate the ID token, read userinfo.

    Raises ``ProviderUnavailable`` or ``SignInRefused``.
    """
    client = get_client()
    metadata = _metadata(client)
    # Authlib checks `iss` by default but only `azp` for the audience: ask for both explicitly.
    claims_options = {
        "iss": {"essential": True, "value": metadata.get("issuer")},
        "aud": {"essential": True, "value": client.client_id},
    }
    token = _guard(client.authorize_access_token, request, claims_options=claims_options)
    id_claims = token.get("userinfo")
    if not id_claims or not token.get("id_token"):
        raise SignInRefused("la réponse du fournisseur ne contient pas de jeton d’identité")
    userinfo = _guard(fetch_userinfo, client, token, expected_sub=id_claims["sub"])
    claims = {**dict(id_claims), **userinfo}
    email = str(claims.get("email") or "").strip().lower()
    if not email:
        raise SignInRefused("le fournisseur n’a pas transmis d’adresse électronique")
    return Identity(
        sub=str(id_claims["sub"]), email=email, id_token=token["id_token"], claims=claims
    )


def _key_set(client, force=False) -> KeySet:
    return KeySet.import_key_set(client.fetch_jwk_set(force=force))


def fetch_userinfo(client, token, *, expected_sub: str) -> dict:
    """Read the userinfo endpoint: a JWT signed by the provider (ProConnect) or plain JSON."""
    metadata = client.load_server_metadata()
    response = client.get(metadata["userinfo_endpoint"], token=token)
    response.raise_for_status()
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type == "application/jwt":
        algorithms = (
            metadata.get("userinfo_signing_alg_values_supported") or DEFAULT_SIGNING_ALGORITHMS
        )
        value = response.text.strip()
        try:
            decoded = jwt.decode(value, _key_set(client), algorithms=algorithms)
        except InvalidKeyIdError:  # the provider rotated its keys since we read them
            decoded = jwt.decode(value, _key_set(client, force=True), algorithms=algorithms)
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": metadata.get("issuer")},
            aud={"essential": True, "value": client.client_id},
        ).validate(decoded.claims)
        data = dict(decoded.claims)
    else:
        data = response.json()
        if not isinstance(data, dict):
            raise ValueError("réponse userinfo illisible")
    if str(data.get("sub")) != str(expected_sub):
        raise ValueError("l’identifiant de la réponse userinfo ne correspond pas au jeton")
    return {k: v for k, v in data.items() if k not in {"iss", "aud", "exp", "iat", "nbf"}}


def satisfies_mfa(identity: Identity) -> bool:
    """True when the provider says the person used several factors (amr) or a high acr."""
    if identity.acr and identity.acr in settings.PROCONNECT_MFA_ACR_VALUES:
        return True
    return bool(set(identity.amr) & set(settings.PROCONNECT_MFA_AMR_VALUES))


def logout_redirect(request, *, id_token: str, post_logout_redirect_uri: str):
    """Redirect to the provider's end-session endpoint (``id_token_hint``, ``state`` in session)."""
    return _guard(
        get_client().logout_redirect,
        request,
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=id_token,
    )


def validate_logout_return(request) -> None:
    _guard(get_client().validate_logout_response, request)

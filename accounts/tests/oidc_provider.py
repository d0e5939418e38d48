"""A real OpenID Connect provider for the tests, built on Authlib's server side.

It listens on 127.0.0.1 (random port) in a thread and behaves like ProConnect where the platform
depends on it: discovery, JWKS (RSA key generated per provider), authorisation-code flow with
PKCE (S256, required) and ``nonce``, ``client_secret_post`` at the token endpoint, one-time
codes, ID tokens carrying ``acr``/``amr``, userinfo as a signed JWT (``application/jwt``) or as
JSON, RP-initiated logout (``end_session_endpoint`` with ``id_token_hint``).

Tests choose who is signed in at the provider (``login_as``) and may make it misbehave
(``id_token_fault``, ``userinfo_fault``, ``userinfo_as_jwt``).
"""

import functools
import json
import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.util import request_uri

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    JsonRequest,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
    ResourceProtector,
    TokenMixin,
    grants,
)
from authlib.oauth2.rfc6749.util import list_to_scope, scope_to_list
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin, OpenIDCode, UserInfo, UserInfoEndpoint
from authlib.oidc.rpinitiated import EndSessionEndpoint
from joserfc.jwk import KeySet, RSAKey

SUPPORTED_SCOPES = ["openid", "email", "given_name", "usual_name", "siret", "idp_id"]


@dataclass
class ProviderUser:
    sub: str
    email: str
    given_name: str = ""
    usual_name: str = ""
    siret: str = ""
    idp_id: str = "fia1v2"


@dataclass
class Login:
    user: ProviderUser
    acr: str = "eidas1"
    amr: list[str] = field(default_factory=lambda: ["pwd"])


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    userinfo_signed: bool = True

    @property
    def client_metadata(self):
        data = {"post_logout_redirect_uris": self.post_logout_redirect_uris}
        if self.userinfo_signed:
            data["userinfo_signed_response_alg"] = "RS256"
        return data

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return list_to_scope([s for s in scope_to_list(scope or "") if s in SUPPORTED_SCOPES])

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method == "client_secret_post"

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    login: Login
    nonce: str
    code_challenge: str
    code_challenge_method: str
    auth_time: int

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return self.login.acr

    def get_amr(self):
        return self.login.amr


@dataclass
class Token(TokenMixin):
    access_token: str
    scope: str
    client: Client
    user: ProviderUser
    issued_at: float
    expires_in: int

    def check_client(self, client):
        return client.client_id == self.client.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_expired(self):
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self):
        return False

    def get_user(self):
        return self.user

    def get_client(self):
        return self.client


class WsgiPayload(OAuth2Payload):
    def __init__(self, values: dict[str, list[str]]):
        self._values = values

    @property
    def data(self):
        return {key: values[0] for key, values in self._values.items()}

    @property
    def datalist(self):
        return defaultdict(list, self._values)


class WsgiRequest(OAuth2Request):
    def __init__(self, environ):
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        super().__init__(environ["REQUEST_METHOD"], request_uri(environ), headers=headers)
        self._args = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        self._form = {}
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length).decode()
            self._form = parse_qs(body, keep_blank_values=True)
        merged = {**self._args, **self._form}
        self.payload = WsgiPayload(merged)

    @property
    def args(self):
        return {key: values[0] for key, values in self._args.items()}

    @property
    def form(self):
        return {key: values[0] for key, values in self._form.items()}


def _user_claims(user: ProviderUser, scope: str) -> UserInfo:
    scopes = set(scope_to_list(scope or ""))
    claims = UserInfo(sub=user.sub)
    for name in ("email", "given_name", "usual_name", "siret", "idp_id"):
        if name in scopes and getattr(user, name):
            claims[name] = getattr(user, name)
    return claims


@functools.cache
def _keys() -> tuple[RSAKey, RSAKey]:
    """The provider's signing key, and another one with the same `kid` (forged signatures).

    Generated once per test session: RSA key generation is what would make the tests slow.
    """
    return tuple(
        RSAKey.generate_key(2048, parameters={"kid": "cle-test", "use": "sig"}) for _ in range(2)
    )


@functools.cache
def _next_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "cle-suivante", "use": "sig"})


class Provider:
    """The provider and its HTTP server; use as a context manager."""

    def __init__(self, *, client_id: str, client_secret: str, redirect_uri: str, logout_uri: str):
        self.key, self.other_key = _keys()
        self.client = Client(client_id, client_secret, [redirect_uri], [logout_uri])
        self.current_login: Login | None = None
        self.id_token_fault = ""  # "expired", "wrong_audience", "bad_signature", "wrong_nonce",
        # "wrong_audience_with_azp"
        self.userinfo_fault = ""  # "bad_signature"
        self.userinfo_as_jwt = True
        self.announced_issuer = ""  # to announce another issuer in the discovery document
        self.codes: dict[str, AuthorizationCode] = {}
        self.tokens: dict[str, Token] = {}
        self.ended_sessions: list[dict] = []
        self.token_requests = 0
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._current_request = None
        self.issuer = ""
        self.authorization_server = self._build_server()

    # --- life cycle -------------------------------------------------------------------------
    def __enter__(self):
        self._server = make_server("127.0.0.1", 0, self.wsgi_app, handler_class=_QuietHandler)
        self.port = self._server.server_port
        self.issuer = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    @property
    def discovery_url(self):
        return f"{self.issuer}/.well-known/openid-configuration"

    def login_as(self, user: ProviderUser, *, acr="eidas1", amr=("pwd",)):
        self.current_login = Login(user=user, acr=acr, amr=list(amr))

    def rotate_key(self):
        """Sign with a new key (new `kid`) from now on, as a provider does from time to time."""
        self.key = _next_key()

    def public_jwks(self):
        return KeySet([self.key]).as_dict(private=False)

    # --- Authlib server ---------------------------------------------------------------------
    def _build_server(self):
        provider = self

        class Server(AuthorizationServer):
            def query_client(self, client_id):
                if client_id == provider.client.client_id:
                    return provider.client
                return None

            def save_token(self, token, request):
                provider.tokens[token["access_token"]] = Token(
                    access_token=token["access_token"],
                    scope=token["scope"],
                    client=request.client,
                    user=request.user,
                    issued_at=time.time(),
                    expires_in=token["expires_in"],
                )

            def create_oauth2_request(self, request):
                return request if isinstance(request, OAuth2Request) else WsgiRequest(request)

            def create_json_request(self, request):
                return JsonRequest(request["REQUEST_METHOD"], request_uri(request))

            def handle_response(self, status, body, headers):
                if isinstance(body, dict):
                    body = json.dumps(body)
                return status, body, headers

            def send_signal(self, name, *args, **kwargs):
                return None

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post"]

            def save_authorization_code(self, code, request):
                data = request.payload.data
                provider.codes[code] = AuthorizationCode(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=request.payload.redirect_uri,
                    scope=request.scope,
                    login=provider.current_login,
                    nonce="un-autre-nonce"
                    if provider.id_token_fault == "wrong_nonce"
                    else data.get("nonce", ""),
                    code_challenge=data.get("code_challenge", ""),
                    code_challenge_method=data.get("code_challenge_method", ""),
                    auth_time=int(time.time()),
                )

            def query_authorization_code(self, code, client):
                item = provider.codes.get(code)
                if item is not None and item.client_id == client.client_id:
                    return item
                return None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.login.user

        class IdToken(OpenIDCode):
            def exists_nonce(self, nonce, request):
                return any(code.nonce == nonce for code in provider.codes.values())

            def resolve_client_private_key(self, client):
                if provider.id_token_fault == "bad_signature":
                    return provider.other_key
                return provider.key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": provider.key.kid}

            def get_client_claims(self, client):
                now = int(time.time())
                claims = {"iss": provider.issuer, "aud": client.get_client_id()}
                if provider.id_token_fault == "wrong_audience":
                    claims["aud"] = "un-autre-service"
                if provider.id_token_fault == "wrong_audience_with_azp":
                    claims["aud"] = "un-autre-service"
                    claims["azp"] = client.get_client_id()
                if provider.id_token_fault == "expired":
                    claims["iat"] = now - 3600
                    claims["exp"] = now - 600
                return claims

            def generate_user_info(self, user, scope):
                return UserInfo(sub=user.sub)  # ProConnect's ID token carries only `sub`

        class UserInfoJwt(UserInfoEndpoint):
            def get_issuer(self):
                return provider.issuer

            def generate_user_info(self, user, scope):
                return _user_claims(user, scope)

            def resolve_private_key(self):
                if provider.userinfo_fault == "bad_signature":
                    return provider.other_key
                return provider.key

            def get_supported_algorithms(self):
                return ["RS256"]

        class Protector(ResourceProtector):
            def acquire_token(self, scopes=None):
                request = provider._current_request
                scopes = [scopes] if isinstance(scopes, str) else scopes
                return self.validate_request(scopes, request)

        class AccessTokens(BearerTokenValidator):
            def authenticate_token(self, token_string):
                return provider.tokens.get(token_string)

        class EndSession(EndSessionEndpoint):
            def get_server_jwks(self):
                return KeySet([provider.key])

            def end_session(self, end_session_request):
                provider.ended_sessions.append(
                    {
                        "claims": end_session_request.id_token_claims,
                        "redirect_uri": end_session_request.redirect_uri,
                    }
                )
                provider.current_login = None

        server = Server(scopes_supported=SUPPORTED_SCOPES)
        server.register_token_generator(
            "default",
            BearerTokenGenerator(lambda **kwargs: secrets.token_urlsafe(32)),
        )
        server.register_grant(
            CodeGrant, [CodeChallenge(required=True), IdToken(require_nonce=True)]
        )
        protector = Protector()
        protector.register_token_validator(AccessTokens())
        server.register_endpoint(UserInfoJwt(resource_protector=protector))
        server.register_endpoint(EndSession)
        return server

    # --- HTTP -------------------------------------------------------------------------------
    def discovery(self):
        base = self.issuer
        return {
            "issuer": self.announced_issuer or base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "end_session_endpoint": f"{base}/session/end",
            "scopes_supported": SUPPORTED_SCOPES,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": ["eidas1", "eidas2", "eidas3"],
            "claims_parameter_supported": True,
        }

    def wsgi_app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        server = self.authorization_server
        if path == "/.well-known/openid-configuration":
            result = 200, json.dumps(self.discovery()), [("Content-Type", "application/json")]
        elif path == "/jwks":
            result = 200, json.dumps(self.public_jwks()), [("Content-Type", "application/json")]
        elif path == "/authorize":
            result = self._authorize(environ)
        elif path == "/token":
            self.token_requests += 1
            result = server.create_token_response(environ)
        elif path == "/userinfo":
            self._current_request = WsgiRequest(environ)
            self.client.userinfo_signed = self.userinfo_as_jwt
            try:
                result = server.create_endpoint_response("userinfo", environ)
            finally:
                self._current_request = None
        elif path == "/session/end":
            result = server.create_endpoint_response("end_session", environ) or (
                200,
                "Vous êtes déconnecté de ProConnect.",
                [("Content-Type", "text/plain; charset=utf-8")],
            )
        else:
            result = 404, "Introuvable", [("Content-Type", "text/plain; charset=utf-8")]
        status, body, headers = result
        start_response(f"{status} X", list(headers))
        return [body.encode() if isinstance(body, str) else body]

    def _authorize(self, environ):
        if self.current_login is None:
            return 401, "Personne n'est connecté", [("Content-Type", "text/plain")]
        server = self.authorization_server
        request = WsgiRequest(environ)
        try:
            grant = server.get_consent_grant(request=request, end_user=self.current_login.user)
        except OAuth2Error as error:
            return server.handle_error_response(request, error)
        return server.create_authorization_response(
            request=request, grant_user=self.current_login.user, grant=grant
        )


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        return None


def callback_path(location: str) -> str:
    """The path and query of an absolute URL on the platform (to replay with the test client)."""
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path

"""Sign-in with ProConnect, driven end to end through a real OpenID Connect provider."""

import socket
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.urls import NoReverseMatch, reverse

from accounts.factories import PASSWORD, UserFactory, totp_device
from accounts.models import Role, User
from accounts.tests.conftest import CLIENT_ID
from accounts.tests.oidc_provider import callback_path
from core.models import AuditLog

pytestmark = pytest.mark.django_db

CALLBACK = "http://127.0.0.1:8000/compte/proconnect/retour/"


def start(client, next_url=""):
    """Press the ProConnect button: the platform redirects to the provider."""
    response = client.post("/compte/proconnect/connexion/", {"next": next_url})
    assert response.status_code == 302
    return response["Location"]


def provider_hop(location):
    """The browser at the provider: it answers with a redirect back to the platform."""
    answer = requests.get(location, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def sign_in(client, provider, user, *, next_url="", acr="eidas1", amr=("pwd",)):
    provider.login_as(user, acr=acr, amr=amr)
    back = provider_hop(start(client, next_url))
    assert back.startswith(CALLBACK)
    return client.get(callback_path(back))


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def actions():
    return list(AuditLog.objects.order_by("sequence").values_list("action", flat=True))


# --- switched off ---------------------------------------------------------------------------


def test_without_configuration_there_is_no_button_and_no_route(client):
    page = client.get("/compte/connexion/").content.decode()
    assert "ProConnect" not in page
    assert "fr-connect" not in page
    assert 'name="password"' in page
    for name in ("proconnect_login", "proconnect_callback", "proconnect_logged_out"):
        with pytest.raises(NoReverseMatch):
            reverse(f"accounts:{name}")
    assert client.post("/compte/proconnect/connexion/").status_code == 404
    assert client.get("/compte/proconnect/retour/?code=x&state=y").status_code == 404


# --- button and authorisation request -------------------------------------------------------


def test_sign_in_page_shows_the_dsfr_proconnect_button_and_keeps_passwords(client, provider):
    page = client.get("/compte/connexion/").content.decode()
    assert 'class="fr-connect-group"' in page
    assert '<button type="submit" class="fr-connect">' in page
    assert '<span class="fr-connect__login">S’identifier avec</span>' in page
    assert '<span class="fr-connect__brand">ProConnect</span>' in page
    assert (
        '<a href="https://www.proconnect.gouv.fr/" target="_blank" rel="noopener" '
        'title="Qu’est-ce que ProConnect ? - nouvelle fenêtre">Qu’est-ce que ProConnect ?</a>'
    ) in page
    assert 'action="/compte/proconnect/connexion/"' in page
    assert 'name="password"' in page  # candidates keep their password sign-in


def test_authorisation_request_has_pkce_state_nonce_scopes_and_acr(client, provider, settings):
    settings.PROCONNECT_SCOPES = ["openid", "email", "siret"]
    settings.PROCONNECT_ACR_VALUES = "eidas2"
    location = start(client)
    parts = urlsplit(location)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{provider.issuer}/authorize"
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert query["scope"] == "openid email siret"
    assert query["acr_values"] == "eidas2"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43  # base64url SHA-256
    assert len(query["state"]) >= 20
    assert len(query["nonce"]) >= 20
    assert query["claims"] == '{"id_token": {"amr": {"essential": true}}}'


def test_default_scopes_are_those_of_proconnect(client, provider):
    query = parse_qs(urlsplit(start(client)).query)
    assert query["scope"] == ["openid email given_name usual_name siret idp_id"]
    assert query["acr_values"] == ["eidas1"]


# --- accounts -------------------------------------------------------------------------------


def test_first_sign_in_creates_a_candidate_with_siret_and_names(client, provider, agent):
    response = sign_in(client, provider, agent, next_url="/compte/?onglet=1")
    assert response.status_code == 302
    assert response["Location"] == "/compte/?onglet=1"
    user = User.objects.get(email="claire.martin@exemple.fr")
    assert signed_in_user_id(client) == str(user.pk)
    assert (user.first_name, user.last_name, user.siret) == ("Claire", "Martin", "73282932000074")
    assert user.proconnect_sub == "sub-agent-0001"
    assert user.role == Role.CANDIDATE
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert user.email_confirmed_at is not None
    assert not user.has_usable_password()
    assert actions() == ["account.proconnect_created", "account.proconnect_signed_in"]
    signed_in = AuditLog.objects.get(action="account.proconnect_signed_in")
    assert signed_in.after == {"how": "created", "acr": "eidas1", "amr": ["pwd"], "mfa": False}
    page = client.get("/compte/").content.decode()
    assert "Votre compte a été créé à partir de votre identité ProConnect." in page
    assert "73282932000074" in page


def test_second_sign_in_finds_the_account_by_its_proconnect_identity(client, provider, agent):
    sign_in(client, provider, agent)
    client.post("/compte/deconnexion/")
    agent.email = "claire.martin@nouvelle-adresse.fr"  # the address changed at the provider
    response = sign_in(client, provider, agent)
    assert response.status_code == 302
    assert User.objects.count() == 1
    user = User.objects.get()
    assert signed_in_user_id(client) == str(user.pk)
    assert user.email == "claire.martin@exemple.fr"
    assert actions().count("account.proconnect_signed_in") == 2


def test_existing_account_with_the_same_address_is_linked(client, provider, agent):
    existing = UserFactory(email="claire.martin@exemple.fr", first_name="Claire-Anne")
    response = sign_in(client, provider, agent)
    assert response.status_code == 302
    existing.refresh_from_db()
    assert signed_in_user_id(client) == str(existing.pk)
    assert existing.proconnect_sub == "sub-agent-0001"
    assert existing.first_name == "Claire-Anne"  # names are only filled when empty
    assert existing.last_name.startswith("Test")
    assert existing.siret == "73282932000074"
    assert existing.check_password(PASSWORD)  # a confirmed account keeps its password
    assert actions() == ["account.proconnect_linked", "account.proconnect_signed_in"]
    linked = AuditLog.objects.get(action="account.proconnect_linked")
    assert linked.before["siret"] == ""
    assert linked.after["siret"] == "73282932000074"


def test_linking_an_unconfirmed_account_drops_the_password_nobody_proved(client, provider, agent):
    squatted = UserFactory(email="claire.martin@exemple.fr", unconfirmed=True)
    sign_in(client, provider, agent)
    squatted.refresh_from_db()
    assert squatted.email_confirmed_at is not None
    assert not squatted.has_usable_password()


def test_sign_in_never_grants_a_staff_role(client, provider, agent):
    candidate = UserFactory(email="claire.martin@exemple.fr")
    sign_in(client, provider, agent, acr="eidas3", amr=("pwd", "mfa"))
    candidate.refresh_from_db()
    assert candidate.role == Role.CANDIDATE
    assert (candidate.is_staff, candidate.is_superuser, candidate.region_id) == (False, False, None)
    assert client.get("/admin/").status_code == 302  # no Django admin either


def test_an_account_already_linked_to_another_identity_is_refused(client, provider, agent):
    UserFactory(email="claire.martin@exemple.fr", proconnect_sub="sub-quelqu-un-d-autre")
    response = sign_in(client, provider, agent)
    assert response.status_code == 400
    assert signed_in_user_id(client) is None
    assert "n’a pas pu être vérifiée" in response.content.decode()


def test_a_key_rotation_at_the_provider_is_followed(client, provider, agent):
    sign_in(client, provider, agent)  # the platform now holds the provider's first key
    client.post("/compte/deconnexion/")
    provider.rotate_key()
    response = sign_in(client, provider, agent)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(User.objects.get().pk)


def test_userinfo_as_plain_json_is_read_too(client, provider, agent):
    provider.userinfo_as_jwt = False
    sign_in(client, provider, agent)
    assert User.objects.get().siret == "73282932000074"


def test_an_invalid_siret_claim_is_not_stored(client, provider, agent):
    agent.siret = "12345678901234"
    sign_in(client, provider, agent)
    assert User.objects.get().siret == ""


# --- refused answers ------------------------------------------------------------------------


def test_wrong_state_is_refused_with_a_french_page(client, provider, agent):
    provider.login_as(agent)
    back = provider_hop(start(client))
    forged = back.replace("state=", "state=x")
    response = client.get(callback_path(forged))
    assert response.status_code == 400
    html = response.content.decode()
    assert "La connexion avec ProConnect n’a pas abouti" in html
    assert "vous n’avez pas été connecté" in html
    assert signed_in_user_id(client) is None
    assert provider.token_requests == 0  # refused before the code was even used
    assert not User.objects.exists()


def test_replayed_authorisation_code_is_refused(client, provider, agent):
    from django.test import Client

    provider.login_as(agent)
    back = provider_hop(start(client))
    assert client.get(callback_path(back)).status_code == 302
    # The same return link again, in the same browser: its state has been used.
    assert client.get(callback_path(back)).status_code == 400
    # An attacker with the intercepted code, in their own session with a fresh state.
    attacker = Client()
    own_state = parse_qs(urlsplit(start(attacker)).query)["state"][0]
    code = parse_qs(urlsplit(back).query)["code"][0]
    response = attacker.get(f"/compte/proconnect/retour/?code={code}&state={own_state}")
    assert response.status_code == 400
    assert provider.token_requests == 2  # the provider itself refused the second use
    assert attacker.session.get(SESSION_KEY) is None


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("expired", "ExpiredTokenError"),
        ("wrong_audience", "InvalidClaimError: invalid_claim: Invalid claim: 'aud'"),
        ("wrong_audience_with_azp", "InvalidClaimError: invalid_claim: Invalid claim: 'aud'"),
        ("bad_signature", "BadSignatureError"),
        ("wrong_nonce", "InvalidClaimError: invalid_claim: Invalid claim: 'nonce'"),
    ],
)
def test_an_id_token_that_fails_validation_is_refused(
    client, provider, agent, caplog, fault, reason
):
    provider.id_token_fault = fault
    response = sign_in(client, provider, agent)
    assert response.status_code == 400
    assert reason in caplog.text
    assert "La réponse de ProConnect n’a pas pu être vérifiée" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert not User.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="account.proconnect").exists()


def test_a_userinfo_with_a_bad_signature_is_refused(client, provider, agent, caplog):
    provider.userinfo_fault = "bad_signature"
    response = sign_in(client, provider, agent)
    assert response.status_code == 400
    assert "BadSignatureError" in caplog.text
    assert signed_in_user_id(client) is None
    assert not User.objects.exists()


def test_an_error_returned_by_the_provider_is_shown_in_french(client, provider, agent):
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(f"/compte/proconnect/retour/?error=access_denied&state={state}")
    assert response.status_code == 400
    assert "n’a pas abouti" in response.content.decode()


def test_a_discovery_document_for_another_issuer_is_refused(client, provider, caplog):
    provider.announced_issuer = "https://faux-fournisseur.example"
    response = client.post("/compte/proconnect/connexion/")
    assert response.status_code == 502
    assert "différent de celui de l’URL de découverte" in caplog.text


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_provider_down_when_starting_gives_a_clear_french_page(client, provider, settings):
    settings.PROCONNECT_DISCOVERY_URL = (
        f"http://127.0.0.1:{_closed_port()}/.well-known/openid-configuration"
    )
    response = client.post("/compte/proconnect/connexion/")
    assert response.status_code == 502
    html = response.content.decode()
    assert "ProConnect ne répond pas" in html
    assert "Réessayez dans quelques minutes" in html


def test_provider_down_on_return_gives_a_clear_french_page(client, provider, agent):
    provider.login_as(agent)
    back = provider_hop(start(client))
    provider.stop()
    response = client.get(callback_path(back))
    assert response.status_code == 502
    assert "ProConnect ne répond pas" in response.content.decode()
    assert signed_in_user_id(client) is None


# --- staff second factor --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("acr", "amr"),
    [("eidas1", ("pwd", "mfa")), ("eidas1", ("pwd", "totp")), ("eidas2", ("pwd",))],
)
def test_staff_with_multi_factor_at_proconnect_skip_the_totp_step(
    client, provider, agent, acr, amr
):
    reviewer = UserFactory(email="claire.martin@exemple.fr", reviewer=True)
    totp_device(reviewer)
    response = sign_in(client, provider, agent, acr=acr, amr=amr)
    assert response["Location"] == "/compte/"
    assert client.get("/compte/").status_code == 200
    assert AuditLog.objects.get(action="account.proconnect_signed_in").after["mfa"] is True


def test_staff_without_multi_factor_still_pass_the_totp_step(client, provider, agent):
    reviewer = UserFactory(email="claire.martin@exemple.fr", reviewer=True)
    totp_device(reviewer)
    sign_in(client, provider, agent, acr="eidas1", amr=("pwd",))
    assert signed_in_user_id(client) == str(reviewer.pk)
    page = client.get("/compte/")
    assert page.status_code == 302
    assert page["Location"] == "/compte/double-authentification/verifier/?next=/compte/"


def test_staff_without_authenticator_are_sent_to_enrol(client, provider, agent):
    UserFactory(email="claire.martin@exemple.fr", national=True)
    sign_in(client, provider, agent)
    assert client.get("/compte/")["Location"].startswith("/compte/double-authentification/?")


def test_the_mfa_mark_belongs_to_the_person_who_signed_in(client, provider, agent):
    reviewer = UserFactory(email="claire.martin@exemple.fr", reviewer=True)
    sign_in(client, provider, agent, amr=("mfa",))
    assert client.get("/compte/").status_code == 200
    other = UserFactory(reviewer=True)
    session = client.session
    session[SESSION_KEY] = str(other.pk)  # same session, another account
    session[HASH_SESSION_KEY] = other.get_session_auth_hash()
    session.save()
    response = client.get("/compte/")
    assert response["Location"] == "/compte/double-authentification/?next=/compte/"
    assert reviewer.pk != other.pk


# --- logout ---------------------------------------------------------------------------------


def test_logout_ends_the_provider_session_too(client, provider, agent):
    sign_in(client, provider, agent)
    id_token = client.session["accounts.proconnect"]["id_token"]
    response = client.post("/compte/deconnexion/")
    assert signed_in_user_id(client) is None
    parts = urlsplit(response["Location"])
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{provider.issuer}/session/end"
    assert query["id_token_hint"] == id_token
    assert (
        query["post_logout_redirect_uri"] == "http://127.0.0.1:8000/compte/proconnect/deconnexion/"
    )
    back = provider_hop(response["Location"])
    assert provider.current_login is None
    assert provider.ended_sessions[0]["claims"]["sub"] == "sub-agent-0001"
    assert back == f"http://127.0.0.1:8000/compte/proconnect/deconnexion/?state={query['state']}"
    final = client.get(callback_path(back), follow=True)
    assert "Vous êtes déconnecté de la plateforme et de ProConnect." in final.content.decode()


def test_a_logout_return_with_a_wrong_state_says_nothing(client, provider, agent):
    response = client.get("/compte/proconnect/deconnexion/?state=inconnu", follow=True)
    assert response.status_code == 200
    assert "ProConnect" not in "".join(str(m) for m in response.context["messages"])


def test_password_sign_in_logout_stays_local(client, provider):
    user = UserFactory()
    client.post("/compte/connexion/", {"username": user.email, "password": PASSWORD})
    response = client.post("/compte/deconnexion/")
    assert response["Location"] == "/"


# --- configuration --------------------------------------------------------------------------


def test_settings_read_the_environment_and_allow_the_provider_in_form_action():
    import json
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "PROCONNECT_DISCOVERY_URL": "https://fca.integ01.dev-agentconnect.fr/api/v2/.well-known/openid-configuration",
        "PROCONNECT_CLIENT_ID": "identifiant",
        "PROCONNECT_CLIENT_SECRET": "secret",
        "PROCONNECT_SCOPES": "openid email siret",
        "PROCONNECT_ACR_VALUES": "eidas2",
        "PROCONNECT_MFA_AMR_VALUES": "mfa,totp",
        "DJANGO_SETTINGS_MODULE": "ptce.settings",
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "from accounts import proconnect; print(json.dumps([proconnect.is_configured(), "
        "s.PROCONNECT_SCOPES, s.PROCONNECT_ACR_VALUES, s.PROCONNECT_MFA_AMR_VALUES, "
        "s.PROCONNECT_MFA_ACR_VALUES, s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']]))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(output) == [
        True,
        ["openid", "email", "siret"],
        "eidas2",
        ["mfa", "totp"],
        ["eidas2", "eidas3"],
        ["'self'", "https://fca.integ01.dev-agentconnect.fr"],
    ]


def test_mfa_lists_are_configurable(client, provider, agent, settings):
    settings.PROCONNECT_MFA_ACR_VALUES = ["eidas3"]
    settings.PROCONNECT_MFA_AMR_VALUES = ["hwk"]
    reviewer = UserFactory(email="claire.martin@exemple.fr", reviewer=True)
    totp_device(reviewer)
    sign_in(client, provider, agent, acr="eidas2", amr=("pwd", "mfa"))
    assert client.get("/compte/").status_code == 302  # not multi-factor by these settings
    client.post("/compte/deconnexion/")
    sign_in(client, provider, agent, acr="eidas1", amr=("pwd", "hwk"))
    assert client.get("/compte/").status_code == 200


def test_an_invalid_address_from_the_provider_is_refused(client, provider, agent):
    agent.email = "pas-une-adresse"
    response = sign_in(client, provider, agent)
    assert response.status_code == 400
    assert not User.objects.exists()


def test_admin_shows_the_siret_and_the_proconnect_link(client):
    from accounts.factories import login_staff

    admin = UserFactory(admin=True)
    login_staff(client, admin)
    linked = UserFactory(siret="73282932000074", proconnect_sub="sub-agent-0001")
    page = client.get(f"/admin/accounts/user/{linked.pk}/change/").content.decode()
    assert 'value="73282932000074"' in page
    assert "sub-agent-0001" in page

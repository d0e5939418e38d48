import re

import pytest
from django.core import mail
from django.test import override_settings

from accounts.factories import PASSWORD, UserFactory, current_code, login_staff, totp_device
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_signup_sends_confirmation_through_outbox_and_link_activates(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/compte/inscription/",
            {
                "email": "Nouvelle@Exemple.fr",
                "first_name": "Nadia",
                "last_name": "Durand",
                "organisation": "Association test",
                "password1": "un mot de passe solide",
                "password2": "un mot de passe solide",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle@exemple.fr")
    assert user.email_confirmed_at is None
    assert user.password.startswith(("argon2", "md5"))
    [message] = mail.outbox
    link = re.search(r"http://\S+/compte/confirmer/\S+/", message.body).group(0)
    # Unconfirmed: login is refused with an explanation.
    refused = client.post(
        "/compte/connexion/", {"username": user.email, "password": "un mot de passe solide"}
    )
    assert "pas encore confirmée" in refused.content.decode()
    confirm = client.get(link.replace("http://127.0.0.1:8000", ""))
    assert confirm.status_code == 302
    user.refresh_from_db()
    assert user.email_confirmed_at is not None
    ok = client.post(
        "/compte/connexion/", {"username": user.email, "password": "un mot de passe solide"}
    )
    assert ok.status_code == 302


def test_signup_errors_are_in_french_and_linked_to_fields(client):
    UserFactory(email="pris@exemple.fr")
    response = client.post(
        "/compte/inscription/",
        {
            "email": "pris@exemple.fr",
            "first_name": "",
            "last_name": "X",
            "password1": "123",
            "password2": "456",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Un compte existe déjà" not in html  # never told on the page (issue 22)
    assert "Les deux mots de passe ne sont pas identiques" in html
    assert 'aria-describedby="id_first_name' in html


def test_forged_confirmation_link_is_refused(client):
    response = client.get("/compte/confirmer/faux-jeton/")
    assert response.status_code == 400
    assert "pas valide" in response.content.decode()


def test_password_reset_goes_through_the_outbox(client, django_capture_on_commit_callbacks):
    UserFactory(email="oubli@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/compte/mot-de-passe/", {"email": "oubli@exemple.fr"})
    [message] = mail.outbox
    assert "/compte/mot-de-passe/" in message.body
    from core.models import OutboundEmail

    assert OutboundEmail.objects.get().template == "password_reset"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_login_is_throttled_after_repeated_failures(client):
    user = UserFactory()
    for _ in range(3):
        client.post("/compte/connexion/", {"username": user.email, "password": "faux"})
    locked = client.post("/compte/connexion/", {"username": user.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "temporairement bloquée" in locked.content.decode()


@pytest.mark.parametrize("trait", ["reviewer", "cell_lead", "national", "committee", "admin"])
def test_staff_without_second_factor_is_sent_to_enrolment(client, trait):
    user = UserFactory(**{trait: True})
    client.force_login(user)
    response = client.get("/compte/")
    assert response.status_code == 302
    assert response.url.startswith("/compte/double-authentification/")
    totp_device(user)
    response = client.get("/compte/")
    assert response.url.startswith("/compte/double-authentification/verifier/")
    assert client.get("/admin/").status_code == 302


def test_staff_with_verified_second_factor_gets_in(client):
    user = UserFactory(national=True)
    login_staff(client, user)
    assert client.get("/compte/").status_code == 200


def test_totp_verification_with_a_real_code(client):
    user = UserFactory(reviewer=True)
    device = totp_device(user)
    client.force_login(user)
    wrong = client.post("/compte/double-authentification/verifier/", {"token": "000000"})
    assert "Code incorrect" in wrong.content.decode()
    throttled = client.post("/compte/double-authentification/verifier/", {"token": "000000"})
    assert "Trop d’essais successifs" in throttled.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    ok = client.post(
        "/compte/double-authentification/verifier/",
        {"token": current_code(device), "next": "/compte/"},
    )
    assert ok.status_code == 302 and ok.url == "/compte/"
    assert client.get("/compte/").status_code == 200


def test_totp_enrolment(client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = UserFactory(committee=True)
    client.force_login(user)
    page = client.get("/compte/double-authentification/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post("/compte/double-authentification/", {"token": current_code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/compte/").status_code == 200


def test_candidate_needs_no_second_factor(client):
    client.force_login(UserFactory())
    assert client.get("/compte/").status_code == 200


def test_dashboard_requires_login(client):
    response = client.get("/compte/")
    assert response.status_code == 302
    assert response.url.startswith("/compte/connexion/")


def test_open_redirect_is_refused_after_otp(client):
    user = UserFactory(reviewer=True)
    device = totp_device(user)
    client.force_login(user)
    response = client.post(
        "/compte/double-authentification/verifier/",
        {"token": current_code(device), "next": "https://malveillant.example/"},
    )
    assert response.url == "/compte/"


@override_settings(AXES_FAILURE_LIMIT=5)
def test_lockout_is_shared_by_every_spelling_of_the_address(client):
    """Issue 22: five wrong passwords over three case variants lock the account, and the
    right password in yet another spelling is refused (429)."""
    user = UserFactory(email="porteur.nor@demo.ptce.fr")
    variants = [
        "porteur.nor@demo.ptce.fr",
        "Porteur.nor@demo.ptce.fr",
        " PORTEUR.NOR@demo.ptce.fr ",
    ]
    for attempt in range(5):
        response = client.post(
            "/compte/connexion/", {"username": variants[attempt % 3], "password": "faux"}
        )
        # The fifth failure already answers 429 (the limit is reached).
        assert response.status_code in ({200, 400} if attempt < 4 else {429}), attempt
    for spelling in [*variants, "Porteur.Nor@Demo.Ptce.Fr"]:
        locked = client.post("/compte/connexion/", {"username": spelling, "password": PASSWORD})
        assert locked.status_code == 429, spelling
    assert "_auth_user_id" not in client.session
    assert user.is_active


def test_lockout_username_is_normalised():
    from accounts.lockout import lockout_username

    assert lockout_username(None, {"username": "  Porteur.NOR@Demo.ptce.fr "}) == (
        "porteur.nor@demo.ptce.fr"
    )


def test_signup_answers_the_same_for_an_existing_address_and_tells_its_owner(
    client, django_capture_on_commit_callbacks
):
    """Issue 22: sign-up said « Un compte existe déjà avec cette adresse »."""
    from accounts.models import User
    from core.models import OutboundEmail

    UserFactory(email="pris@exemple.fr")
    data = {
        "first_name": "Aïcha",
        "last_name": "Durand",
        "organisation": "",
        "password1": "un mot de passe solide",
        "password2": "un mot de passe solide",
    }
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post("/compte/inscription/", {**data, "email": "Pris@Exemple.fr"})
        new = client.post("/compte/inscription/", {**data, "email": "libre@exemple.fr"})
    assert taken.status_code == new.status_code == 302
    assert taken["Location"] == new["Location"] == "/compte/inscription/envoyee/"
    assert User.objects.filter(email__iexact="pris@exemple.fr").count() == 1
    assert User.objects.filter(email="libre@exemple.fr").count() == 1
    assert set(OutboundEmail.objects.values_list("template", flat=True)) == {
        "account_exists",
        "confirm_email",
    }
    told = OutboundEmail.objects.get(template="account_exists")
    assert "pris@exemple.fr" in str(told.__dict__)
    assert "aucun nouveau compte n’a été créé" in told.body
    assert "/compte/mot-de-passe/" in told.body
    # Asking again the same day does not send a second message.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/compte/inscription/", {**data, "email": "pris@exemple.fr"})
    assert OutboundEmail.objects.filter(template="account_exists").count() == 1

"""Account services: sign-up, e-mail confirmation, role changes (audited)."""

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from core import audit
from core.outbox import queue_templated_email

CONFIRMATION_SALT = "accounts.confirm-email"
CONFIRMATION_MAX_AGE = 3 * 24 * 3600


def confirmation_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=CONFIRMATION_SALT)


def send_confirmation(user: User) -> None:
    from django.conf import settings

    link = settings.SITE_URL + reverse("accounts:confirm_email", args=[confirmation_token(user)])
    queue_templated_email(user.email, "confirm_email", {"user": user, "link": link})


@transaction.atomic
def sign_up(*, email, password, first_name, last_name, organisation="") -> User:
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        organisation=organisation,
        role=Role.CANDIDATE,
    )
    audit.record("account.signed_up", actor=user, obj=user, after={"email": user.email})
    send_confirmation(user)
    return user


def sign_up_or_notify(*, email, password, first_name, last_name, organisation="") -> User | None:
    """Sign-up that answers the same whether or not the address has an account (issue 22):
    a new address gets its account and confirmation link; an existing one gets, instead, an
    e-mail telling its owner (at most one a day) how to sign in or reset the password. The
    password is hashed in both cases so the answer takes as long."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password

    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        return sign_up(
            email=email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            organisation=organisation,
        )
    make_password(password)
    queue_templated_email(
        existing.email,
        "account_exists",
        {
            "user": existing,
            "login": settings.SITE_URL + reverse("accounts:login"),
            "reset": settings.SITE_URL + reverse("accounts:password_reset"),
        },
        dedup_key=f"account_exists:{existing.pk}:{timezone.localdate().isoformat()}",
    )
    audit.record("account.signup_existing", obj=existing, after={})
    return None


class InvalidToken(Exception):
    pass


def confirm_email(token: str) -> User:
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidToken("Ce lien a expiré : demandez un nouveau lien de confirmation.") from None
    except signing.BadSignature:
        raise InvalidToken("Ce lien de confirmation n’est pas valide.") from None
    user = User.objects.filter(pk=data.get("user"), email=data.get("email")).first()
    if user is None:
        raise InvalidToken("Ce lien de confirmation n’est pas valide.")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
        audit.record("account.email_confirmed", actor=user, obj=user)
    return user


@transaction.atomic
def change_role(user: User, *, role: str, region=None, actor=None) -> User:
    """Grant or change a role; every permission change is written to the audit log."""
    before = audit.snapshot(user, ["role", "region"])
    user.role = role
    user.region = region
    user.full_clean(exclude=["password"])
    user.save(update_fields=["role", "region"])
    audit.record(
        "account.role_changed",
        actor=actor,
        obj=user,
        before=before,
        after=audit.snapshot(user, ["role", "region"]),
    )
    return user


class ProConnectAccountRefused(Exception):
    """The ProConnect identity cannot be used to open a session on this platform."""


def _fill_from_claims(user: User, claims: dict) -> list[str]:
    """Fill empty names and the SIRET from ProConnect claims; return the changed fields."""
    from registry.validators import clean_number, is_valid_siret

    changed = []
    given_name = str(claims.get("given_name") or "").strip()[:150]
    usual_name = str(claims.get("usual_name") or claims.get("family_name") or "").strip()[:150]
    if given_name and not user.first_name:
        user.first_name = given_name
        changed.append("first_name")
    if usual_name and not user.last_name:
        user.last_name = usual_name
        changed.append("last_name")
    siret = clean_number(str(claims.get("siret") or ""))
    if siret and is_valid_siret(siret) and user.siret != siret:
        user.siret = siret
        changed.append("siret")
    return changed


@transaction.atomic
def sign_in_with_proconnect(identity, *, mfa: bool = False) -> tuple[User, str]:
    """Find, link or create the account of a ProConnect identity.

    Returns ``(user, how)`` where ``how`` is ``"known"``, ``"linked"`` or ``"created"``.
    The account is looked up by ProConnect's ``sub``, then by e-mail address: ProConnect only
    federates identity providers that verify the address, so an existing account with the same
    address is linked to the identity. A new account is always a candidate account: staff roles
    are granted by a programme admin, never by signing in.
    """
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(identity.email)
    except ValidationError:
        raise ProConnectAccountRefused("Adresse électronique transmise invalide.") from None
    user = User.objects.select_for_update().filter(proconnect_sub=identity.sub).first()
    how = "known"
    if user is None:
        user = User.objects.select_for_update().filter(email__iexact=identity.email).first()
        if user is not None:
            if user.proconnect_sub:
                raise ProConnectAccountRefused(
                    "Ce compte est déjà relié à une autre identité ProConnect."
                )
            how = "linked"
    if user is None:
        user = User(
            email=identity.email,
            role=Role.CANDIDATE,
            proconnect_sub=identity.sub,
            email_confirmed_at=timezone.now(),
        )
        user.set_unusable_password()
        _fill_from_claims(user, identity.claims)
        user.save()
        audit.record(
            "account.proconnect_created",
            actor=user,
            obj=user,
            after=audit.snapshot(user, ["email", "role", "first_name", "last_name", "siret"]),
        )
        how = "created"
    else:
        _update_known_account(user, identity, how)
    audit.record(
        "account.proconnect_signed_in",
        actor=user,
        obj=user,
        after={"how": how, "acr": identity.acr, "amr": identity.amr, "mfa": mfa},
    )
    return user, how


def _update_known_account(user: User, identity, how: str) -> None:
    if not user.is_active:
        raise ProConnectAccountRefused("Ce compte est désactivé.")
    before = audit.snapshot(user, ["first_name", "last_name", "siret", "email_confirmed_at"])
    changed = _fill_from_claims(user, identity.claims)
    if how == "linked":
        user.proconnect_sub = identity.sub
        changed.append("proconnect_sub")
        if user.email_confirmed_at is None:
            # Whoever created this unconfirmed account never proved they own the address:
            # the password they chose must not open the account now that it is confirmed.
            user.email_confirmed_at = timezone.now()
            user.set_unusable_password()
            changed += ["email_confirmed_at", "password"]
    if changed:
        user.save(update_fields=changed)
    if how == "linked":
        audit.record(
            "account.proconnect_linked",
            actor=user,
            obj=user,
            before=before,
            after=audit.snapshot(user, ["first_name", "last_name", "siret", "email_confirmed_at"]),
        )

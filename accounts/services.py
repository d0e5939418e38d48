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

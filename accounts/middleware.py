from django.shortcuts import redirect
from django.urls import reverse

EXEMPT_PREFIXES = ("/static/", "/sante/")
PROCONNECT_SESSION_KEY = "accounts.proconnect"  # same as accounts.proconnect.SESSION_KEY


def proconnect_mfa_verified(request, user) -> bool:
    """True when this session was opened by a ProConnect sign-in that used several factors."""
    state = request.session.get(PROCONNECT_SESSION_KEY) or {}
    return bool(state.get("mfa")) and state.get("user") == user.pk


class StaffTwoFactorMiddleware:
    """Every staff role must pass a second factor before reaching any other page.

    The second factor is the platform's TOTP, or a ProConnect sign-in whose ``amr``/``acr``
    shows multi-factor authentication: then ``user.is_verified()`` is true for this session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and proconnect_mfa_verified(request, user)
        ):
            user.is_verified = lambda: True
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff_role
            and not user.is_verified()
            and not request.path.startswith(EXEMPT_PREFIXES)
            and request.path not in self._allowed_paths()
        ):
            from django_otp import devices_for_user

            has_device = any(True for _ in devices_for_user(user, confirmed=True))
            target = "accounts:otp_verify" if has_device else "accounts:otp_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _allowed_paths():
        return {
            reverse("accounts:otp_setup"),
            reverse("accounts:otp_verify"),
            reverse("accounts:logout"),
        }

"""Sign-in lockout keyed on the account, whatever the spelling of its address.

django-axes counts failures per username (and address): without this, « Porteur@… »,
« porteur@… » and « porteur@… » with a space had five guesses each, and the right password
typed with another case signed in while the account was locked. ``AXES_USERNAME_CALLABLE``
points here, so every spelling shares one counter."""

from django.conf import settings


def normalise_username(value) -> str:
    """« Porteur.NOR@Demo.ptce.fr  » → « porteur.nor@demo.ptce.fr » (as accounts are stored)."""
    return str(value or "").strip().lower()


def lockout_username(request, credentials=None) -> str:
    """The username django-axes counts failures against (``AXES_USERNAME_CALLABLE``)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        return normalise_username(credentials.get(field))
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return normalise_username(data.get(field))

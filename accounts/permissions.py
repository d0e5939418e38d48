"""Small named predicates on roles, combined by each app into object permissions.

Views, exports and APIs call the same predicates (pretalx ``rules.py`` style), so a list can
never include what a detail page would refuse.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from accounts.models import Role

NATIONAL_ROLES = frozenset({Role.NATIONAL_CELL, Role.PROGRAMME_ADMIN})


def is_authenticated(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def has_role(user, *roles) -> bool:
    return is_authenticated(user) and user.role in roles


def is_candidate(user) -> bool:
    return has_role(user, Role.CANDIDATE)


def is_staff_member(user) -> bool:
    return is_authenticated(user) and user.is_staff_role


def is_national(user) -> bool:
    """National cell or programme admin: sees every file of every région."""
    return has_role(user, *NATIONAL_ROLES)


def is_committee_member(user) -> bool:
    return has_role(user, Role.COMMITTEE)


def is_programme_admin(user) -> bool:
    return has_role(user, Role.PROGRAMME_ADMIN)


def is_regional_for(user, region_id) -> bool:
    """A reviewer or cell lead of exactly this région."""
    return (
        has_role(user, Role.REGIONAL_REVIEWER, Role.REGIONAL_CELL_LEAD)
        and region_id is not None
        and user.region_id == region_id
    )


def is_cell_lead_for(user, region_id) -> bool:
    return (
        has_role(user, Role.REGIONAL_CELL_LEAD)
        and region_id is not None
        and user.region_id == region_id
    )


def is_two_factor_verified(user) -> bool:
    return is_authenticated(user) and bool(getattr(user, "is_verified", lambda: False)())


def user_passes(predicate, *, login_url="accounts:login"):
    """View decorator: anonymous → login page, authenticated without the right → 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not is_authenticated(request.user):
                from django.contrib.auth.views import redirect_to_login
                from django.urls import reverse

                return redirect_to_login(request.get_full_path(), reverse(login_url))
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def role_required(*roles):
    return user_passes(lambda user: user.role in roles)


def login_required(view):
    return user_passes(lambda user: True)(view)


def redirect_home():
    return redirect("core:home")

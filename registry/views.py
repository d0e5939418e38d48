"""Auto-fill endpoint of the company register, used by the application form."""

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from accounts.permissions import login_required
from registry import services


def _over_rate_limit(user) -> bool:
    """A gentle per-user limit (per minute) that protects the API's quota, not a security wall."""
    key = f"registry:lookups:{user.pk}"
    cache.add(key, 0, timeout=60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=60)
        count = 1
    return count > settings.SIRENE_LOOKUPS_PER_MINUTE


@require_GET
@login_required
def establishment(request, siret: str):
    """JSON for auto-filling a SIRET field. Who may see it: any signed-in user (the register is
    public data; sign-in and the rate limit only protect the API quota)."""
    if _over_rate_limit(request.user):
        return JsonResponse(
            {"error": "Trop de recherches en une minute : réessayez dans un instant."},
            status=429,
            headers={"Retry-After": "60"},
        )
    ok, message, data = services.form_check_siret(siret)
    data["accepted"] = ok
    data["message"] = message
    status = 400 if data["status"] == services.Status.INVALID else 200
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})

"""Rate limits on public or unauthenticated writes and costly endpoints, counted with
django-ratelimit in the shared cache (``CACHES["default"]``: database or Redis), per client
address (``core.network.client_ip``) unless another key is given.

The limits are in ``settings.RATE_LIMITS`` (``"N/period"``, period ``s``/``m``/``h``/``d``;
``PTCE_RATE_LIMIT_<NAME>`` overrides one, ``0`` switches it off) and documented in
docs/deploy.md. Views call :func:`hit` and answer with :func:`too_many_html` or
:func:`too_many_json` — a French 429 with ``Retry-After``."""

import math
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from core.network import client_ip

GENERIC_MESSAGE = "Trop de requêtes depuis votre connexion."


def rate(name: str) -> str | None:
    """The configured rate of limit ``name``, None when switched off."""
    value = settings.RATE_LIMITS.get(name)
    if not value or str(value).strip() in {"0", "0/s", "0/m", "0/h", "0/d"}:
        return None
    return str(value).strip()


def hit(request, name: str, *, key: str | None = None) -> int | None:
    """Count one request against limit ``name`` (for ``key``, else the client address).
    Returns None when allowed, else the number of seconds before the next window."""
    limit = rate(name)
    if limit is None:
        return None
    value = key if key is not None else client_ip(request)
    usage = get_usage(
        request,
        group=f"ptce.{name}",
        key=lambda _group, _request: value,
        rate=limit,
        increment=True,
    )
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, math.ceil(usage["time_left"] if usage["time_left"] else 1))


def _wait_label(seconds: int) -> str:
    if seconds < 90:
        return "dans une minute" if seconds > 1 else "dans un instant"
    minutes = math.ceil(seconds / 60)
    if minutes < 90:
        return f"dans {minutes} minutes"
    hours = math.ceil(minutes / 60)
    return "demain" if hours >= 24 else f"dans {hours} heures"


def retry_message(seconds: int, message: str = "") -> str:
    base = (message or GENERIC_MESSAGE).strip()
    base = base if base.endswith(".") else base + "."
    return f"{base} Vous pourrez réessayer {_wait_label(seconds)}."


def refused(response, seconds: int):
    """Mark a page re-displayed because of a limit: status 429 and ``Retry-After``."""
    response.status_code = 429
    response["Retry-After"] = str(seconds)
    return response


def too_many_html(request, seconds: int, message: str = ""):
    response = render(
        request,
        "429.html",
        {"message": retry_message(seconds, message)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def too_many_json(seconds: int, message: str = "", *, field: str = "detail") -> JsonResponse:
    response = JsonResponse(
        {field: retry_message(seconds, message), "retry_after": seconds},
        status=429,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Retry-After"] = str(seconds)
    return response


def limited(name: str, *, methods=("POST",), json_field: str | None = None, message: str = ""):
    """View decorator: count every request of ``methods`` against ``name``; over the limit,
    the view is not run and a 429 is returned (JSON with ``json_field`` when given)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                seconds = hit(request, name)
                if seconds is not None:
                    if json_field:
                        return too_many_json(seconds, message, field=json_field)
                    return too_many_html(request, seconds, message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

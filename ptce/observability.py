"""Logs and error tracking, configured from the environment by ptce/settings.py.

- ``PTCE_LOG_FORMAT=json``: one JSON object per line (python-json-logger) with ``timestamp``,
  ``level``, ``logger``, ``message``, ``request_id`` (core/requestid.py) and any ``extra``;
  ``text`` (default) keeps the readable lines of development.
- ``SENTRY_DSN``: errors go to Sentry (sentry-sdk), with personal data scrubbed before sending
  (:func:`scrub_event`): no cookies, headers of identity, request bodies, user names or e-mails,
  and e-mail addresses masked in every string of the event.
"""

import re

from django.core.exceptions import ImproperlyConfigured

LOG_FORMATS = {"text", "json"}


def logging_config(log_format: str = "text", level: str = "INFO") -> dict:
    """The ``LOGGING`` dict for ``log_format`` (``text`` or ``json``)."""
    from pythonjsonlogger.core import RESERVED_ATTRS

    if log_format not in LOG_FORMATS:
        raise ImproperlyConfigured(
            f"PTCE_LOG_FORMAT doit valoir « text » ou « json » (reçu : {log_format!r})."
        )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "core.requestid.RequestIdFilter"}},
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": ["levelname", "name", "message", "request_id"],
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": True,
                # Django attaches the request object to its records: not written out.
                "reserved_attrs": [*RESERVED_ATTRS, "request"],
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "axes": {"level": "WARNING"},
        },
    }


# --- Sentry ---------------------------------------------------------------------------------

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
EMAIL_MASK = "[adresse masquée]"
# Request headers that identify a person or carry a secret: never sent.
SECRET_HEADERS = {
    "authorization",
    "cookie",
    "proxy-authorization",
    "x-csrftoken",
    "x-forwarded-for",
    "x-real-ip",
}


def mask_emails(value):
    """``value`` with every e-mail address replaced, in strings nested at any depth."""
    if isinstance(value, str):
        return EMAIL.sub(EMAIL_MASK, value)
    if isinstance(value, dict):
        return {mask_emails(key): mask_emails(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_emails(item) for item in value]
    return value


def scrub_event(event, hint=None):
    """``before_send``: what may leave for Sentry. Drops the request's cookies, body, query
    string, environment (client address) and identifying headers, keeps of the user only its
    numeric id, then masks every e-mail address left anywhere (exception messages, log
    messages, breadcrumbs, extra data)."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("cookies", "data", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value for name, value in headers.items() if name.lower() not in SECRET_HEADERS
            }
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    return mask_emails(event)


def scrub_breadcrumb(crumb, hint=None):
    return mask_emails(crumb)


# What sentry-sdk's integrations collect by themselves: nothing that identifies a person.
# This is ``send_default_pii=False`` made explicit — sentry-sdk ≥ 2.5x replaces that flag by
# ``data_collection`` (and warns when it is passed) — and stricter: no cookies, request bodies,
# query strings, SQL parameters or stack-frame variables.
DATA_COLLECTION = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "denylist", "terms": ["cookie", "forwarded", "real-ip"]}},
    "http_bodies": [],
    "url_query_params": {"mode": "off"},
    "database_query_data": False,
    "stack_frame_variables": False,
    "gen_ai": {"inputs": False, "outputs": False},
    "graphql": {"document": False, "variables": False},
}


def sentry_options(dsn: str, *, environment: str, release: str = "", traces: float = 0.0):
    """Options of ``sentry_sdk.init``: no personal data collected, scrubbing hooks."""
    return {
        "dsn": dsn,
        "environment": environment,
        "release": release or None,
        "data_collection": DATA_COLLECTION,
        "max_request_body_size": "never",
        "before_send": scrub_event,
        "before_send_transaction": scrub_event,
        "before_breadcrumb": scrub_breadcrumb,
        "traces_sample_rate": traces,
    }


def init_sentry(environ, environment: str) -> bool:
    """Start sentry-sdk when ``SENTRY_DSN`` is set (called by the settings); True if started."""
    dsn = environ.get("SENTRY_DSN", "").strip()
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        **sentry_options(
            dsn,
            environment=environ.get("SENTRY_ENVIRONMENT", environment),
            release=environ.get("SENTRY_RELEASE", ""),
            traces=float(environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        )
    )
    return True

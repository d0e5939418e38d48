"""A request id for every request: taken from the incoming ``X-Request-ID`` when well-formed
(a reverse proxy's), generated otherwise; sent back in the response's ``X-Request-ID`` and added
to every log line written while the request runs (``request_id``, see ptce/observability.py).

Imported by the logging configuration: nothing here touches models.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.conf import settings

HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

_current: ContextVar[str | None] = ContextVar("request_id", default=None)
request_logger = logging.getLogger("ptce.request")


def current() -> str | None:
    """The id of the request being served by this thread, or None (worker, command)."""
    return _current.get()


def accept_or_generate(incoming: str) -> str:
    return incoming if WELL_FORMED.fullmatch(incoming or "") else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (None outside a request). Django logs a 4xx/5xx
    response after the middlewares have returned, with the request attached: its id is taken
    from there."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or _current.get()
        return True


class RequestIdMiddleware:
    """Sets the request id; with ``PTCE_LOG_REQUESTS`` writes one line per request (method,
    route pattern, view, status, duration — never the path itself, which may hold a token)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accept_or_generate(request.headers.get(HEADER, ""))
        request.request_id = request_id
        token = _current.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            if settings.PTCE_LOG_REQUESTS:
                self._log(request, response, time.perf_counter() - started)
            return response
        finally:
            _current.reset(token)

    @staticmethod
    def _log(request, response, duration):
        match = getattr(request, "resolver_match", None)
        request_logger.info(
            "%s %s %s",
            request.method,
            match.view_name if match else "-",
            response.status_code,
            extra={
                "method": request.method,
                "route": f"/{match.route}" if match else None,
                "view": match.view_name if match else None,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
            },
        )

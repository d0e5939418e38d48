"""HMAC-SHA256 signatures of webhook deliveries (same scheme as documented in docs/webhooks.md).

Header: ``X-PTCE-Signature: t=<unix timestamp>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``.
"""

import hashlib
import hmac
import secrets
import time

HEADER = "X-PTCE-Signature"
TOLERANCE_SECONDS = 300


def generate_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def compute(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header_value(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={compute(secret, timestamp, body)}"


def verify(
    secret: str, header: str, body: bytes, *, now: int | None = None, tolerance=TOLERANCE_SECONDS
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and its timestamp is recent."""
    parts = dict(item.split("=", 1) for item in (header or "").split(",") if "=" in item)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = compute(secret, timestamp, body)
    return hmac.compare_digest(expected, parts.get("v1", ""))

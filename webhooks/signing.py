"""Signatures of webhook deliveries.

Standard Webhooks (https://www.standardwebhooks.com/, the scheme of the stock ``standardwebhooks``
libraries): headers ``webhook-id`` (the event's id, the same on every attempt),
``webhook-timestamp`` (Unix seconds) and ``webhook-signature: v1,<base64 HMAC-SHA256 of
"<id>.<timestamp>.<raw body>">``; the key is the secret ``whsec_<base64>`` decoded exactly as
those libraries decode it.

Legacy header, kept for one release while receivers move (``WEBHOOKS_LEGACY_SIGNATURE``):
``X-PTCE-Signature: t=<unix timestamp>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
import time

from django.conf import settings

HEADER = "X-PTCE-Signature"
STANDARD_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
TOLERANCE_SECONDS = 300


def generate_secret() -> str:
    """``whsec_`` + 32 random bytes in standard base64 (what Standard Webhooks expects)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def standard_key(secret: str) -> bytes | None:
    """The HMAC key the stock libraries derive from ``secret``; None when they could not use it
    (some secrets made before Standard Webhooks, in URL-safe base64: regenerate them)."""
    text = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(text + "==")  # lenient, as the stock libraries decode
    except (binascii.Error, ValueError):
        return None
    return key or None


def legacy_enabled() -> bool:
    return getattr(settings, "WEBHOOKS_LEGACY_SIGNATURE", True)


def standard_signature(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    message = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, body: bytes, *, timestamp: int | None = None) -> dict:
    """Every signature header of one delivery attempt."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    result = {}
    key = standard_key(secret)
    if key is not None:
        result = {
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": standard_signature(key, message_id, timestamp, body),
        }
    if legacy_enabled() or key is None:
        result[HEADER] = header_value(secret, body, timestamp=timestamp)
    return result


def compute(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header_value(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={compute(secret, timestamp, body)}"


def verify(
    secret: str, header: str, body: bytes, *, now: int | None = None, tolerance=TOLERANCE_SECONDS
) -> bool:
    """Legacy header: True when ``header`` signs ``body`` with ``secret`` and is recent."""
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

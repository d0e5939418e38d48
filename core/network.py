"""Who is on the other end of a request: the client address, trusting ``X-Forwarded-For`` only
when the request comes from a reverse proxy listed in ``PTCE_TRUSTED_PROXIES``.

Used by every rate limit (``core.ratelimit``) and by the login throttling (django-axes)."""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _parse(value: str):
    try:
        return ipaddress.ip_address(value.strip().split("%", 1)[0])
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str:
    """The client's address. ``REMOTE_ADDR`` (the peer) unless the peer is a trusted proxy:
    then ``X-Forwarded-For`` is read from the right, skipping the trusted proxies, and the first
    other valid address is the client. A header sent by anyone else is ignored: a client cannot
    choose the address its limits are counted against."""
    peer = _parse(request.META.get("REMOTE_ADDR", "") or "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if peer is None:
        return "0.0.0.0"  # noqa: S104 — Unix socket without a proxy header: one shared bucket
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for item in reversed(forwarded.split(",")):
        address = _parse(item)
        if address is None:
            break  # garbage in the chain: stop trusting what lies beyond it
        if not _is_trusted(address, networks):
            return str(address)
    return str(peer)

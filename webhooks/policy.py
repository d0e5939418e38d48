"""Which receiver URLs are accepted (see docs/webhooks.md, « Adresses acceptées »).

- ``http`` or ``https`` only, no user name or password in the URL, a host name required;
- in production, ``https`` only (``WEBHOOKS_REQUIRE_HTTPS``, true when ``DJANGO_ENV=production``);
- in production, no internal address (loopback, private, link-local such as the cloud metadata
  address 169.254.169.254, multicast, reserved): the host name is resolved and every address it
  gives must be public (``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES``, false in production). The check is
  made when the endpoint is saved and again before each delivery (a name may change address).
- redirects are never followed.
"""

import contextlib
import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


def require_https() -> bool:
    return getattr(settings, "WEBHOOKS_REQUIRE_HTTPS", settings.PRODUCTION)


def allow_private_addresses() -> bool:
    return getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", not settings.PRODUCTION)


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _addresses(host: str) -> list[str]:
    with contextlib.suppress(ValueError):  # not a literal address: resolve the name
        return [str(ipaddress.ip_address(host))]
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise ValidationError(f"Nom d’hôte introuvable : {host}.") from error
    return sorted({info[4][0] for info in infos})


def check_url(url: str) -> None:
    """Raise ``ValidationError`` (French message) when ``url`` may not receive webhooks."""
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise ValidationError("Adresse invalide.") from error
    if parts.scheme not in {"http", "https"}:
        raise ValidationError("Seules les adresses http:// et https:// sont acceptées.")
    if require_https() and parts.scheme != "https":
        raise ValidationError("En production, l’adresse doit commencer par https://.")
    if parts.username or parts.password:
        raise ValidationError("L’adresse ne doit pas contenir d’identifiant ni de mot de passe.")
    host = parts.hostname
    if not host:
        raise ValidationError("L’adresse doit comporter un nom d’hôte.")
    if allow_private_addresses():
        return
    if any(_is_internal(address) for address in _addresses(host)):
        raise ValidationError(
            "Adresse interne refusée (boucle locale, réseau privé ou lien local) : "
            "indiquez une adresse publique."
        )

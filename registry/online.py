"""Client of the public company-search API (« API Recherche d'entreprises »).

``GET {SIRENE_API_BASE_URL}/search?q=<siren or siret>`` returns ``{"results": [...]}`` where each
result is a legal unit (``siren``, ``nom_complet``, ``nature_juridique``, ``activite_principale``,
``etat_administratif``, ``date_creation``, ``complements.est_ess``, ``siege{…}`` and
``matching_etablissements[…]``). Answers are cached in ``OnlineCacheEntry`` (shared by every
server) until they expire. Timeouts, 429 and 5xx are retried a few times with back-off; then, as
for malformed JSON, :class:`OnlineUnavailable` is raised and the caller falls back to the local
table (``registry.services``). Lookups made while a person waits (a form being saved) use a
short timeout and no retry (``SIRENE_API_INTERACTIVE_TIMEOUT``).
"""

import logging
import time
from datetime import timedelta

import httpx
from django.conf import settings
from django.utils import timezone

from registry.models import OnlineCacheEntry

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = {429, 500, 502, 503, 504}
NOT_FOUND = {"not_found": True}


_ssl_context = None


def _tls():
    """One TLS context per process: building it (reading the CA bundle) costs ~0.2 s, too much
    to pay on every lookup while someone waits."""
    global _ssl_context  # noqa: PLW0603 - a process-wide cache
    if _ssl_context is None:
        import ssl

        import certifi

        _ssl_context = ssl.create_default_context(cafile=certifi.where())
    return _ssl_context


class OnlineUnavailable(Exception):
    """The API could not answer (down, slow, rate-limited, malformed answer)."""


def _setting(name: str, default):
    return getattr(settings, name, default)


class OnlineClient:
    def __init__(
        self,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        *,
        timeout: float | None = None,
        retries: int | None = None,
    ):
        self.base_url = (base_url or _setting("SIRENE_API_BASE_URL", "")).rstrip("/")
        self.timeout = float(_setting("SIRENE_API_TIMEOUT", 3.0) if timeout is None else timeout)
        self.retries = int(_setting("SIRENE_API_RETRIES", 2) if retries is None else retries)
        self.backoff = float(_setting("SIRENE_API_BACKOFF", 0.3))
        self.cache_seconds = int(_setting("SIRENE_API_CACHE_SECONDS", 24 * 3600))
        self.not_found_cache_seconds = int(_setting("SIRENE_API_NOT_FOUND_CACHE_SECONDS", 3600))
        self.transport = transport

    # -- HTTP ---------------------------------------------------------------------------------

    def _get(self, number: str) -> dict:
        url = f"{self.base_url}/search"
        last_problem = ""
        with httpx.Client(
            timeout=httpx.Timeout(self.timeout),
            transport=self.transport,
            verify=_tls(),
            headers={"Accept": "application/json", "User-Agent": "Plateforme PTCE"},
        ) as client:
            for attempt in range(self.retries + 1):
                if attempt:
                    time.sleep(self._delay(attempt, last_problem))
                try:
                    response = client.get(url, params={"q": number, "page": 1, "per_page": 5})
                except httpx.TimeoutException:
                    last_problem = "délai dépassé"
                    continue
                except httpx.TransportError as error:
                    last_problem = f"erreur réseau ({error.__class__.__name__})"
                    continue
                if response.status_code in RETRYABLE_STATUSES:
                    last_problem = f"HTTP {response.status_code}"
                    self._retry_after = response.headers.get("Retry-After", "")
                    continue
                if response.status_code != 200:
                    raise OnlineUnavailable(f"HTTP {response.status_code}")
                try:
                    payload = response.json()
                except ValueError:
                    raise OnlineUnavailable("réponse JSON illisible") from None
                if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
                    raise OnlineUnavailable("réponse JSON inattendue (pas de « results »)")
                return payload
        raise OnlineUnavailable(f"{last_problem} après {self.retries + 1} tentatives")

    def _delay(self, attempt: int, last_problem: str) -> float:
        delay = self.backoff * (2 ** (attempt - 1))
        retry_after = getattr(self, "_retry_after", "")
        if last_problem == "HTTP 429" and retry_after.isdigit():
            delay = max(delay, min(float(retry_after), 2.0))
        return delay

    # -- cache --------------------------------------------------------------------------------

    def cached(self, key: str) -> dict | None:
        entry = OnlineCacheEntry.objects.filter(key=key, expires_at__gt=timezone.now()).first()
        return entry.payload if entry else None

    def _store(self, key: str, payload: dict):
        now = timezone.now()
        seconds = self.not_found_cache_seconds if payload == NOT_FOUND else self.cache_seconds
        OnlineCacheEntry.objects.update_or_create(
            key=key,
            defaults={
                "payload": payload,
                "fetched_at": now,
                "expires_at": now + timedelta(seconds=seconds),
            },
        )

    # -- lookups ------------------------------------------------------------------------------

    def unit(self, siren: str) -> dict | None:
        """The API's result for this SIREN (a dict in the API's shape), or None if unknown."""
        return self._lookup(f"siren:{siren}", siren, siren)

    def establishment(self, siret: str) -> dict | None:
        """The API's result whose ``siege`` or ``matching_etablissements`` has this SIRET."""
        result = self._lookup(f"siret:{siret}", siret, siret[:9])
        if result is None or find_establishment(result, siret) is None:
            return None
        return result

    def _lookup(self, key: str, number: str, siren: str) -> dict | None:
        payload = self.cached(key)
        if payload is None:
            started = time.monotonic()
            try:
                answer = self._get(number)
            except OnlineUnavailable as error:
                logger.warning("API Recherche d’entreprises indisponible pour %s : %s", key, error)
                raise
            payload = next(
                (r for r in answer["results"] if isinstance(r, dict) and r.get("siren") == siren),
                NOT_FOUND,
            )
            self._store(key, payload)
            logger.info(
                "API Recherche d’entreprises : %s en %.2f s", key, time.monotonic() - started
            )
        return None if payload == NOT_FOUND else payload


def find_establishment(result: dict, siret: str) -> dict | None:
    siege = result.get("siege") or {}
    if siege.get("siret") == siret:
        return siege
    for establishment in result.get("matching_etablissements") or []:
        if isinstance(establishment, dict) and establishment.get("siret") == siret:
            return establishment
    return None

"""django-ninja plumbing of /api/v1/ (docs/adr/0013-api-framework.md): the API object, lenient
query schemas (a bad value never fails a read: it falls back and is reported in ``warnings``),
rate limit + server cache + ETag around each read, the staff bearer token, the page envelope.

The operations themselves are in ``directory/api.py`` (directory resources) and ``calls/api.py``
(eligibility)."""

import hashlib
import json
import os
import time
import uuid
from typing import Any, ClassVar

import pydantic_core
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from pydantic import Field, PrivateAttr, ValidationError, create_model, model_validator

from core import ratelimit
from core.params import int_param

API_VERSION = "1.0.0"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_VALUE_LENGTH = 200


class FrenchJSONRenderer(JSONRenderer):
    """UTF-8 JSON without ``\\u`` escapes (French text stays readable), Decimal and dates as
    Django serialises them."""

    encoder_class = DjangoJSONEncoder
    json_dumps_params: ClassVar[dict] = {"ensure_ascii": False}


def cache_seconds() -> int:
    """Public responses are kept this long by the server (keyed by the full URL): the same
    freshness they promise clients (``Cache-Control: max-age=60``)."""
    default = int_param(os.environ.get("DIRECTORY_API_CACHE_SECONDS", "60"))
    return getattr(settings, "DIRECTORY_API_CACHE_SECONDS", 60 if default is None else default)


def count_seconds() -> int:
    """How long the number of matching rows of one filter set is kept (``count`` of a list):
    the same freshness as the response cache, but kept even when responses are not cached —
    counting the directory is the costly part of a page. Any PTCE saved or deleted starts a
    new generation of counts (``invalidate_counts``); bulk imports wait at most this long."""
    default = int_param(os.environ.get("DIRECTORY_API_COUNT_SECONDS", "60"))
    return getattr(settings, "DIRECTORY_API_COUNT_SECONDS", 60 if default is None else default)


COUNT_GENERATION = "api-count-generation"
# First level of the count cache, in each process, in front of a shared cache that is not in
# memory (database or Redis): a page then reads no cache at all. The shared generation is
# re-read at most every LOCAL_GENERATION_SECONDS, so a PTCE saved through another process is
# counted within that delay (at once in the process that saved it).
LOCAL_GENERATION_SECONDS = 2
_local_counts = LocMemCache(
    "directory-api-counts", {"TIMEOUT": 60, "OPTIONS": {"MAX_ENTRIES": 2000}}
)


def _shared_cache_is_remote() -> bool:
    return not isinstance(caches["default"], LocMemCache)


def invalidate_counts(**_kwargs) -> None:
    """A new generation: counts cached before it are never used again (a random value, so that
    an emptied or evicted shared cache cannot bring an old generation back)."""
    cache.set(COUNT_GENERATION, uuid.uuid4().hex, timeout=None)
    _local_counts.clear()


def _generation(local: bool) -> str:
    generation = _local_counts.get(COUNT_GENERATION) if local else None
    if generation is None:
        generation = cache.get(COUNT_GENERATION)
        if generation is None:
            fresh = uuid.uuid4().hex
            cache.add(COUNT_GENERATION, fresh, timeout=None)  # first process wins
            generation = cache.get(COUNT_GENERATION) or fresh
        if local:
            _local_counts.set(COUNT_GENERATION, generation, timeout=LOCAL_GENERATION_SECONDS)
    return generation


def cached_count(resource: str, params: dict, queryset) -> int:
    """``queryset.count()``, computed once per filter set (``params``) and generation, kept
    ``count_seconds()`` in the shared cache (and in this process, see ``_local_counts``)."""
    seconds = count_seconds()
    if seconds <= 0:
        return queryset.count()
    local = _shared_cache_is_remote()
    text = json.dumps([resource, _generation(local), sorted(params.items())], ensure_ascii=False)
    key = "api-count-v2:" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
    if local and (count := _local_counts.get(key)) is not None:
        return count
    entry = cache.get(key)
    now = time.time()
    if entry is None or not isinstance(entry, tuple):
        entry = (queryset.count(), now + seconds)
        cache.set(key, entry, timeout=seconds)
    count, expires = entry
    if local and expires > now:  # the local copy lasts no longer than the shared one
        _local_counts.set(key, count, timeout=expires - now)
    return count


@receiver(setting_changed)
def _forget_local_counts(setting, **_kwargs):
    if setting in {"CACHES", "DIRECTORY_API_COUNT_SECONDS"}:
        _local_counts.clear()


def error(status: int, detail: str) -> JsonResponse:
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


# ---------------------------------------------------------------------------------------------
# Lenient query parameters


def clean_text(value: Any) -> Any:
    """No control characters (PostgreSQL refuses NUL), at most 200 characters."""
    from directory.queries import _CONTROL

    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", value).strip()[:MAX_VALUE_LENGTH]


class LenientQuery(Schema):
    """Query parameters validated by pydantic against the declared types and bounds (which are
    also the OpenAPI description) without ever refusing the request: a value that does not
    parse falls back to the default, one out of bounds is brought back within them; either is
    reported in French in ``warnings``. ``invalid_messages``: a field's own message (the value is
    then dropped); None: dropped silently (another parser reports it)."""

    invalid_messages: ClassVar[dict[str, str | None]] = {}
    _warnings: list[tuple[str, str]] = PrivateAttr(default_factory=list)

    @model_validator(mode="wrap")
    @classmethod
    def _lenient(cls, data, handler):
        if not isinstance(data, dict):
            return handler(data)
        values = {}
        for name, value in data.items():
            value = clean_text(value)
            if value not in ("", None):
                values[name] = value
        warnings: list[tuple[str, str]] = []
        for _ in range(len(cls.model_fields) + 1):
            try:
                model = handler(values)
            except ValidationError as problem:
                for detail in problem.errors():
                    name = str(detail["loc"][0]) if detail["loc"] else ""
                    warnings.append((name, cls._repair(values, name, detail)))
                continue
            order = list(cls.model_fields)
            model._warnings = sorted(
                ((name, text) for name, text in warnings if text),
                key=lambda item: order.index(item[0]) if item[0] in order else len(order),
            )
            return model
        return handler({})  # pragma: no cover (every error repaired above)

    @classmethod
    def _repair(cls, values: dict, name: str, detail: dict) -> str:
        if name in cls.invalid_messages:
            values.pop(name, None)
            return cls.invalid_messages[name] or ""
        bound = detail.get("ctx", {})
        if detail["type"] in {"greater_than_equal", "greater_than"}:
            values[name] = bound.get("ge", bound.get("gt"))
            return f"Paramètre « {name} » hors limites : valeur ramenée dans les bornes."
        if detail["type"] in {"less_than_equal", "less_than"}:
            values[name] = bound.get("le", bound.get("lt"))
            return f"Paramètre « {name} » hors limites : valeur ramenée dans les bornes."
        values.pop(name, None)
        return f"Paramètre « {name} » invalide : valeur par défaut utilisée."

    def warnings(self, *names: str) -> list[str]:
        """The warnings about ``names`` (every field when none), in field order."""
        return [text for name, text in self._warnings if not names or name in names]


class Pagination(LenientQuery):
    page: int = Field(1, ge=1, description="Numéro de page (à partir de 1).")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        description="Taille de page (1 à 100, 20 par défaut).",
    )


def page_links(request, count: int, page: int, size: int) -> tuple[int, str | None, str | None]:
    """The page brought back within the last one, and the links to the next and previous."""
    from urllib.parse import urlencode

    last = max(1, -(-count // size))
    page = min(page, last)

    def link(number):
        params = request.GET.copy()
        params["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{urlencode(params, doseq=True)}")

    return (
        page,
        link(page + 1) if page < last else None,
        link(page - 1) if page > 1 else None,
    )


def page_schema(name: str, item: type) -> type[Schema]:
    """The common page envelope: count, next, previous, results, warnings."""
    return create_model(
        name,
        __base__=Schema,
        count=(int, Field(ge=0)),
        next=(str | None, Field(json_schema_extra={"format": "uri"})),
        previous=(str | None, Field(json_schema_extra={"format": "uri"})),
        results=(list[item], ...),
        warnings=(
            list[str],
            Field(description="Filtres ignorés (valeur inconnue) et autres avertissements."),
        ),
    )


def page_of(request, query: Pagination, queryset, warnings: list[str], serialise) -> dict:
    warnings = [*warnings, *query.warnings("page", "page_size")]
    count = queryset.count()
    page, next_url, previous_url = page_links(request, count, query.page, query.page_size)
    size = query.page_size
    return {
        "count": count,
        "next": next_url,
        "previous": previous_url,
        "results": serialise(queryset[(page - 1) * size : page * size]),
        "warnings": warnings,
    }


class Error(Schema):
    detail: str


# ---------------------------------------------------------------------------------------------
# Reads: rate limit, server cache, ETag


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [value.strip() for value in header.split(",")]
    return "*" in candidates or any(value.removeprefix("W/") == etag for value in candidates)


def read(private: bool = False):
    """Decorator of an operation's ``run`` (``ninja.decorators.decorate_view``): rate-limited
    (429 in French), public bodies kept ``cache_seconds()`` by the server, a strong ETag on
    every 200 with a conditional 304. ``private``: responses depend on the token (no shared
    caches, Vary: Authorization)."""

    def decorator(run):
        def wrapper(request, *args, **kwargs):
            wait = ratelimit.hit(request, "directory_api")
            if wait is not None:
                return ratelimit.too_many_json(
                    wait, "Trop de requêtes depuis votre adresse : limite de l’API atteinte."
                )
            seconds = cache_seconds()
            key = None
            if not private and seconds > 0:
                url = request.build_absolute_uri()
                key = "api-body:" + hashlib.sha256(url.encode("utf-8", "replace")).hexdigest()
            cached = cache.get(key) if key else None
            if cached is not None:
                body, etag = cached
            else:
                response = run(request, *args, **kwargs)
                if response.status_code != 200:
                    return response
                body = response.content
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                if key:
                    cache.set(key, (body, etag), timeout=seconds)
            if _etag_matches(request.headers.get("If-None-Match", ""), etag):
                response = HttpResponse(status=304)
            else:
                response = HttpResponse(body, content_type="application/json")
            response["ETag"] = etag
            if private:
                response["Cache-Control"] = "private, no-cache"
                response["Vary"] = "Authorization"
            else:
                response["Cache-Control"] = f"public, max-age={max(seconds, 60)}"
                response["Access-Control-Allow-Origin"] = "*"
            return response

        return wrapper

    return decorator


def json_page(data: dict) -> HttpResponse:
    """A page already made of JSON-ready dicts, serialised without a second validation (the
    generated document describes it; the contract and schemathesis tests check it). Written by
    pydantic's serialiser (compact UTF-8, a few times faster than ``json.dumps`` on a page of
    50 PTCE); anything not JSON-ready goes through Django's encoder."""
    body = pydantic_core.to_json(data, fallback=_DJANGO_JSON.default)
    return HttpResponse(body, content_type="application/json")


_DJANGO_JSON = DjangoJSONEncoder()


# ---------------------------------------------------------------------------------------------
# Staff bearer token


class jetonAgent(HttpBearer):  # noqa: N801 (its name is the security scheme's in the document)
    """Jeton d’API d’un agent du programme (« ptce_… »), délivré par la cellule nationale
    (`manage.py issue_api_token`)."""

    openapi_description = (
        "Jeton d’API d’un agent du programme (« ptce_… »), délivré par la cellule nationale "
        "(`manage.py issue_api_token`)."
    )

    def __call__(self, request):
        from directory.tokens import authenticate

        user = authenticate(request.headers.get("Authorization")).user  # TokenError: 401/403
        # The token's owner is the request's user, so that privacy.middleware logs the access.
        request.user = user
        return user

    def authenticate(self, request, token):  # pragma: no cover (__call__ does it all)
        return None


def token_error(request, exc):
    response = error(exc.status, exc.message)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
    return response


# ---------------------------------------------------------------------------------------------
# The API object

DESCRIPTION = (
    "API en lecture seule : annuaire des PTCE, appels publiés, décisions de soutien "
    "et événements (publics, sans authentification) ; ressources réservées aux "
    "agents sous /api/v1/staff/ avec un jeton (en-tête Authorization: Bearer). "
    "Données sous Licence Ouverte 2.0. Pagination par `page`/`page_size`, filtres "
    "identiques à ceux de l’annuaire (une valeur inconnue est ignorée et signalée "
    "dans `warnings`), ETag et If-None-Match, limite de requêtes par adresse IP "
    "(réponse 429). Simulateur d’éligibilité : `POST /api/v1/eligibility`."
)


def make_api() -> NinjaAPI:
    from directory.tokens import TokenError

    api = NinjaAPI(
        title="API de la Plateforme PTCE",
        version=API_VERSION,
        description=DESCRIPTION,
        openapi_url=None,
        docs_url=None,
        renderer=FrenchJSONRenderer(),
        urls_namespace="api-v1",
        openapi_extra={
            "info": {
                "license": {
                    "name": "Licence Ouverte 2.0",
                    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
                }
            },
            "servers": [{"url": "/"}],
        },
    )
    api.add_exception_handler(TokenError, token_error)
    return api

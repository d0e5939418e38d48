"""Read-only REST API (/api/v1/): PTCE, published calls, awards, events; staff-only resources
under /api/v1/staff/ with a bearer token (``directory.tokens``).

Every endpoint is GET only, JSON, paginated, with an ETag (If-None-Match → 304) and a
per-client rate limit (429, ``core.ratelimit``). Public endpoints need no authentication; staff
ones answer 401 without a valid token (missing, wrong, expired, revoked) and 403 when its owner
is no longer a staff member."""

import hashlib
import json
import os
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from calls.models import Call
from core import ratelimit
from core.params import int_param
from directory.exports import ptce_records
from directory.openapi import build_document
from directory.queries import parse_filters, search_planning, search_ptces
from laureates.models import Ptce, PtceMember

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def cache_seconds() -> int:
    """Public responses are kept this long by the server (per worker, keyed by the full URL):
    the same freshness they promise clients (``Cache-Control: max-age=60``)."""
    default = int_param(os.environ.get("DIRECTORY_API_CACHE_SECONDS", "60"))
    return getattr(settings, "DIRECTORY_API_CACHE_SECONDS", 60 if default is None else default)


def _error(status: int, detail: str, **headers) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [value.strip() for value in header.split(",")]
    return "*" in candidates or any(value.removeprefix("W/") == etag for value in candidates)


def api_view(view=None, *, private: bool = False):
    """GET only, rate-limited, JSON body with a strong ETag and conditional 304. Exempt from
    CSRF so that any other method gets a plain 405 (nothing here changes state). ``private``:
    responses depend on the token (no shared caches, Vary: Authorization)."""
    if view is None:
        return lambda function: api_view(function, private=private)

    @csrf_exempt
    @require_GET
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        wait = ratelimit.hit(request, "directory_api")
        if wait is not None:
            return ratelimit.too_many_json(
                wait, "Trop de requêtes depuis votre adresse : limite de l’API atteinte."
            )
        cache_key = None
        seconds = cache_seconds()
        if not private and seconds > 0:
            url = request.build_absolute_uri()
            cache_key = "api-body:" + hashlib.sha256(url.encode("utf-8", "replace")).hexdigest()
        cached = cache.get(cache_key) if cache_key else None
        if cached is not None:
            body, etag = cached
        else:
            result = view(request, *args, **kwargs)
            if isinstance(result, HttpResponse):
                return result
            body = json.dumps(result, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            if cache_key:
                cache.set(cache_key, (body, etag), timeout=seconds)
        if _etag_matches(request.headers.get("If-None-Match", ""), etag):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        if private:
            response["Cache-Control"] = "private, no-cache"
            response["Vary"] = "Authorization"
        else:
            response["Cache-Control"] = f"public, max-age={max(cache_seconds(), 60)}"
            response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


def _page_numbers(request, warnings: list[str]) -> tuple[int, int]:
    def read(name, default, maximum=None):
        raw = request.GET.get(name)
        if raw is None or raw == "":
            return default
        value = int_param(raw.removeprefix("-"))  # ASCII digits; a minus sign is out of bounds
        if value is not None and raw.startswith("-"):
            value = -value
        if value is None:
            warnings.append(f"Paramètre « {name} » invalide : valeur par défaut utilisée.")
            return default
        if value < 1 or (maximum and value > maximum):
            warnings.append(f"Paramètre « {name} » hors limites : valeur ramenée dans les bornes.")
            value = max(value, 1)
            return min(value, maximum) if maximum else value
        return value

    return read("page", 1), read("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def _page_of(request, queryset, warnings: list[str], serialise) -> dict:
    """The common page envelope: count, next, previous, results, warnings."""
    page, size = _page_numbers(request, warnings)
    count = queryset.count()
    page, next_url, previous_url = _paginate(request, count, page, size)
    return {
        "count": count,
        "next": next_url,
        "previous": previous_url,
        "results": serialise(queryset[(page - 1) * size : page * size]),
        "warnings": warnings,
    }


def _paginate(request, count: int, page: int, size: int) -> tuple[int, str | None, str | None]:
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


@api_view
def ptce_list(request):
    filters = parse_filters(request.GET)
    warnings = list(filters.notices)
    page, size = _page_numbers(request, warnings)
    queryset = search_ptces(filters)
    with search_planning(filters):  # PostgreSQL: the GIN index even for frequent words
        count = queryset.count()
        page, next_url, previous_url = _paginate(request, count, page, size)
        ids = list(queryset.values_list("pk", flat=True)[(page - 1) * size : page * size])
    records = {record["id"]: record for record in ptce_records(Ptce.objects.filter(pk__in=ids))}
    uuids = dict(Ptce.objects.filter(pk__in=ids).values_list("pk", "uuid"))
    results = [records[str(uuids[pk])] for pk in ids]
    return {
        "count": count,
        "next": next_url,
        "previous": previous_url,
        "results": results,
        "warnings": warnings,
    }


@api_view
def ptce_detail(request, identifier: str):
    from django.http import Http404

    from directory.views import _get_ptce

    try:
        ptce = _get_ptce(identifier)
    except Http404:
        return _error(404, "PTCE introuvable.")
    record = next(ptce_records(Ptce.objects.filter(pk=ptce.pk)))
    record["membres_publics"] = [
        {"nom": member.name, "categorie": member.category}
        for member in PtceMember.objects.filter(ptce=ptce, is_public=True).order_by("name")
    ]
    record["historique_statut"] = [
        {
            "date": change.changed_at.isoformat(timespec="seconds"),
            "de": change.from_status or None,
            "vers": change.to_status,
            "motif": change.reason,
        }
        for change in ptce.status_changes.order_by("changed_at", "pk")
    ]
    return record


def _call_record(call: Call) -> dict:
    return {
        "slug": call.slug,
        "titre": call.title,
        "instrument": call.instrument,
        "annee": call.year,
        "resume": call.summary,
        "permanent": call.is_permanent,
        "ouverture": call.opens_at.isoformat(timespec="seconds") if call.opens_at else None,
        "cloture": call.closes_at.isoformat(timespec="seconds") if call.closes_at else None,
        "enveloppe": str(call.envelope),
        "montant_min": str(call.min_award) if call.min_award is not None else None,
        "montant_max": str(call.max_award) if call.max_award is not None else None,
        "phases": [str(phase) for phase in call.phases],
        "territoires_prioritaires": list(call.priority_territories or []),
        "releves": [
            {
                "nom": round_.name,
                "date_limite": round_.cut_off_at.isoformat(timespec="seconds"),
                "phase": round_.phase,
            }
            for round_ in call.rounds.all()
        ],
    }


@api_view
def call_list(request):
    warnings: list[str] = []
    queryset = Call.objects.published().order_by("-year", "title", "pk")
    return _page_of(
        request,
        queryset,
        warnings,
        lambda page: [_call_record(call) for call in page.prefetch_related("rounds")],
    )


@csrf_exempt
@require_GET
def openapi_document(request):
    """Public: the OpenAPI 3 description of the API."""
    response = JsonResponse(build_document(), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def explorer(request):
    """Public: a server-rendered explorer of the OpenAPI document (no external script): each
    operation with its parameters and a GET form to try it."""
    document = build_document()
    example = Ptce.objects.order_by("pk").values_list("uuid", flat=True).first()
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            parameters = operation.get("parameters", [])
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "location": p["in"],
                            "required": p.get("required", False),
                            "type": p.get("schema", {}).get("type", "string"),
                            "description": p.get("description", ""),
                        }
                        for p in parameters
                    ],
                    "query_parameters": [p["name"] for p in parameters if p["in"] == "query"],
                    "responses": sorted(operation.get("responses", {}).items()),
                    "tryable": method == "get"
                    and "{" not in path
                    and not operation.get("security"),
                    "needs_token": bool(operation.get("security")),
                    "example": (
                        f"/api/v1/ptce/{example}"
                        if operation.get("operationId") == "getPtce" and example
                        else ""
                    ),
                    "anchor": operation.get("operationId", path),
                }
            )
    context = {
        "document": document,
        "operations": operations,
        "breadcrumb": {"links": [], "current": "API"},
    }
    return render(request, "directory/api_explorer.html", context)


# ---------------------------------------------------------------------------------------------
# Awards (public: decisions in force, the open-data columns) and events


def _param(request, name: str) -> str:
    """A query parameter without control characters (PostgreSQL refuses NUL), at most 200
    characters: safe to compare and to look up."""
    from directory.queries import _single

    return _single(request.GET, name)


def _choice(request, name: str, allowed, warnings: list[str], label: str) -> str:
    value = _param(request, name)
    if not value:
        return ""
    if value in allowed:
        return value
    warnings.append(f"{label} demandé(e) est inconnu(e) : ce filtre est ignoré.")
    return ""


def _award_filters(request, queryset, warnings: list[str]):
    from calls.choices import Phase
    from territories.models import Region

    call = _param(request, "call")
    if call:
        if Call.objects.filter(slug=call).exists():
            queryset = queryset.filter(call__slug=call)
        else:
            warnings.append("L’appel demandé est inconnu : ce filtre est ignoré.")
    phase = _choice(request, "phase", Phase.values, warnings, "La phase")
    if phase:
        queryset = queryset.filter(phase=phase)
    region = _param(request, "region")
    if region:
        if Region.objects.filter(code=region).exists():
            queryset = queryset.filter(application__region_id=region)
        else:
            warnings.append("La région demandée est inconnue : ce filtre est ignoré.")
    year = _param(request, "year")
    if year:
        if int_param(year, minimum=1990, maximum=2100) is not None:
            queryset = queryset.filter(call__year=int_param(year))
        else:
            warnings.append("L’année demandée est invalide : ce filtre est ignoré.")
    return queryset


def _award_json(records) -> list[dict]:
    from directory.exports import json_value

    return [{key: json_value(value) for key, value in record.items()} for record in records]


@api_view
def award_list(request):
    from directory.exports import award_records, public_awards

    warnings: list[str] = []
    queryset = _award_filters(request, public_awards(), warnings).order_by("-decided_at", "pk")

    def serialise(page):
        ids = list(page.values_list("pk", flat=True))
        records = {r["id"]: r for r in award_records(public_awards().filter(pk__in=ids))}
        return _award_json(records[pk] for pk in ids)

    return _page_of(request, queryset, warnings, serialise)


def _event_record(event) -> dict:
    site = settings.SITE_URL
    return {
        "slug": event.slug,
        "titre": event.title,
        "titre_complet": event.full_title,
        "type": event.kind,
        "format": event.format,
        "statut": event.status,
        "debut": event.starts_at.isoformat(timespec="seconds"),
        "fin": event.ends_at.isoformat(timespec="seconds"),
        "saison": event.series.title if event.series_id else None,
        "episode": event.episode_number,
        "lieu": event.venue_name or None,
        "adresse": event.venue_address or None,
        "commune_code": event.commune.code if event.commune_id else None,
        "commune_nom": event.commune.name if event.commune_id else None,
        "appel_slug": event.call.slug if event.call_id else None,
        "places": event.capacity,
        "inscriptions_ouvertes": event.registration_open,
        "replay": event.replay_url or None,
        "url": f"{site}/evenements/{event.slug}/",
    }


@api_view
def event_list(request):
    """Public events (published and cancelled, never access links or participants)."""
    from django.utils import timezone

    from events.models import Event, EventFormat, EventKind

    warnings: list[str] = []
    queryset = Event.objects.visible().select_related("call")
    period = _choice(request, "period", ["upcoming", "past"], warnings, "La période")
    now = timezone.now()
    if period == "upcoming":
        queryset = queryset.filter(ends_at__gte=now).order_by("starts_at", "pk")
    elif period == "past":
        queryset = queryset.filter(ends_at__lt=now).order_by("-starts_at", "pk")
    else:
        queryset = queryset.order_by("-starts_at", "pk")
    kind = _choice(request, "kind", EventKind.values, warnings, "Le type")
    if kind:
        queryset = queryset.filter(kind=kind)
    event_format = _choice(request, "format", EventFormat.values, warnings, "Le format")
    if event_format:
        queryset = queryset.filter(format=event_format)
    return _page_of(
        request, queryset, warnings, lambda page: [_event_record(event) for event in page]
    )


# ---------------------------------------------------------------------------------------------
# Staff-only resources (bearer token)


def _staff_user(request):
    """The token owner, or the 401/403 JSON response to return."""
    from directory.tokens import TokenError, authenticate

    try:
        user = authenticate(request.headers.get("Authorization")).user
    except TokenError as error:
        response = _error(error.status, error.message)
        if error.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
        return response
    # The token's owner is the request's user, so that privacy.middleware logs the access.
    request.user = user
    return user


def _staff_award_record(award) -> dict:
    application = award.application
    return {
        "id": award.pk,
        "etat": award.status,
        "appel_slug": award.call.slug,
        "phase": award.phase,
        "montant": None if award.amount is None else float(award.amount),
        "date_decision": award.decided_at.isoformat(timespec="seconds"),
        "dossier_reference": application.reference,
        "dossier_statut": application.status,
        "structure_porteuse": application.lead_name,
        "siret_structure_porteuse": application.lead_siret or None,
        "contact_courriel": application.contact_email or None,
        "region_code": application.region_id,
        "ptce_id": str(award.ptce.uuid) if award.ptce_id else None,
        "ptce_nom": award.ptce.name if award.ptce_id else None,
    }


@api_view(private=True)
def staff_award_list(request):
    """Staff with a token: every award (cancelled ones included) of the files the token's owner
    may see (``Application.objects.for_user``: national cell everything, regional staff their
    région, never a file with a conflict of interest), with the file's non-public fields."""
    from applications.models import Application
    from laureates.models import Award, AwardStatus

    user = _staff_user(request)
    if isinstance(user, HttpResponse):
        return user
    warnings: list[str] = []
    queryset = Award.objects.filter(application__in=Application.objects.for_user(user))
    queryset = _award_filters(request, queryset, warnings)
    status = _choice(request, "status", AwardStatus.values, warnings, "L’état")
    if status:
        queryset = queryset.filter(status=status)
    queryset = queryset.select_related("call", "ptce", "application").order_by("-decided_at", "pk")
    return _page_of(
        request, queryset, warnings, lambda page: [_staff_award_record(a) for a in page]
    )

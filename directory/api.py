"""Public read-only REST API (/api/v1/): PTCE and published calls.

Every endpoint here is public (no authentication), GET only, JSON, paginated, with an ETag
(If-None-Match → 304) and a per-IP rate limit (429)."""

import hashlib
import json
import time
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
from directory.exports import ptce_records
from directory.openapi import build_document
from directory.queries import parse_filters, search_ptces
from laureates.models import Ptce, PtceMember

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def rate_limit_per_minute() -> int:
    return getattr(settings, "DIRECTORY_API_RATE_LIMIT", 120)


def _error(status: int, detail: str, **headers) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _over_limit(request) -> int | None:
    """Seconds to wait when this IP has used up its requests for the current minute."""
    limit = rate_limit_per_minute()
    if limit <= 0:
        return None
    window = int(time.time() // 60)
    key = f"api-rate:{request.META.get('REMOTE_ADDR', '')}:{window}"
    cache.add(key, 0, timeout=70)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=70)
        count = 1
    if count > limit:
        return 60 - int(time.time() % 60)
    return None


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [value.strip() for value in header.split(",")]
    return "*" in candidates or any(value.removeprefix("W/") == etag for value in candidates)


def api_view(view):
    """GET only, rate-limited, JSON body with a strong ETag and conditional 304. Exempt from
    CSRF so that any other method gets a plain 405 (nothing here changes state)."""

    @csrf_exempt
    @require_GET
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        wait = _over_limit(request)
        if wait is not None:
            return _error(
                429,
                "Trop de requêtes depuis votre adresse : réessayez dans une minute.",
                Retry_After=str(wait),
            )
        result = view(request, *args, **kwargs)
        if isinstance(result, HttpResponse):
            return result
        body = json.dumps(result, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if _etag_matches(request.headers.get("If-None-Match", ""), etag):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        response["Cache-Control"] = "public, max-age=60"
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


def _page_numbers(request, warnings: list[str]) -> tuple[int, int]:
    def read(name, default, maximum=None):
        raw = request.GET.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            warnings.append(f"Paramètre « {name} » invalide : valeur par défaut utilisée.")
            return default
        if value < 1 or (maximum and value > maximum):
            warnings.append(f"Paramètre « {name} » hors limites : valeur ramenée dans les bornes.")
            value = max(value, 1)
            return min(value, maximum) if maximum else value
        return value

    return read("page", 1), read("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


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
    page, size = _page_numbers(request, warnings)
    queryset = Call.objects.published().order_by("-year", "title", "pk")
    count = queryset.count()
    page, next_url, previous_url = _paginate(request, count, page, size)
    calls = queryset.prefetch_related("rounds")[(page - 1) * size : page * size]
    return {
        "count": count,
        "next": next_url,
        "previous": previous_url,
        "results": [_call_record(call) for call in calls],
        "warnings": warnings,
    }


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
                    "tryable": method == "get" and "{" not in path,
                    "anchor": operation.get("operationId", path),
                }
            )
    example = Ptce.objects.order_by("pk").values_list("uuid", flat=True).first()
    context = {
        "document": document,
        "operations": operations,
        "example_ptce": str(example) if example else "",
        "breadcrumb": {"links": [], "current": "API"},
    }
    return render(request, "directory/api_explorer.html", context)

"""Read-only REST API (/api/v1/) on django-ninja: PTCE, published calls, awards, events; staff-only
resources under /api/v1/staff/ with a bearer token (``directory.tokens``); the eligibility
simulator (``calls/api.py``) on the same API. The OpenAPI document is generated from these
operations and their schemas (``/api/v1/openapi.json``), with the webhook payloads.

Every read is GET only, JSON, paginated, with an ETag (If-None-Match → 304) and a per-client
rate limit (429, ``core.ratelimit``): ``directory.api_http.read``. Public endpoints need no
authentication; staff ones answer 401 without a valid token (missing, wrong, expired, revoked)
and 403 when its owner is no longer a staff member. Who may see what is stated on each
operation."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from ninja import Field, Path, Query, Router
from ninja.decorators import decorate_view

from calls.models import Call
from directory import api_schemas as schemas
from directory.api_http import (
    Error,
    LenientQuery,
    Pagination,
    cached_count,
    error,
    jetonAgent,
    json_page,
    make_api,
    page_links,
    page_of,
    read,
)
from directory.exports import (
    award_records,
    json_value,
    ptce_page_records,
    ptce_records,
    public_awards,
)
from directory.queries import parse_filters, search_planning, search_ptces
from laureates.models import Ptce, PtceMember

COMMON = {304: None, 429: Error}
PUBLIC = "Public (sans authentification)."

api = make_api()
router = Router()


def _text(description: str):
    return Field(None, description=description)


# ---------------------------------------------------------------------------------------------
# PTCE


class PtceQuery(Pagination):
    q: str = _text("Recherche plein texte (insensible aux accents et à la casse).")
    region: str = _text("Code INSEE de la région (ex. 84).")
    department: str = _text("Code INSEE du département (ex. 69, 2A, 974).")
    theme: str = _text("Thématique (voir les valeurs de l’annuaire).")
    status: str = _text("Statut du PTCE.")
    year: int = Field(None, description="Année d’un label (ex. 2021).")
    priority: str = _text(
        "Territoire prioritaire : overseas ; rural (au moins la moitié des communes rurales, "
        "grille de densité de l’Insee) ; qpv (au moins une commune avec un QPV). rural et qpv "
        "sont ignorés, avec un avertissement, tant que la donnée officielle n’est pas chargée."
    )

    # The directory's own parser (shared with the HTML pages) reports bad filter values.
    invalid_messages = {"year": None}


@router.get(
    "/ptce",
    response={200: schemas.PtcePage, **COMMON},
    tags=["PTCE"],
    summary="Liste des PTCE",
    description="PTCE de l’annuaire, filtrés et paginés.",
    operation_id="listPtce",
    url_name="api_ptce_list",
)
@decorate_view(read())
def ptce_list(request, query: Query[PtceQuery]):
    """Public: the directory's PTCE, filtered and paginated."""
    filters = parse_filters(request.GET)
    warnings = [*filters.notices, *query.warnings("page", "page_size")]
    size = query.page_size
    queryset = search_ptces(filters)
    with search_planning(filters):  # PostgreSQL: the GIN index even for frequent words
        count = cached_count("ptce", filters.as_params(), queryset)
        page, next_url, previous_url = page_links(request, count, query.page, size)
        results = ptce_page_records(queryset, (page - 1) * size, page * size)
    return json_page(
        {
            "count": count,
            "next": next_url,
            "previous": previous_url,
            "results": results,
            "warnings": warnings,
        }
    )


@router.get(
    "/ptce/{id}",
    response={200: schemas.PtceDetail, 404: Error, **COMMON},
    tags=["PTCE"],
    summary="Un PTCE",
    description="Fiche d’un PTCE, avec ses membres ayant accepté d’être publiés et "
    "l’historique de son statut.",
    operation_id="getPtce",
    url_name="api_ptce_detail",
)
@decorate_view(read())
def ptce_detail(
    request, id: str = Path(..., description="Identifiant (UUID) ou adresse courte du PTCE.")
):
    """Public: one PTCE with its public members and status history."""
    from directory.views import _get_ptce

    try:
        ptce = _get_ptce(id)
    except Http404:
        return error(404, "PTCE introuvable.")
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


# ---------------------------------------------------------------------------------------------
# Calls


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


@router.get(
    "/calls",
    response={200: schemas.CallPage, **COMMON},
    tags=["Appels"],
    summary="Appels publiés",
    description="Appels à candidatures publiés, du plus récent au plus ancien.",
    operation_id="listCalls",
    url_name="api_call_list",
)
@decorate_view(read())
def call_list(request, query: Query[Pagination]):
    """Public: the published calls."""
    queryset = Call.objects.published().order_by("-year", "title", "pk")
    return json_page(
        page_of(
            request,
            query,
            queryset,
            [],
            lambda page: [_call_record(call) for call in page.prefetch_related("rounds")],
        )
    )


# ---------------------------------------------------------------------------------------------
# Awards (public: decisions in force, the open-data columns) and events


class AwardQuery(Pagination):
    call: str = _text("Adresse courte de l’appel (ex. ami-ptce-2026).")
    phase: str = _text("Phase : emergence, funding.")
    region: str = _text("Code INSEE de la région d’instruction (ex. 84).")
    year: int = Field(None, ge=1990, le=2100, description="Année de l’appel.")

    invalid_messages = {"year": "L’année demandée est invalide : ce filtre est ignoré."}


def _choice(value, allowed, warnings: list[str], label: str) -> str:
    if not value:
        return ""
    if value in allowed:
        return value
    warnings.append(f"{label} demandé(e) est inconnu(e) : ce filtre est ignoré.")
    return ""


def _award_filters(query: AwardQuery, queryset, warnings: list[str]):
    from calls.choices import Phase
    from territories.models import Region

    if query.call:
        if Call.objects.filter(slug=query.call).exists():
            queryset = queryset.filter(call__slug=query.call)
        else:
            warnings.append("L’appel demandé est inconnu : ce filtre est ignoré.")
    phase = _choice(query.phase, Phase.values, warnings, "La phase")
    if phase:
        queryset = queryset.filter(phase=phase)
    if query.region:
        if Region.objects.filter(code=query.region).exists():
            queryset = queryset.filter(application__region_id=query.region)
        else:
            warnings.append("La région demandée est inconnue : ce filtre est ignoré.")
    warnings.extend(query.warnings("year"))
    if query.year is not None:
        queryset = queryset.filter(call__year=query.year)
    return queryset


@router.get(
    "/awards",
    response={200: schemas.AwardPage, **COMMON},
    tags=["Lauréats"],
    summary="Décisions de soutien",
    description="Labels de phase 1 et soutiens de phase 2 en vigueur, du plus récent au plus "
    "ancien (les décisions annulées n’y figurent pas).",
    operation_id="listAwards",
    url_name="api_award_list",
)
@decorate_view(read())
def award_list(request, query: Query[AwardQuery]):
    """Public: the decisions in force (the open-data columns)."""
    warnings: list[str] = []
    queryset = _award_filters(query, public_awards(), warnings).order_by("-decided_at", "pk")

    def serialise(page):
        ids = list(page.values_list("pk", flat=True))
        records = {r["id"]: r for r in award_records(public_awards().filter(pk__in=ids))}
        return [{key: json_value(value) for key, value in records[pk].items()} for pk in ids]

    return json_page(page_of(request, query, queryset, warnings, serialise))


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


class EventQuery(Pagination):
    period: str = _text("upcoming : à venir (ordre chronologique) ; past : passés.")
    kind: str = _text("Type : round_table, webinar, national_day, workshop.")
    format: str = _text("Format : online, on_site, hybrid.")


@router.get(
    "/events",
    response={200: schemas.EventPage, **COMMON},
    tags=["Événements"],
    summary="Événements",
    description="Événements publics de l’animation du réseau (publiés ou annulés), sans les "
    "liens de connexion.",
    operation_id="listEvents",
    url_name="api_event_list",
)
@decorate_view(read())
def event_list(request, query: Query[EventQuery]):
    """Public: events (published and cancelled, never access links or participants)."""
    from django.utils import timezone

    from events.models import Event, EventFormat, EventKind

    warnings: list[str] = []
    queryset = Event.objects.visible().select_related("call", "series", "commune")
    period = _choice(query.period, ["upcoming", "past"], warnings, "La période")
    now = timezone.now()
    if period == "upcoming":
        queryset = queryset.filter(ends_at__gte=now).order_by("starts_at", "pk")
    elif period == "past":
        queryset = queryset.filter(ends_at__lt=now).order_by("-starts_at", "pk")
    else:
        queryset = queryset.order_by("-starts_at", "pk")
    kind = _choice(query.kind, EventKind.values, warnings, "Le type")
    if kind:
        queryset = queryset.filter(kind=kind)
    event_format = _choice(query.format, EventFormat.values, warnings, "Le format")
    if event_format:
        queryset = queryset.filter(format=event_format)
    return json_page(
        page_of(request, query, queryset, warnings, lambda page: [_event_record(e) for e in page])
    )


# ---------------------------------------------------------------------------------------------
# Staff-only resources (bearer token)


class StaffAwardQuery(AwardQuery):
    status: str = _text("État : granted, cancelled.")


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


@router.get(
    "/staff/awards",
    response={200: schemas.StaffAwardPage, 401: Error, 403: Error, **COMMON},
    auth=jetonAgent(),
    tags=["Agents"],
    summary="Décisions de soutien (agents)",
    description="Toutes les décisions (annulées comprises) des dossiers que le titulaire du "
    "jeton peut voir (cellule nationale : tous ; agents régionaux : leur région ; jamais un "
    "dossier en conflit d’intérêts), avec les champs non publics du dossier.",
    operation_id="listStaffAwards",
    url_name="api_staff_award_list",
)
@decorate_view(read(private=True))
def staff_award_list(request, query: Query[StaffAwardQuery]):
    """Staff with a token: every award (cancelled ones included) of the files the token's owner
    may see (``Application.objects.for_user``: national cell everything, regional staff their
    région, never a file with a conflict of interest), with the file's non-public fields."""
    from applications.models import Application
    from laureates.models import Award, AwardStatus

    warnings: list[str] = []
    queryset = Award.objects.filter(application__in=Application.objects.for_user(request.auth))
    queryset = _award_filters(query, queryset, warnings)
    status = _choice(query.status, AwardStatus.values, warnings, "L’état")
    if status:
        queryset = queryset.filter(status=status)
    queryset = queryset.select_related("call", "ptce", "application").order_by("-decided_at", "pk")
    return json_page(
        page_of(
            request, query, queryset, warnings, lambda page: [_staff_award_record(a) for a in page]
        )
    )


# ---------------------------------------------------------------------------------------------
# Assembly, document and explorer


def _assemble():
    from calls.api import router as eligibility_router

    api.add_router("/api/v1", router)
    api.add_router("/api/v1", eligibility_router)


_assemble()


def url_patterns(*names: str) -> list[URLPattern]:
    """The API's URL patterns named ``names`` (each app includes its own, under its namespace)."""
    return [pattern for pattern in api.urls[0] if getattr(pattern, "name", None) in names]


def build_document() -> dict:
    from directory.openapi import finish_document

    return finish_document(api.get_openapi_schema(path_prefix=""))


@csrf_exempt
@require_GET
def openapi_document(request):
    """Public: the OpenAPI 3.1 description of the API (generated from the operations)."""
    from django.http import JsonResponse

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
                            "type": _schema_type(p.get("schema", {})),
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


def _schema_type(schema: dict) -> str:
    if "type" in schema:
        return schema["type"]
    kinds = [part.get("type") for part in schema.get("anyOf", []) if part.get("type") != "null"]
    return kinds[0] if kinds else "string"


__all__ = ["LenientQuery", "api"]

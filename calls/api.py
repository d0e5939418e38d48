"""Public eligibility simulator: ``POST /api/v1/eligibility`` (SPEC §4.3), an operation of the
django-ninja API of ``directory/api.py``. Stores nothing.

The body is read by the engine itself (``calls.eligibility.evaluate``), not by pydantic: its
errors name the faulty field in French (``{"error", "field"}``, 400) as clients expect; the
schemas below describe it in the generated document."""

from enum import Enum
from typing import Any

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from ninja import Field, Router, Schema
from ninja.decorators import decorate_view
from pydantic import ConfigDict

from calls.eligibility import RULES, MalformedFile, call_rules, evaluate
from calls.models import Call
from core import ratelimit
from core.jsonbody import JsonBodyError, parse_json_body

MAX_BODY_BYTES = 1024 * 1024

router = Router(tags=["Éligibilité"])

RuleCode = Enum("RuleCode", {code: code for code in RULES}, type=str)
RuleCode.__doc__ = (
    "Code d’une règle d’éligibilité (liste ouverte : de nouvelles règles peuvent apparaître)."
)


class _Open(Schema):
    model_config = ConfigDict(extra="allow")


class Party(_Open):
    name: str | None = None
    siret: str | None = None
    category: str | None = Field(
        None,
        description="ess_enterprise, other_enterprise, local_authority, research_centre, "
        "higher_education, training_body, other.",
    )


class EligibilityFile(_Open):
    """Description d’un dossier (docs/eligibility.md) ; les clés inconnues sont ignorées."""

    phases: list[str] | None = None
    has_emergence_label: bool | None = None
    lead: Party | None = None
    members: list[Party] | None = None
    territory: dict[str, Any] | None = None
    project: dict[str, Any] | None = None
    previous_state_support: bool | None = None
    budget: dict[str, Any] | None = None
    attachments: list[Any] | None = None
    rules: dict[str, Any] | None = Field(
        None, description="Règles d’un appel (sinon celles du seul décret ; voir ?call=)."
    )


class Verdict(Schema):
    code: RuleCode
    label: str
    passed: bool | None = Field(
        description="Vrai : remplie ; faux : non remplie ; nul : sans objet."
    )
    message: str


class EligibilityResult(Schema):
    eligible: bool
    unmet: list[RuleCode]
    verdicts: list[Verdict]


class EligibilityError(Schema):
    error: str
    field: str | None = Field(None, description="Chemin du champ fautif (members[0].category).")


class RateLimited(Schema):
    error: str
    retry_after: int


def _error(status: int, message: str, field: str | None = None) -> JsonResponse:
    body = {"error": message}
    if field is not None:
        body["field"] = field
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _limited(run):
    return ratelimit.limited(
        "eligibility", json_field="error", message="Trop de simulations depuis votre adresse."
    )(run)


@router.post(
    "/eligibility",
    response={
        200: EligibilityResult,
        400: EligibilityError,
        404: EligibilityError,
        413: EligibilityError,
        429: RateLimited,
    },
    summary="Simuler l’éligibilité d’un dossier",
    description="Applique les règles du décret (ou d’un appel publié : `?call=<adresse>`) à la "
    "description JSON d’un dossier et rend chaque règle avec son verdict. Rien n’est conservé.",
    operation_id="checkEligibility",
    url_name="api_eligibility",
    openapi_extra={
        "parameters": [
            {
                "name": "call",
                "in": "query",
                "required": False,
                "description": "Adresse courte d’un appel publié dont appliquer les règles.",
                "schema": {"type": "string"},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/EligibilityFile"}}
            },
        },
    },
)
@decorate_view(_limited, never_cache)
def eligibility(request):
    """Who may call it: everyone (a public simulator; nothing is stored, no personal data kept).
    Rate-limited per client address (``RATE_LIMITS["eligibility"]``, 429 in JSON).

    Body: the JSON description of a file (docs/eligibility.md), optionally with ``"rules"``;
    ``?call=<slug>`` applies the rules of a published call instead."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return _error(413, "Description trop volumineuse (1 Mo au plus).")
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "Description trop volumineuse (1 Mo au plus).")
    try:
        data = parse_json_body(body)  # nesting depth refused before parsing (core.jsonbody)
    except JsonBodyError as error:
        return _error(400, str(error))
    if not isinstance(data, dict):
        return _error(400, "La description du dossier doit être un objet JSON ({…}).", "")
    rules = data.get("rules")
    slug = request.GET.get("call")
    if slug:
        call = (
            Call.objects.published()
            .filter(slug=slug)
            .prefetch_related("required_attachments")
            .first()
        )
        if call is None:
            return _error(404, f"Aucun appel publié n’a l’adresse « {slug[:100]} ».")
        rules = call_rules(call)
    try:
        result = evaluate(data, rules)
    except MalformedFile as error:
        return _error(400, error.message, error.field)
    return JsonResponse(result.to_dict(), json_dumps_params={"ensure_ascii": False})


@router.api_operation(["GET", "PUT", "PATCH", "DELETE"], "/eligibility", include_in_schema=False)
@decorate_view(never_cache)
def eligibility_other_methods(request):
    """Everyone: any other method is a 405 in French JSON."""
    response = _error(405, "Utilisez la méthode POST avec un corps JSON.")
    response["Allow"] = "POST"
    return response

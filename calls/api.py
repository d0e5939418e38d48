"""Public eligibility simulator: ``POST /api/v1/eligibility`` (SPEC §4.3). Stores nothing."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from calls.eligibility import MalformedFile, call_rules, evaluate
from calls.models import Call
from core import ratelimit
from core.jsonbody import JsonBodyError, parse_json_body

MAX_BODY_BYTES = 1024 * 1024


def _error(status: int, message: str, field: str | None = None) -> JsonResponse:
    body = {"error": message}
    if field is not None:
        body["field"] = field
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@never_cache
@ratelimit.limited(
    "eligibility", json_field="error", message="Trop de simulations depuis votre adresse."
)
def eligibility(request):
    """Who may call it: everyone (a public simulator; nothing is stored, no personal data kept).
    Rate-limited per client address (``RATE_LIMITS["eligibility"]``, 429 in JSON).

    Body: the JSON description of a file (docs/eligibility.md), optionally with ``"rules"``;
    ``?call=<slug>`` applies the rules of a published call instead."""
    if request.method != "POST":
        response = _error(405, "Utilisez la méthode POST avec un corps JSON.")
        response["Allow"] = "POST"
        return response
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

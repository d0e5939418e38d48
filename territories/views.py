from django.http import JsonResponse
from django.views.decorators.http import require_GET

from territories.services import search_communes, search_epcis

MAX_QUERY = 100


@require_GET
def search(request):
    """Type-ahead over public reference data. Who may see it: everyone (no personal data)."""
    query = request.GET.get("q", "")[:MAX_QUERY]
    kind = request.GET.get("type", "commune")
    if kind == "epci":
        results = [
            {"code": e.code, "label": f"{e.name} ({e.kind})", "population": e.population}
            for e in search_epcis(query)
        ]
    else:
        results = [
            {"code": m.commune.code, "label": m.label, "population": m.commune.population}
            for m in search_communes(query)
        ]
    return JsonResponse({"query": query, "results": results})

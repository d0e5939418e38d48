"""Public directory pages: list with search and filters, one page per PTCE, map, open data.

Every view here is public (visitors included) and read-only."""

import uuid

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.params import int_param
from directory import maps
from directory.queries import (
    PRIORITY_CHOICES,
    PRIORITY_NOT_LOADED,
    facet_counts,
    loaded_priorities,
    parse_filters,
    reference_lookups,
    search_planning,
    search_ptces,
)
from laureates.models import Ptce, PtceLabel, PtceMember, PtceStatus, Theme
from territories.models import Department, Region, Zone

PAGE_SIZE = 20


def paginate(request, queryset, per_page: int = PAGE_SIZE, *, count: int | None = None):
    """A page of ``queryset``; « page » values that are not a positive integer within range are
    brought back to the nearest valid page. ``count``, when already known, spares the COUNT."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # cached_property: set once, never queried
    number = int_param(request.GET.get("page", "1")) or 1
    number = min(max(number, 1), paginator.num_pages)
    page = paginator.page(number)
    page.pages_list = list(paginator.get_elided_page_range(number, on_each_side=2, on_ends=1))
    return page


def _options(choices, counts, selected):
    return [
        {
            "value": value,
            "label": label,
            "count": counts.get(value, 0),
            "selected": value == selected,
        }
        for value, label in choices
    ]


@require_safe
def directory_list(request):
    """Public: the directory of PTCE with full-text search, filters and facet counts."""
    lookups = reference_lookups()
    filters = parse_filters(request.GET, loaded=lookups.loaded)
    with search_planning(filters):
        counts = facet_counts(filters, overseas=lookups.overseas)
        results = (
            search_ptces(filters)
            .select_related("main_region", "main_department")
            .only(
                "pk",
                "slug",
                "name",
                "description",
                "status",
                "themes",
                "main_region__name",
                "main_department__name",
            )
            .prefetch_related(
                Prefetch("labels", queryset=PtceLabel.objects.order_by("year", "title", "phase"))
            )
        )
        page = paginate(request, results, count=counts["total"])
        page.object_list = list(page.object_list)  # the rows and labels, inside the block
    regions = Region.objects.filter(retired=False).exclude(zone=Zone.COM).order_by("name")
    departments = Department.objects.filter(retired=False).exclude(zone=Zone.COM)
    if filters.region:
        departments = departments.filter(region_id=filters.region)
    years = sorted(counts["year"])
    # Rural and QPV are offered only once their reference file is loaded (no dead filter).
    offered = loaded_priorities(lookups.loaded)
    priority_options = [
        {
            "value": value,
            "label": PRIORITY_CHOICES[value],
            "count": counts["priority"].get(value, 0),
            "selected": value == filters.priority,
        }
        for value in offered
    ]
    missing_priorities = [
        f"« {label} » : {PRIORITY_NOT_LOADED[value]}, ce filtre n’est pas encore proposé."
        for value, label in PRIORITY_CHOICES.items()
        if value not in offered
    ]
    context = {
        "filters": filters,
        "page_obj": page,
        "total": page.paginator.count,
        "region_options": _options(
            [(r.code, r.name) for r in regions], counts["region"], filters.region
        ),
        "department_options": _options(
            [(d.code, f"{d.code} – {d.name}") for d in departments],
            counts["department"],
            filters.department,
        ),
        "theme_options": _options(Theme.choices, counts["theme"], filters.theme),
        "status_options": _options(PtceStatus.choices, counts["status"], filters.status),
        "year_options": _options(
            [(year, str(year)) for year in years], counts["year"], filters.year
        ),
        "priority_options": priority_options,
        "priority_rule": [value for value in offered if value in PRIORITY_NOT_LOADED],
        "missing_priorities": missing_priorities,
        # Demo: flags computed from the illustrative samples, never presented as official.
        "priority_from_samples": bool(lookups.samples),
        "breadcrumb": {"links": [], "current": "Annuaire des PTCE"},
    }
    return render(request, "directory/list.html", context)


def _get_ptce(identifier: str) -> Ptce:
    queryset = Ptce.objects.select_related("main_region", "main_department")
    if "\x00" in identifier or len(identifier) > 120:
        raise Http404("PTCE introuvable")
    try:
        return queryset.get(uuid=uuid.UUID(identifier))
    except (ValueError, Ptce.DoesNotExist):
        pass
    try:
        return queryset.get(slug=identifier)
    except Ptce.DoesNotExist:
        raise Http404("PTCE introuvable") from None


@require_safe
def ptce_detail(request, identifier: str):
    """Public: one PTCE. Only members that agreed to appear publicly are listed."""
    ptce = _get_ptce(identifier)
    communes = list(
        ptce.communes.select_related("department")
        .order_by("name")
        .only("code", "name", "population", "department__code", "department__name")
    )
    context = {
        "ptce": ptce,
        "communes": communes,
        "epcis": list(ptce.epcis.order_by("name")),
        "public_members": list(
            PtceMember.objects.filter(ptce=ptce, is_public=True).order_by("name")
        ),
        "hidden_members_count": PtceMember.objects.filter(ptce=ptce, is_public=False).count(),
        "labels": list(ptce.labels.order_by("year", "title")),
        "status_changes": list(ptce.status_changes.order_by("changed_at", "pk")),
        "breadcrumb": {
            "links": [{"url": "/annuaire/", "title": "Annuaire des PTCE"}],
            "current": ptce.name,
        },
    }
    return render(request, "directory/detail.html", context)


@require_safe
def directory_map(request):
    """Public: map of France with the number of PTCE per région or per département."""
    level = "departements" if request.GET.get("niveau") == "departements" else "regions"
    context = {
        "level": level,
        "map": maps.build_map(level),
        "breadcrumb": {
            "links": [{"url": "/annuaire/", "title": "Annuaire des PTCE"}],
            "current": "Carte des PTCE",
        },
    }
    return render(request, "directory/map.html", context)

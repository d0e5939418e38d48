"""Labels and awards over the whole history of the programme (issue 17, item 4).

Two sources make the history:

- the **labels of past calls** (2013, 2015, AMI 2021 onwards) imported from historical lists by
  ``manage.py import_ptce``: ``PtceLabel`` rows without a call of the platform;
- the **decisions published on the platform**: granted ``Award`` rows (a cancelled award does
  not count; the ``PtceLabel`` that ``create_award`` writes beside an award is not counted a
  second time).

Each is read once as flat tuples (two queries), then grouped here by year, région and theme,
so that a pole labelled in 2013 and funded on the platform is one PTCE in every group. The
directory's PTCE are counted by status, région and theme by the database (three ``GROUP BY``
queries), beside the list of régions. Six queries in all, whatever the size of the history.

Région of a label: the pole's main région for an imported label, the région of instruction of
the file for a platform decision (as ``statistics.awards_by_region``). Theme: every theme of the
pole (a pole with two themes counts in both).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from calls.choices import Phase
from laureates.models import Award, AwardStatus, Ptce, PtceLabel, PtceStatus, Theme
from territories.models import Region, Zone

UNKNOWN = ""
NO_REGION = "Région non renseignée"
NO_THEME = "Sans thématique"


@dataclass
class LabelRecord:
    year: int
    phase: str
    ptce: object  # Ptce pk, or ("award", pk) for an award whose pole was removed
    region: str
    themes: tuple[str, ...]
    status: str
    imported: bool


@dataclass
class HistoryRow:
    """One group (a year, a région, a theme or a status) of the history."""

    dimension: str  # year, region, theme, status
    code: str
    label: str
    emergence: int = 0  # phase-1 labels
    funding: int = 0  # phase-2 awards
    unspecified: int = 0  # labels of past calls without a phase (AAP 2013, 2015)
    imported: int = 0  # of which from historical lists
    directory_ptce: int | None = None  # PTCE of the directory in the group (not for years)
    _ptce: set = field(default_factory=set, repr=False)

    @property
    def labels(self) -> int:
        return self.emergence + self.funding + self.unspecified

    @property
    def labelled_ptce(self) -> int:
        return len(self._ptce)

    def add(self, record: LabelRecord) -> None:
        if record.phase == Phase.EMERGENCE:
            self.emergence += 1
        elif record.phase == Phase.FUNDING:
            self.funding += 1
        else:
            self.unspecified += 1
        self.imported += record.imported
        self._ptce.add(record.ptce)


@dataclass
class History:
    by_year: list[HistoryRow]
    by_region: list[HistoryRow]
    by_theme: list[HistoryRow]
    by_status: list[HistoryRow]
    total: HistoryRow

    @property
    def first_year(self) -> str:
        return self.by_year[0].code if self.by_year else ""

    @property
    def directory_ptce(self) -> int:
        return sum(row.directory_ptce or 0 for row in self.by_status)

    def rows(self):
        yield from self.by_year
        yield from self.by_region
        yield from self.by_theme
        yield from self.by_status


def _themes(themes_key: str | None) -> tuple[str, ...]:
    return tuple(theme for theme in (themes_key or "").strip("|").split("||") if theme)


def label_records() -> list[LabelRecord]:
    """Every label and award of the history (two queries)."""
    records = [
        LabelRecord(year, phase, ptce_id, region or UNKNOWN, _themes(key), status, True)
        for year, phase, ptce_id, region, key, status in PtceLabel.objects.filter(call__isnull=True)
        .order_by()
        .values_list(
            "year",
            "phase",
            "ptce_id",
            "ptce__main_region_id",
            "ptce__themes_key",
            "ptce__status",
        )
    ]
    for pk, year, phase, ptce_id, region, key, status in (
        Award.objects.filter(status=AwardStatus.GRANTED)
        .order_by()
        .values_list(
            "pk",
            "call__year",
            "phase",
            "ptce_id",
            "application__region_id",
            "ptce__themes_key",
            "ptce__status",
        )
    ):
        records.append(
            LabelRecord(
                year,
                phase,
                ptce_id if ptce_id is not None else ("award", pk),
                region or UNKNOWN,
                _themes(key),
                status or UNKNOWN,
                False,
            )
        )
    return records


def history() -> History:
    """Labels and awards by year, région, theme and status of the pole; PTCE of the directory
    by région, theme and status. Six queries."""
    records = label_records()
    total = HistoryRow("total", "", "Total")
    years: dict[int, HistoryRow] = {}
    regions = {
        code: HistoryRow("region", code, name)
        for code, name in Region.objects.filter(retired=False)
        .exclude(zone=Zone.COM)
        .order_by("name")
        .values_list("code", "name")
    }
    no_region = HistoryRow("region", UNKNOWN, NO_REGION)
    themes = {value: HistoryRow("theme", value, label) for value, label in Theme.choices}
    no_theme = HistoryRow("theme", UNKNOWN, NO_THEME)
    statuses = {value: HistoryRow("status", value, label) for value, label in PtceStatus.choices}
    for record in records:
        total.add(record)
        years.setdefault(record.year, HistoryRow("year", str(record.year), str(record.year))).add(
            record
        )
        regions.get(record.region, no_region).add(record)
        known = [themes[theme] for theme in record.themes if theme in themes]
        for row in known or [no_theme]:
            row.add(record)
        if record.status in statuses:
            statuses[record.status].add(record)
    _directory_counts(regions, no_region, themes, no_theme, statuses)
    by_region = list(regions.values())
    if no_region.labels or no_region.directory_ptce:
        by_region.append(no_region)
    by_theme = list(themes.values())
    if no_theme.labels or no_theme.directory_ptce:
        by_theme.append(no_theme)
    return History(
        by_year=[years[year] for year in sorted(years)],
        by_region=by_region,
        by_theme=by_theme,
        by_status=list(statuses.values()),
        total=total,
    )


def _directory_counts(regions, no_region, themes, no_theme, statuses) -> None:
    """PTCE of the directory by main région, theme and status (three queries)."""
    for row in regions.values():
        row.directory_ptce = 0
    no_region.directory_ptce = 0
    for code, count in (
        Ptce.objects.order_by().values_list("main_region_id").annotate(n=Count("pk"))
    ):
        regions.get(code, no_region).directory_ptce += count
    counts = Ptce.objects.aggregate(
        **{
            f"theme_{value}": Count("pk", filter=Q(themes_key__contains=f"|{value}|"))
            for value in themes
        },
        no_theme=Count("pk", filter=Q(themes_key="")),
    )
    for value, row in themes.items():
        row.directory_ptce = counts[f"theme_{value}"]
    no_theme.directory_ptce = counts["no_theme"]
    for row in statuses.values():
        row.directory_ptce = 0
    for status, count in Ptce.objects.order_by().values_list("status").annotate(n=Count("pk")):
        if status in statuses:
            statuses[status].directory_ptce = count

"""Import of historical PTCE lists (CSV), documented in docs/import-ptce.md.

Real lists are messy: régions and départements come as names or codes, with or without accents,
localisations as free text (« Tours (agglomération) », « Landes / Pyrénées-Atlantiques »,
« Dijon (quartier des Grésilles) »). ``laureates.places`` places each part on the official
geography and says how; what cannot be placed is kept as text and the row flagged
``needs_review``; no row is ever dropped silently. Themes go through the controlled vocabulary
(``laureates.themes``); other words are kept as free tags. Re-running the same file changes
nothing (a pole is matched by its normalised name; a label by call and year).

Rows are read, placed and merged in memory; ``laureates.import_batch.ImportBatch`` writes them
at once (bulk inserts, one audit-chain lock, one search re-index): 1 000 messy rows import in
about a second (``bench/bench_import.py``).
"""

import csv
import io
import re
from dataclasses import dataclass, field

from calls.models import Phase
from laureates.import_batch import ImportBatch
from laureates.models import PtceStatus
from laureates.places import PlaceResolver
from laureates.themes import classify
from territories.text import normalise

COLUMNS = {
    "name": ("nom", "name", "nom du ptce", "ptce"),
    "region": ("region", "région"),
    "department": ("departement", "département"),
    "commune": ("commune", "ville", "code commune"),
    "place": ("localisation", "lieu", "territoire", "implantation", "territoire d intervention"),
    "call": ("appel", "label", "call"),
    "year": ("annee", "année", "year"),
    "phase": ("phase",),
    "theme": ("theme", "thème", "thematique", "thématique", "themes", "thèmes"),
    "status": ("statut", "status"),
    "source": ("source", "url", "source url", "url source"),
    "description": ("description",),
}

STATUS_WORDS = {
    "emerging": PtceStatus.EMERGING,
    "emergent": PtceStatus.EMERGING,
    "funded": PtceStatus.FUNDED,
    "finance": PtceStatus.FUNDED,
    "active": PtceStatus.ACTIVE,
    "actif": PtceStatus.ACTIVE,
    "inactive": PtceStatus.INACTIVE,
    "inactif": PtceStatus.INACTIVE,
}

PHASE_WORDS = {"1": Phase.EMERGENCE, "phase 1": Phase.EMERGENCE, "emergence": Phase.EMERGENCE}
PHASE_WORDS |= {"2": Phase.FUNDING, "phase 2": Phase.FUNDING, "financement": Phase.FUNDING}


@dataclass
class RowOutcome:
    line: int
    name: str
    action: str  # created, updated, unchanged, rejected
    notes: list[str] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)  # how each place was found
    placed: bool = False
    tags: list[str] = field(default_factory=list)  # themes kept as free tags

    @property
    def flagged(self) -> bool:
        return bool(self.notes)


@dataclass
class ImportReport:
    rows: list[RowOutcome] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def flagged(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.flagged]

    @property
    def imported(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.action != "rejected"]

    @property
    def placement_rate(self) -> float:
        """Share of imported rows placed on a commune, an EPCI or a département (or a région
        when the row gives nothing finer)."""
        rows = self.imported
        return sum(1 for row in rows if row.placed) / len(rows) if rows else 0.0


def read_csv(data: bytes) -> list[tuple[int, dict]]:
    """Rows of a CSV file (UTF-8 with or without BOM, or Windows-1252; « ; » or « , »), as
    (line number, {canonical column: value})."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return []
    mapping = {}
    for index, title in enumerate(header):
        key = normalise(title)
        for canonical, aliases in COLUMNS.items():
            if key in {normalise(alias) for alias in aliases} and canonical not in mapping:
                mapping[canonical] = index
    if "name" not in mapping:
        raise ValueError("Colonne « nom » introuvable dans l’en-tête du fichier.")
    rows = []
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        row = {
            canonical: (values[index].strip() if index < len(values) else "")
            for canonical, index in mapping.items()
        }
        rows.append((reader.line_num, row))
    return rows


MAX_FIELD = 500  # longer cells are cut (a 10 000-character « localisation » is a paste error)


@dataclass
class Geography:
    region: object = None
    department: object = None
    commune_codes: list[str] = field(default_factory=list)
    epci_codes: list[str] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)
    placed: bool = False


def _cut(value: str, label: str, notes: list[str]) -> str:
    if len(value) > MAX_FIELD:
        notes.append(f"{label} trop longue ({len(value)} caractères) : tronquée à {MAX_FIELD}")
        return value[:MAX_FIELD]
    return value


def _resolve_geography(row: dict, geo: PlaceResolver, notes: list[str]) -> Geography:
    """Région and département columns, then the commune and localisation columns, checked
    against each other; every match and how it was found goes to ``matches``."""
    result = Geography()
    region_text = _cut(row.get("region", ""), "région", notes)
    department_text = _cut(row.get("department", ""), "département", notes)
    commune_text = _cut(row.get("commune", ""), "commune", notes)
    place_text = _cut(row.get("place", ""), "localisation", notes)

    regions = []
    for part in _parts(region_text):
        region = geo.region(part)
        if region is None:
            notes.append(f"région non reconnue : « {part} »")
        elif region not in regions:
            regions.append(region)
            result.matches.append(f"« {part} » → région {region.name}")
    departments = []
    for part in _parts(department_text):
        department = geo.department(part)
        if department is None:
            notes.append(f"département non reconnu : « {part} »")
        elif department not in departments:
            departments.append(department)
            result.matches.append(f"« {part} » → département {department.name} ({department.code})")
    if len(regions) > 1:
        names = ", ".join(region.name for region in regions)
        kept = [r for r in regions if any(d.region_id == r.code for d in departments)]
        if len(kept) == 1:
            notes.append(f"plusieurs régions ({names}) : « {kept[0].name} » retenue (département)")
            regions = kept
        else:
            notes.append(f"plusieurs régions ({names}) : aucune retenue comme région principale")
            regions = []
    region = regions[0] if regions else None
    if region and departments:
        outside = [d for d in departments if d.region_id != region.code]
        for department in outside:
            notes.append(
                f"le département « {department.name} » n’est pas dans la région « {region.name} »"
            )
        if outside:
            # Which one is wrong cannot be known: keep the départements inside the région, or
            # neither région nor département.
            departments = [d for d in departments if d not in outside]
            if not departments:
                region = None
    if len(departments) > 1:
        result.matches.append(
            "plusieurs départements : "
            + ", ".join(f"{d.name} ({d.code})" for d in departments)
            + f" ; département principal : {departments[0].name}"
        )

    department_codes = [d.code for d in departments]
    region_code = region.code if region else None
    for label, text in (("commune", commune_text), ("localisation", place_text)):
        if not text:
            continue
        placement = geo.resolve(text, departments=department_codes, region=region_code)
        result.matches.extend(
            match.describe() for match in placement.matches if match.kind != "text"
        )
        if label == "commune" and not placement.placed:
            notes.append(f"commune non reconnue : « {text} »")
            continue
        notes.extend(placement.notes)
        for code in placement.codes("commune"):
            commune = geo.communes_by_code[code]
            if department_codes and commune.department_id not in department_codes:
                notes.append(f"la commune « {commune.name} » n’est pas dans le département indiqué")
                continue
            if region_code and commune.region_id != region_code:
                notes.append(f"la commune « {commune.name} » n’est pas dans la région indiquée")
                continue
            result.commune_codes.append(code)
        result.epci_codes.extend(placement.codes("epci"))
        for code in placement.codes("department"):
            department = geo.departments[code.lower()]
            if region_code and department.region_id != region_code:
                notes.append(
                    f"le département « {department.name} » n’est pas dans la région "
                    f"« {region.name} »"
                )
                continue
            if department not in departments:
                departments.append(department)
        for code in placement.codes("region"):
            if region is None:
                region = geo.regions[code]
    if departments and region is None:
        region = geo.regions.get(departments[0].region_id)
    if not (region_text or department_text or commune_text or place_text):
        notes.append("région et département absents")
    result.region = region
    result.department = departments[0] if departments else None
    result.placed = bool(
        result.commune_codes or result.epci_codes or result.department or result.region
    )
    return result


def _parts(text: str) -> list[str]:
    """« Landes / Pyrénées-Atlantiques » → both (hyphens inside names are kept)."""
    return [part.strip() for part in re.split(r"\s*[/;+]\s*|\s+-\s+", text) if part.strip()]


def _parse_label(row: dict, notes: list[str]):
    call_text, year_text = row.get("call", ""), row.get("year", "")
    year_match = re.search(r"(19|20)\d{2}", year_text or call_text)
    if not call_text and not year_text:
        return None
    if not year_match:
        notes.append(f"année du label non reconnue : « {year_text or call_text} »")
        return None
    year = int(year_match.group(0))
    title = call_text or f"Label {year}"
    if str(year) not in title:
        title = f"{title} {year}"
    phase = ""
    phase_text = normalise(row.get("phase", ""))
    if phase_text:
        phase = PHASE_WORDS.get(phase_text, "")
        if not phase:
            notes.append(f"phase non reconnue : « {row['phase']} »")
    return title[:120], year, phase


def import_rows(rows: list[tuple[int, dict]], *, actor=None) -> ImportReport:
    """Every row resolved and merged in memory, then written at once (``ImportBatch``)."""
    report = ImportReport()
    geo = PlaceResolver()
    batch = ImportBatch(geo, [_name(row)[0] for _, row in rows])
    for line, row in rows:
        name, too_long = _name(row)
        if not name:
            report.rows.append(RowOutcome(line, "", "rejected", ["nom absent : ligne ignorée"]))
            continue
        notes: list[str] = []
        if too_long:
            notes.append(f"nom trop long ({too_long} caractères) : tronqué à 255")
        geography = _resolve_geography(row, geo, notes)
        label = _parse_label(row, notes)
        themes, tags = classify(_cut(row.get("theme", ""), "thématique", notes))
        status_text = normalise(row.get("status", ""))
        status = STATUS_WORDS.get(status_text) if status_text else None
        if status_text and status is None:
            notes.append(f"statut non reconnu : « {row['status']} »")
        source = row.get("source", "")
        if source and not re.match(r"https?://", source):
            notes.append(f"adresse source invalide : « {source} »")
            source = ""
        action = batch.upsert(
            line, name, row, geography, label, themes, tags, status, source, notes
        )
        outcome = RowOutcome(line, name, action, notes)
        outcome.matches = geography.matches
        outcome.placed = geography.placed
        outcome.tags = tags
        report.rows.append(outcome)
    batch.flush(actor=actor)
    return report


def _name(row: dict) -> tuple[str, int]:
    """The pole's name, cut to 255 characters, and its former length when it was cut."""
    name = row.get("name", "").strip()
    if len(name) > 255:
        return name[:255].strip(), len(name)
    return name, 0

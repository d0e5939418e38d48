"""Import of historical PTCE lists (CSV), documented in docs/import-ptce.md.

Real lists are messy: régions and départements come as names or codes, with or without accents,
sometimes missing or ambiguous (« Landes / Pyrénées-Atlantiques »). Such rows are imported with
the geography left empty and flagged ``needs_review``; no row is ever dropped silently. Re-running
the same file changes nothing (a pole is matched by its normalised name; a label by call and year).
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction

from calls.models import Phase
from core import audit
from laureates.models import Ptce, PtceLabel, PtceStatus, PtceStatusChange, Theme
from laureates.services import refresh_search, set_ptce_territory, unique_slug
from territories.models import Commune, Department, Region
from territories.text import normalise

COLUMNS = {
    "name": ("nom", "name", "nom du ptce", "ptce"),
    "region": ("region", "région"),
    "department": ("departement", "département"),
    "commune": ("commune", "ville", "code commune"),
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

THEME_WORDS = {
    "economie circulaire": Theme.CIRCULAR_ECONOMY,
    "reemploi": Theme.CIRCULAR_ECONOMY,
    "alimentation": Theme.FOOD,
    "agriculture": Theme.FOOD,
    "mobilite": Theme.MOBILITY,
    "services a la personne": Theme.CARE,
    "sante": Theme.CARE,
    "care": Theme.CARE,
    "batiment": Theme.CONSTRUCTION,
    "construction": Theme.CONSTRUCTION,
    "habitat": Theme.CONSTRUCTION,
    "culture": Theme.CULTURE,
    "numerique": Theme.DIGITAL,
    "energie": Theme.ENERGY,
    "emploi": Theme.EMPLOYMENT,
    "insertion": Theme.EMPLOYMENT,
    "tourisme": Theme.TOURISM,
    "textile": Theme.TEXTILE,
    "bois": Theme.WOOD,
}
for _theme in Theme:
    THEME_WORDS[_theme.value.replace("_", " ")] = _theme
    THEME_WORDS[normalise(_theme.label)] = _theme

PHASE_WORDS = {"1": Phase.EMERGENCE, "phase 1": Phase.EMERGENCE, "emergence": Phase.EMERGENCE}
PHASE_WORDS |= {"2": Phase.FUNDING, "phase 2": Phase.FUNDING, "financement": Phase.FUNDING}


@dataclass
class RowOutcome:
    line: int
    name: str
    action: str  # created, updated, unchanged, rejected
    notes: list[str] = field(default_factory=list)

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


class GeographyIndex:
    """Régions and départements by code, by normalised name and without « la », « le »…"""

    def __init__(self):
        self.regions = {}
        for region in Region.objects.filter(retired=False):
            self.regions[region.code] = region
            self.regions[normalise(region.name)] = region
        self.departments = {}
        for department in Department.objects.filter(retired=False).select_related("region"):
            self.departments[department.code.lower()] = department
            self.departments[normalise(department.name)] = department
            if department.code.isdigit() and len(department.code) == 2:
                self.departments[department.code.lstrip("0")] = department

    def region(self, value: str):
        key = normalise(value)
        if key.isdigit():
            return self.regions.get(key.zfill(2))
        return self.regions.get(key) or self.regions.get(re.sub(r"^(la|le|les) ", "", key))

    def department(self, value: str):
        key = normalise(value)
        compact = key.replace(" ", "")
        if compact in self.departments:
            return self.departments[compact]
        return self.departments.get(key) or self.departments.get(re.sub(r"^(la|le|les) ", "", key))


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


def _resolve_geography(row: dict, geo: GeographyIndex, notes: list[str]):
    region_text, department_text = row.get("region", ""), row.get("department", "")
    region = geo.region(region_text) if region_text else None
    department = geo.department(department_text) if department_text else None
    if region_text and region is None:
        notes.append(f"région non reconnue : « {region_text} »")
    if department_text and department is None:
        notes.append(f"département non reconnu : « {department_text} »")
    if department and region is None and not region_text:
        region = department.region
    if department and region and department.region_id != region.code:
        notes.append(
            f"le département « {department.name} » n’est pas dans la région « {region.name} »"
        )
        region = department = None
    if not region_text and not department_text:
        notes.append("région et département absents")
    commune = None
    commune_text = row.get("commune", "")
    if commune_text:
        candidates = Commune.objects.current()
        if commune_text.isdigit() or re.fullmatch(r"\d[0-9AB]\d{3}", commune_text):
            candidates = candidates.filter(code=commune_text.upper())
        else:
            candidates = candidates.filter(search_name=normalise(commune_text))
            if department:
                candidates = candidates.filter(department=department)
            elif region:
                candidates = candidates.filter(region=region)
        found = list(candidates[:2])
        if len(found) == 1:
            commune = found[0]
            if department and commune.department_id != department.code:
                notes.append(f"la commune « {commune_text} » n’est pas dans le département")
                commune = None
        elif found:
            notes.append(f"commune ambiguë : « {commune_text} » (précisez le département)")
        else:
            notes.append(f"commune non reconnue : « {commune_text} »")
    return region, department, commune


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


def _parse_themes(text: str, notes: list[str]) -> list[str]:
    themes = []
    for part in re.split(r"[,;/|+]", text or ""):
        key = normalise(part)
        if not key:
            continue
        theme = THEME_WORDS.get(key)
        if theme is None:
            theme = next((value for word, value in THEME_WORDS.items() if word in key), None)
        if theme is None:
            notes.append(f"thématique non reconnue : « {part.strip()} »")
        elif theme not in themes:
            themes.append(theme)
    return themes


def import_rows(rows: list[tuple[int, dict]], *, actor=None) -> ImportReport:
    report = ImportReport()
    geo = GeographyIndex()
    for line, row in rows:
        name = row.get("name", "").strip()
        if not name:
            report.rows.append(RowOutcome(line, "", "rejected", ["nom absent : ligne ignorée"]))
            continue
        notes: list[str] = []
        region, department, commune = _resolve_geography(row, geo, notes)
        label = _parse_label(row, notes)
        themes = _parse_themes(row.get("theme", ""), notes)
        status_text = normalise(row.get("status", ""))
        status = STATUS_WORDS.get(status_text) if status_text else None
        if status_text and status is None:
            notes.append(f"statut non reconnu : « {row['status']} »")
        source = row.get("source", "")
        if source and not re.match(r"https?://", source):
            notes.append(f"adresse source invalide : « {source} »")
            source = ""
        outcome = _upsert(
            line, name, row, region, department, commune, label, themes, status, source, notes
        )
        report.rows.append(outcome)
        if outcome.action in {"created", "updated"}:
            audit.record(
                f"ptce.import_{outcome.action}",
                actor=actor,
                label=name,
                after={"line": line, "notes": notes},
            )
    return report


@transaction.atomic
def _upsert(line, name, row, region, department, commune, label, themes, status, source, notes):
    ptce = Ptce.objects.filter(search_name=normalise(name)).order_by("pk").first()
    created = ptce is None
    changed = False
    if created:
        ptce = Ptce(
            name=name[:255],
            slug=unique_slug(name),
            description=row.get("description", ""),
            themes=themes,
            status=status or PtceStatus.ACTIVE,
            source_url=source[:500],
            main_region=region,
            main_department=department,
            needs_review=bool(notes),
            review_note="\n".join(f"Ligne {line} : {note}" for note in notes),
        )
        ptce.save()
        PtceStatusChange.objects.create(
            ptce=ptce, to_status=ptce.status, reason=f"Import historique (ligne {line})"
        )
    else:
        new_themes = [theme for theme in themes if theme not in ptce.themes]
        if new_themes:
            ptce.themes = [*ptce.themes, *new_themes]
            changed = True
        if source and not ptce.source_url:
            ptce.source_url = source[:500]
            changed = True
        if region and not ptce.main_region_id:
            ptce.main_region, changed = region, True
        if department and not ptce.main_department_id:
            ptce.main_department, changed = department, True
        for note in notes:
            text = f"Ligne {line} : {note}"
            if text not in ptce.review_note:
                ptce.review_note = "\n".join(filter(None, [ptce.review_note, text]))
                ptce.needs_review = True
                changed = True
        if changed:
            ptce.save()
    if label:
        title, year, phase = label
        _, label_created = PtceLabel.objects.get_or_create(
            ptce=ptce, title=title, year=year, phase=phase
        )
        changed = changed or label_created
    if commune and not ptce.communes.filter(pk=commune.pk).exists():
        codes = [*ptce.communes.values_list("code", flat=True), commune.code]
        set_ptce_territory(ptce, commune_codes=codes)
        changed = True
    elif created or changed:
        refresh_search(ptce)
    action = "created" if created else ("updated" if changed else "unchanged")
    return RowOutcome(line, name, action, notes)

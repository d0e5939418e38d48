"""Official reference data for the priority territories (issue 17, docs/priority-territories.md):

* ``import_density(path)``: INSEE's « grille communale de densité » (xlsx or CSV) → each current
  commune's degree and whether it is rural per INSEE's definition;
* ``import_qpv(path)``: the list of QPV with their communes (CSV or xlsx) → ``Qpv`` rows.

Both replace the previous load entirely (re-importing a file gives the same state), run in one
transaction (a corrupted file raises ``ReferenceError`` and changes nothing), keep unknown
commune codes out and report them, and record the file in ``ReferenceFile``.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from core import audit
from territories.models import Commune, CommuneType, Qpv, ReferenceFile, ReferenceKind
from territories.tabular import Table, TableError, read_table
from territories.text import normalise

# Sent after a successful import (``kind``: a ReferenceKind value); reviews refreshes the
# priority flags of the files under review, the directory starts a new generation of API counts.
reference_loaded = Signal()
# Sent inside the import's transaction, once the reference data is written: what derives from
# it (the PTCE's priority flags, laureates.priority) is rewritten in the same transaction.
reference_changed = Signal()

CHUNK = 500
SHOWN = 20  # unknown codes listed in the report

COMMUNE_CODE_COLUMNS = (
    "codgeo",
    "code_commune",
    "code_insee",
    "insee_com",
    "depcom",
    "com",
    "code_commune_insee",
    "insee_commune",
    "codecommune",
)
DENSITY_7_COLUMNS = ("dens7", "dens_7", "typo_dens7")
DENSITY_COLUMNS = ("dens", "densite", "degre_densite", "niveau_densite")
DENSITY_LABEL_COLUMNS = ("libdens7", "lib_dens7", "libdens", "lib_dens", "libelle_densite")
QPV_CODE_COLUMNS = ("code_qp", "code_qpv", "cod_qp", "codeqp", "qp", "qpv")
QPV_NAME_COLUMNS = ("lib_qp", "nom_qp", "libelle_qp", "lib_qpv", "nom_qpv", "libqp")
QPV_COMMUNE_COLUMNS = (
    "insee_com",
    "code_commune",
    "codes_communes",
    "liste_insee_com",
    "codgeo",
    "code_insee",
    "depcom",
    "insee_commune",
    "com",
)

# Degrees INSEE classes as rural, by grid (since 2021: « bourgs ruraux », « rural à habitat
# dispersé », « rural à habitat très dispersé » in the 7-level grid; « peu dense » and « très
# peu dense » in the former 4-level grid; « rural » in the 3-level grid).
RURAL_DEGREES = {7: frozenset({5, 6, 7}), 4: frozenset({3, 4}), 3: frozenset({3})}
LABELS_7 = (
    "grands centres urbains",
    "centres urbains intermediaires",
    "ceintures urbaines",
    "petites villes",
    "bourgs ruraux",
    "rural a habitat disperse",
    "rural a habitat tres disperse",
)
SPLIT_CODES = re.compile(r"[\s,;|/]+")


class ReferenceError(Exception):
    """The reference file cannot be used; nothing was changed. French message."""


@dataclass
class ImportReport:
    kind: str
    file_name: str
    sheet: str = ""
    rows: int = 0  # data rows read (blank lines not counted)
    applied: int = 0  # communes classified (density) or QPV loaded (qpv)
    communes_linked: int = 0  # qpv: distinct current communes with at least one QPV
    rural: int = 0
    levels: int | None = None
    duplicates: int = 0  # rows repeating one already read (same values)
    conflicts: list[str] = field(default_factory=list)  # same key, different values
    invalid: list[str] = field(default_factory=list)  # rows with an unusable value
    unknown_codes: list[str] = field(default_factory=list)  # commune codes not in the COG
    attached: int = 0  # qpv: codes of districts/delegated communes → their current commune
    missing_communes: int = 0  # density: current communes absent from the file
    without_commune: list[str] = field(default_factory=list)  # qpv left with no known commune

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "applied": self.applied,
            "communes_linked": self.communes_linked,
            "rural": self.rural,
            "levels": self.levels,
            "duplicates": self.duplicates,
            "conflicts": len(self.conflicts),
            "invalid": len(self.invalid),
            "unknown_codes": len(self.unknown_codes),
            "unknown_sample": self.unknown_codes[:SHOWN],
            "attached": self.attached,
            "missing_communes": self.missing_communes,
            "without_commune": len(self.without_commune),
        }

    def lines(self) -> list[str]:
        """The report in French, as the commands print it."""
        sheet = f" (feuille « {self.sheet} »)" if self.sheet else ""
        out = [f"Fichier : {self.file_name}{sheet}"]
        out.append(f"  {self.rows} ligne(s) de données lue(s)")
        if self.kind == ReferenceKind.DENSITY:
            out.append(
                f"  grille à {self.levels} niveaux : {self.applied} commune(s) classée(s), "
                f"dont {self.rural} rurale(s)"
            )
            if self.missing_communes:
                out.append(
                    f"  {self.missing_communes} commune(s) du référentiel absente(s) du fichier "
                    "(densité inconnue)"
                )
        else:
            out.append(
                f"  {self.applied} QPV chargé(s), {self.communes_linked} commune(s) avec au "
                "moins un QPV"
            )
            if self.attached:
                out.append(
                    f"  {self.attached} code(s) d’arrondissement ou de commune déléguée "
                    "rattaché(s) à leur commune actuelle"
                )
            if self.without_commune:
                out.append(
                    f"  {len(self.without_commune)} QPV écarté(s) faute de commune connue : "
                    + ", ".join(self.without_commune[:SHOWN])
                )
        if self.duplicates:
            out.append(f"  {self.duplicates} doublon(s) identique(s) ignoré(s)")
        for problem in self.conflicts[:SHOWN]:
            out.append(f"  doublon contradictoire écarté : {problem}")
        for problem in self.invalid[:SHOWN]:
            out.append(f"  ligne écartée : {problem}")
        if self.unknown_codes:
            shown = ", ".join(self.unknown_codes[:SHOWN])
            more = len(self.unknown_codes) - SHOWN
            out.append(
                f"  {len(self.unknown_codes)} code(s) commune inconnu(s) du référentiel, "
                f"écarté(s) : {shown}" + (f" (et {more} autre(s))" if more > 0 else "")
            )
        return out


# ---------------------------------------------------------------- shared helpers


def _read(path: Path, aliases, preferred_sheets=()) -> Table:
    try:
        return read_table(path, header_aliases=aliases, preferred_sheets=preferred_sheets)
    except TableError as error:
        raise ReferenceError(str(error)) from None


def _missing(table: Table, needed: list[tuple[str, tuple[str, ...]]]) -> None:
    absent = [label for label, aliases in needed if table.find(aliases) is None]
    if absent:
        found = ", ".join(table.raw_columns) or "aucune"
        raise ReferenceError(
            f"Colonne(s) manquante(s) : {' ; '.join(absent)}. Colonnes trouvées : {found}."
        )


def commune_code(raw: str) -> str:
    """« 1001 » (an xlsx number that lost its leading zero) → « 01001 »; « 2a004 » → « 2A004 »."""
    code = raw.strip().upper()
    if code.endswith(".0") and code[:-2].isdigit():
        code = code[:-2]
    if code.isdigit() and len(code) == 4:
        code = "0" + code
    return code[:12]  # a commune code has 5 characters: longer text is only reported, shortened


def _current_codes() -> set[str]:
    return set(Commune.objects.current().values_list("code", flat=True))


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _record(kind, path, report: ImportReport, *, levels=None):
    ReferenceFile.objects.update_or_create(
        kind=kind,
        defaults={
            "file_name": Path(path).name,
            "sha256": _sha256(path),
            "levels": levels,
            "loaded_at": timezone.now(),
            "report": report.as_dict(),
        },
    )
    audit.record(
        f"territories.{kind}_imported",
        label=Path(path).name,
        after={"file": Path(path).name, **report.as_dict()},
    )


# ---------------------------------------------------------------- density grid


def _levels_from_labels(table: Table, label_column: str | None) -> int | None:
    if label_column is None:
        return None
    labels = {normalise(row.get(label_column, "")) for row in table.rows if row}
    labels.discard("")
    if any(known in label for label in labels for known in LABELS_7):
        return 7
    if any(known in label for label in labels for known in ("densement peuple", "peu dense")):
        return 4
    if any(label == "rural" or label.startswith("urbain") for label in labels):
        return 3
    return None


def _degree(raw: str) -> int | None:
    text = raw.strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def import_density(path: Path, *, levels: int | None = None) -> ImportReport:
    """``levels``: 3, 4 or 7 when the file does not say it (a ``DENS`` column without labels
    and no degree above 4)."""
    table = _read(
        path,
        COMMUNE_CODE_COLUMNS,
        preferred_sheets=("Maille communale", "Grille_Densite", "Communes"),
    )
    _missing(
        table,
        [
            ("code commune (CODGEO)", COMMUNE_CODE_COLUMNS),
            ("degré de densité (DENS ou DENS7)", DENSITY_7_COLUMNS + DENSITY_COLUMNS),
        ],
    )
    code_column = table.find(COMMUNE_CODE_COLUMNS)
    degree_column = table.find(DENSITY_7_COLUMNS)
    label_column = table.find(DENSITY_LABEL_COLUMNS)
    if degree_column is not None:
        found_levels = 7
        label_column = table.find(("libdens7", "lib_dens7"))
    else:
        degree_column = table.find(DENSITY_COLUMNS)
        found_levels = _levels_from_labels(table, label_column)
    report = ImportReport(ReferenceKind.DENSITY, Path(path).name, sheet=table.sheet)
    degrees: dict[str, int] = {}
    conflicting: set[str] = set()
    for offset, row in enumerate(table.rows):
        if not row:
            continue
        line = table.first_line + offset
        report.rows += 1
        code = commune_code(row.get(code_column, ""))
        raw = row.get(degree_column, "")
        degree = _degree(raw)
        if not code:
            report.invalid.append(f"ligne {line} : code commune vide")
            continue
        if degree is None or not 1 <= degree <= 7:
            report.invalid.append(f"ligne {line} : degré de densité « {raw} » invalide ({code})")
            continue
        if code in degrees or code in conflicting:
            if degrees.get(code) == degree:
                report.duplicates += 1
            else:
                if code not in conflicting:
                    report.conflicts.append(
                        f"{code} (degrés {degrees.get(code)} et {degree}, ligne {line})"
                    )
                conflicting.add(code)
                degrees.pop(code, None)
            continue
        degrees[code] = degree
    if not report.rows:
        raise ReferenceError("Le fichier ne contient aucune ligne de données.")
    if not degrees:
        raise ReferenceError(
            "Aucune ligne utilisable : " + " ; ".join((report.invalid + report.conflicts)[:3])
        )
    highest = max(degrees.values(), default=0)
    if levels is None:
        levels = found_levels or (7 if highest > 4 else None)
    if levels is None:
        raise ReferenceError(
            "Impossible de savoir si la colonne de densité suit la grille à 3, 4 ou 7 niveaux "
            "(ni libellés, ni degré supérieur à 4) : précisez --niveaux 3, 4 ou 7."
        )
    if levels not in RURAL_DEGREES:
        raise ReferenceError(f"Grille à {levels} niveaux inconnue : 3, 4 ou 7.")
    if highest > levels:
        raise ReferenceError(
            f"Degré {highest} trouvé alors que la grille a {levels} niveaux : vérifiez la "
            "colonne utilisée (DENS7 pour la grille à 7 niveaux)."
        )
    known = _current_codes()
    report.unknown_codes = sorted(set(degrees) - known)
    kept = {code: degree for code, degree in degrees.items() if code in known}
    if not kept:
        raise ReferenceError(
            "Aucun code commune du fichier n’est connu du référentiel géographique : fichier "
            "d’un autre pays, colonne décalée ou référentiel non chargé (manage.py import_cog)."
        )
    rural = RURAL_DEGREES[levels]
    report.levels = levels
    report.applied = len(kept)
    report.rural = sum(1 for degree in kept.values() if degree in rural)
    report.missing_communes = len(known - set(kept))
    by_degree = defaultdict(list)
    for code, degree in kept.items():
        by_degree[degree].append(code)
    with transaction.atomic():
        Commune.objects.exclude(density_degree=None, is_rural=None).update(
            density_degree=None, is_rural=None
        )
        current = Commune.objects.current()
        for degree, codes in sorted(by_degree.items()):
            for chunk in _chunks(codes):
                current.filter(code__in=chunk).update(
                    density_degree=degree, is_rural=degree in rural
                )
        _record(ReferenceKind.DENSITY, path, report, levels=levels)
        reference_changed.send(sender=ReferenceFile, kind=ReferenceKind.DENSITY)
        transaction.on_commit(
            lambda: reference_loaded.send(sender=ReferenceFile, kind=ReferenceKind.DENSITY)
        )
    return report


# ---------------------------------------------------------------- QPV list


def import_qpv(path: Path) -> ImportReport:
    table = _read(path, QPV_CODE_COLUMNS)
    _missing(
        table,
        [
            ("code du quartier (code_qp)", QPV_CODE_COLUMNS),
            ("code(s) commune (insee_com ou code_commune)", QPV_COMMUNE_COLUMNS),
        ],
    )
    code_column = table.find(QPV_CODE_COLUMNS)
    name_column = table.find(QPV_NAME_COLUMNS)
    commune_column = table.find(QPV_COMMUNE_COLUMNS)
    report = ImportReport(ReferenceKind.QPV, Path(path).name, sheet=table.sheet)
    names: dict[str, str] = {}
    communes: dict[str, set[str]] = defaultdict(set)
    seen_rows: set[tuple] = set()
    for offset, row in enumerate(table.rows):
        if not row:
            continue
        line = table.first_line + offset
        report.rows += 1
        code = row.get(code_column, "").strip().upper()
        name = row.get(name_column, "").strip() if name_column else ""
        codes = [commune_code(c) for c in SPLIT_CODES.split(row.get(commune_column, "")) if c]
        if not code:
            report.invalid.append(f"ligne {line} : code du quartier vide")
            continue
        if len(code) > 20:
            report.invalid.append(f"ligne {line} : code du quartier trop long ({code[:30]}…)")
            continue
        if not codes:
            report.invalid.append(f"ligne {line} : aucun code commune pour {code}")
            continue
        key = (code, name, tuple(sorted(codes)))
        if key in seen_rows:
            report.duplicates += 1
            continue
        seen_rows.add(key)
        if name and names.get(code) and normalise(names[code]) != normalise(name):
            report.conflicts.append(
                f"{code} nommé « {names[code]} » puis « {name} » (ligne {line}) : premier nom gardé"
            )
        elif name and not names.get(code):
            names[code] = name[:255]
        communes[code].update(codes)
    if not report.rows:
        raise ReferenceError("Le fichier ne contient aucune ligne de données.")
    resolve = _commune_resolver({c for codes in communes.values() for c in codes})
    unknown: set[str] = set()
    links: dict[str, set[int]] = {}
    for code, codes in communes.items():
        pks = set()
        for commune in codes:
            found = resolve.get(commune)
            if found is None:
                unknown.add(commune)
                continue
            pk, attached = found
            report.attached += attached
            pks.add(pk)
        if pks:
            links[code] = pks
        else:
            report.without_commune.append(code)
    report.unknown_codes = sorted(unknown)
    if not links:
        raise ReferenceError(
            "Aucun QPV du fichier n’a de commune connue du référentiel géographique : colonne "
            "décalée ou référentiel non chargé (manage.py import_cog)."
        )
    report.applied = len(links)
    report.communes_linked = len(set().union(*links.values()))
    with transaction.atomic():
        Qpv.objects.exclude(code__in=list(links)).delete()
        existing = {q.code: q for q in Qpv.objects.all()}
        for code in sorted(links):
            name = names.get(code) or code
            qpv = existing.get(code)
            if qpv is None:
                qpv = Qpv.objects.create(code=code, name=name)
            elif qpv.name != name:
                qpv.name = name
                qpv.save(update_fields=["name"])
            qpv.communes.set(links[code])
        _record(ReferenceKind.QPV, path, report)
        reference_changed.send(sender=ReferenceFile, kind=ReferenceKind.QPV)
        transaction.on_commit(
            lambda: reference_loaded.send(sender=ReferenceFile, kind=ReferenceKind.QPV)
        )
    return report


def _commune_resolver(codes: set[str]) -> dict[str, tuple[int, int]]:
    """code → (pk of the current commune, 1 if reached through its parent else 0). QPV lists
    often give the arrondissements of Paris, Lyon and Marseille, or former communes."""
    result: dict[str, tuple[int, int]] = {}
    rows = Commune.objects.filter(code__in=codes, retired=False).values_list(
        "code", "type", "pk", "parent_id", "parent__type", "parent__retired"
    )
    for code, kind, pk, parent, parent_kind, parent_retired in rows:
        if kind == CommuneType.CURRENT:
            result[code] = (pk, 0)
        elif (
            code not in result
            and parent is not None
            and parent_kind == CommuneType.CURRENT
            and not parent_retired
        ):
            result[code] = (parent, 1)
    return result

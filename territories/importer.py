"""Idempotent import of the COG snapshot: keyed by official codes, never deletes.

Entries missing from a newer snapshot are flagged ``retired`` (kept for history), and the
whole import runs in one transaction: a corrupted file leaves the database unchanged.
"""

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from territories.models import Commune, CommuneType, Department, Epci, Region, Zone
from territories.text import normalise

DEFAULT_SNAPSHOT = Path(__file__).resolve().parent / "data" / "cog.json.gz"
BATCH = 2000


class SnapshotError(Exception):
    """The snapshot file cannot be used; the message says why, in French."""


@dataclass
class TableReport:
    created: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)


@dataclass
class ImportReport:
    source: str = ""
    tables: dict[str, TableReport] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(report.changed for report in self.tables.values())


def read_snapshot(path: Path) -> dict:
    try:
        with gzip.open(path, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8"))
    except FileNotFoundError:
        raise SnapshotError(f"Fichier introuvable : {path}") from None
    except (OSError, EOFError) as error:
        raise SnapshotError(f"Archive illisible ou tronquée ({path}) : {error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SnapshotError(f"Contenu JSON invalide ({path}) : {error}") from None
    _validate(data)
    return data


_SHAPES = {"regions": 4, "departments": 5, "epci": 6, "communes": 10}
_ZONES = {choice.value for choice in Zone}
_TYPES = {choice.value for choice in CommuneType}


def _validate(data) -> None:
    if not isinstance(data, dict):
        raise SnapshotError("Le fichier ne décrit pas un référentiel (objet JSON attendu).")
    for key, width in _SHAPES.items():
        rows = data.get(key)
        if not isinstance(rows, list) or not rows:
            raise SnapshotError(f"Section « {key} » absente ou vide.")
        for index, row in enumerate(rows, start=1):
            if not isinstance(row, list) or len(row) != width:
                raise SnapshotError(f"Section « {key} », ligne {index} : format inattendu.")
            if not row[0] or not isinstance(row[0], str):
                raise SnapshotError(f"Section « {key} », ligne {index} : code manquant.")
    for index, row in enumerate(data["communes"], start=1):
        if row[1] not in _TYPES or row[3] not in _ZONES:
            raise SnapshotError(f"Section « communes », ligne {index} : type ou zone inconnu.")


def import_snapshot(path: Path = DEFAULT_SNAPSHOT) -> ImportReport:
    data = read_snapshot(path)
    report = ImportReport(source=data.get("source", str(path)))
    with transaction.atomic():
        report.tables["régions"] = _sync(
            Region,
            {
                code: {"name": name, "zone": zone, "chief_town_code": chief}
                for code, name, zone, chief in data["regions"]
            },
        )
        report.tables["départements"] = _sync(
            Department,
            {
                code: {"name": name, "region_id": region, "zone": zone, "chief_town_code": chief}
                for code, name, region, zone, chief in data["departments"]
            },
        )
        report.tables["EPCI"] = _sync(
            Epci,
            {
                code: {
                    "name": name,
                    "kind": kind,
                    "financing": financing,
                    "population": population or 0,
                    "search_name": normalise(name),
                }
                for code, name, kind, financing, population, _members in data["epci"]
            },
        )
        epci_of = {member: row[0] for row in data["epci"] for member in row[5]}
        report.tables["communes"] = _sync_communes(data["communes"], epci_of)
    return report


def _sync(model, wanted: dict[str, dict]) -> TableReport:
    """Create, update or flag as retired the rows of a code-keyed table."""
    report = TableReport()
    fields = [*next(iter(wanted.values())).keys(), "retired"]
    existing = {obj.pk: obj for obj in model.objects.all()}
    to_create, to_update = [], []
    for code, values in wanted.items():
        values = {**values, "retired": False}
        obj = existing.get(code)
        if obj is None:
            to_create.append(model(pk=code, **values))
        elif any(getattr(obj, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(obj, name, value)
            to_update.append(obj)
        else:
            report.unchanged += 1
    for code, obj in existing.items():
        if code not in wanted and not obj.retired:
            obj.retired = True
            to_update.append(obj)
            report.retired += 1
    model.objects.bulk_create(to_create, batch_size=BATCH)
    model.objects.bulk_update(to_update, fields, batch_size=BATCH)
    report.created = len(to_create)
    report.updated = len(to_update) - report.retired
    return report


_COMMUNE_FIELDS = [
    "name",
    "search_name",
    "zone",
    "department_id",
    "region_id",
    "epci_id",
    "parent_id",
    "population",
    "postal_codes",
    "postal_codes_text",
    "siren",
    "retired",
]


def _sync_communes(rows: list, epci_of: dict[str, str]) -> TableReport:
    report = TableReport()
    existing = {(c.code, c.type): c for c in Commune.objects.all()}
    seen: set[tuple[str, str]] = set()
    # Current communes first: the others point to them through ``parent``.
    ordered = sorted(rows, key=lambda row: row[1] != CommuneType.CURRENT)
    to_create, to_update = [], []
    current_ids: dict[str, int] = {
        code: obj.pk for (code, kind), obj in existing.items() if kind == CommuneType.CURRENT
    }
    phase_split = sum(1 for row in rows if row[1] == CommuneType.CURRENT)

    def flush():
        Commune.objects.bulk_create(to_create, batch_size=BATCH)
        Commune.objects.bulk_update(to_update, _COMMUNE_FIELDS, batch_size=BATCH)
        report.created += len(to_create)
        report.updated += len(to_update)
        to_create.clear()
        to_update.clear()

    for index, row in enumerate(ordered):
        if index == phase_split:
            flush()
            current_ids = dict(
                Commune.objects.filter(type=CommuneType.CURRENT).values_list("code", "pk")
            )
        code, kind, name, zone, department, region, parent, population, postal, siren = row
        key = (code, kind)
        seen.add(key)
        values = {
            "name": name,
            "search_name": normalise(name),
            "zone": zone,
            "department_id": department or None,
            "region_id": region or None,
            "epci_id": epci_of.get(code) if kind == CommuneType.CURRENT else None,
            "parent_id": current_ids.get(parent) if kind != CommuneType.CURRENT else None,
            "population": population,
            "postal_codes": postal or [],
            "postal_codes_text": " " + " ".join(postal or []) + " ",
            "siren": siren or "",
            "retired": False,
        }
        obj = existing.get(key)
        if obj is None:
            to_create.append(Commune(code=code, type=kind, **values))
        elif any(getattr(obj, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(obj, name, value)
            to_update.append(obj)
        else:
            report.unchanged += 1
    flush()
    stale = [obj for key, obj in existing.items() if key not in seen and not obj.retired]
    for obj in stale:
        obj.retired = True
    Commune.objects.bulk_update(stale, ["retired"], batch_size=BATCH)
    report.retired = len(stale)
    return report

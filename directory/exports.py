"""Open-data rows of the directory (one per PTCE), in the column order of schemas/ptce.json."""

import json
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import Count

from laureates.models import Ptce, PtceLabel, PtceMember

SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "ptce.json"
CHUNK = 1000


@lru_cache(maxsize=1)
def ptce_schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text("utf-8"))


def ptce_columns() -> list[str]:
    return [field["name"] for field in ptce_schema()["fields"]]


def _chunks(queryset) -> Iterator[list[Ptce]]:
    """Keyset pagination over the primary key: constant memory, no growing OFFSET."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def _related(ids: list[int]) -> tuple[dict, dict, dict]:
    """Labels, commune codes and member counts of a chunk of PTCE: three flat queries."""
    labels: dict[int, list[PtceLabel]] = defaultdict(list)
    for label in PtceLabel.objects.filter(ptce_id__in=ids).order_by("year", "title", "phase"):
        labels[label.ptce_id].append(label)
    communes: dict[int, list[str]] = defaultdict(list)
    through = Ptce.communes.through
    for ptce_id, code in through.objects.filter(ptce_id__in=ids).values_list(
        "ptce_id", "commune__code"
    ):
        communes[ptce_id].append(code)
    members = dict(
        PtceMember.objects.filter(ptce_id__in=ids)
        .order_by()
        .values_list("ptce_id")
        .annotate(n=Count("pk"))
    )
    return labels, communes, members


def ptce_records(queryset=None) -> Iterator[dict]:
    """One dict per PTCE, with JSON-ready values (None when missing)."""
    queryset = Ptce.objects.all() if queryset is None else queryset
    queryset = queryset.select_related("main_region", "main_department").defer(
        "search_text", "search_vector", "review_note"
    )
    site = settings.SITE_URL
    for chunk in _chunks(queryset):
        labels_by_ptce, communes_by_ptce, members = _related([ptce.pk for ptce in chunk])
        for ptce in chunk:
            labels = labels_by_ptce.get(ptce.pk, [])
            communes = sorted(communes_by_ptce.get(ptce.pk, []))
            yield {
                "id": str(ptce.uuid),
                "slug": ptce.slug,
                "nom": ptce.name,
                "description": ptce.description,
                "structure_porteuse": ptce.lead_organisation_name,
                "siret_structure_porteuse": ptce.lead_organisation_siret or None,
                "statut": ptce.status,
                "thematiques": "|".join(ptce.themes),
                "region_code": ptce.main_region_id,
                "region_nom": ptce.main_region.name if ptce.main_region_id else None,
                "departement_code": ptce.main_department_id,
                "departement_nom": ptce.main_department.name if ptce.main_department_id else None,
                "communes_codes": "|".join(communes) or None,
                "population_couverte": ptce.population_covered,
                "labels": " | ".join(label.short_label for label in labels),
                "annee_premier_label": min((label.year for label in labels), default=None),
                "nombre_membres": members.get(ptce.pk, 0),
                "courriel_contact": ptce.contact_email or None,
                "site_internet": ptce.website or None,
                "source": ptce.source_url or None,
                "url_fiche": f"{site}/annuaire/{ptce.slug}/",
                "date_mise_a_jour": ptce.updated_at.isoformat(timespec="seconds"),
            }


def ptce_table_rows(queryset=None) -> Iterator[list]:
    columns = ptce_columns()
    for record in ptce_records(queryset):
        yield ["" if record[column] is None else record[column] for column in columns]

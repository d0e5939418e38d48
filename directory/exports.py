"""Open-data rows of the directory (one per PTCE), in the column order of schemas/ptce.json."""

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Prefetch

from laureates.models import Ptce, PtceLabel

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


def ptce_records(queryset=None) -> Iterator[dict]:
    """One dict per PTCE, with JSON-ready values (None when missing)."""
    queryset = Ptce.objects.all() if queryset is None else queryset
    queryset = (
        queryset.select_related("main_region", "main_department")
        .annotate(member_count=Count("members", distinct=True))
        .prefetch_related(
            Prefetch("labels", queryset=PtceLabel.objects.order_by("year", "title", "phase")),
            "communes",
        )
        .defer("search_text", "search_vector")
    )
    site = settings.SITE_URL
    for chunk in _chunks(queryset):
        for ptce in chunk:
            labels = list(ptce.labels.all())
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
                "communes_codes": "|".join(sorted(c.code for c in ptce.communes.all())) or None,
                "population_couverte": ptce.population_covered,
                "labels": " | ".join(label.short_label for label in labels),
                "annee_premier_label": min((label.year for label in labels), default=None),
                "nombre_membres": ptce.member_count,
                "courriel_contact": ptce.contact_email or None,
                "site_internet": ptce.website or None,
                "source": ptce.source_url or None,
                "url_fiche": f"{site}{ptce.get_absolute_url()}",
                "date_mise_a_jour": ptce.updated_at.isoformat(timespec="seconds"),
            }


def ptce_table_rows(queryset=None) -> Iterator[list]:
    columns = ptce_columns()
    for record in ptce_records(queryset):
        yield ["" if record[column] is None else record[column] for column in columns]

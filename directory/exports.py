"""Open-data rows of the directory (one per PTCE), in the column order of schemas/ptce.json."""

import datetime
import json
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import Count

from calls.choices import Instrument, Phase
from laureates.models import Ptce, PtceLabel, PtceMember, Theme

SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "ptce.json"
CHUNK = 1000
# Open data gives values in French, codes in their own « …_code » column (issue 18).
THEME_LABELS = dict(Theme.choices)
PHASE_LABELS = dict(Phase.choices)
INSTRUMENT_LABELS = dict(Instrument.choices)


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


def _ptce_rows(queryset):
    return queryset.select_related("main_region", "main_department").defer(
        "search_text", "search_vector", "review_note"
    )


def ptce_records(queryset=None) -> Iterator[dict]:
    """One dict per PTCE, with JSON-ready values (None when missing)."""
    queryset = _ptce_rows(Ptce.objects.all() if queryset is None else queryset)
    site = settings.SITE_URL
    for chunk in _chunks(queryset):
        related = _related([ptce.pk for ptce in chunk])
        for ptce in chunk:
            yield _ptce_record(ptce, *related, site)


def ptce_page_records(queryset, start: int, stop: int) -> list[dict]:
    """Records of the rows ``start:stop`` of an ordered queryset, in its order (a page of the
    API): four queries whatever the page size."""
    rows = list(_ptce_rows(queryset)[start:stop])
    related = _related([ptce.pk for ptce in rows])
    site = settings.SITE_URL
    return [_ptce_record(ptce, *related, site) for ptce in rows]


def _ptce_record(ptce, labels_by_ptce, communes_by_ptce, members, site) -> dict:
    labels = labels_by_ptce.get(ptce.pk, [])
    communes = sorted(communes_by_ptce.get(ptce.pk, []))
    return {
        "id": str(ptce.uuid),
        "slug": ptce.slug,
        "nom": ptce.name,
        "description": ptce.description,
        "structure_porteuse": ptce.lead_organisation_name,
        "siret_structure_porteuse": ptce.lead_organisation_siret or None,
        "statut": ptce.get_status_display(),
        "statut_code": ptce.status,
        "thematiques": "|".join(ptce.themes),
        "thematiques_libelles": "|".join(THEME_LABELS.get(t, t) for t in ptce.themes),
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


# ---------------------------------------------------------------------------------------------
# Other open-data files: awards (lauréats) and aggregated call statistics. Each has its Table
# Schema in schemas/<name>.json; records are dicts in the schema's column order with Python
# values (Decimal, date, datetime, None), turned into text/JSON by the writers.

SCHEMAS_DIR = SCHEMA_FILE.parent


@cache
def load_schema(name: str) -> dict:
    return json.loads((SCHEMAS_DIR / f"{name}.json").read_text("utf-8"))


def schema_columns(name: str) -> list[str]:
    return [field["name"] for field in load_schema(name)["fields"]]


def public_awards():
    """Awards shown publicly: published decisions still in force (cancelled ones are not)."""
    from laureates.models import Award, AwardStatus

    return Award.objects.filter(status=AwardStatus.GRANTED)


def award_records(queryset=None) -> Iterator[dict]:
    queryset = public_awards() if queryset is None else queryset
    queryset = queryset.select_related("call", "ptce", "application__region").order_by("pk")
    site = settings.SITE_URL
    for award in queryset.iterator(chunk_size=CHUNK):
        ptce, region = award.ptce, award.application.region
        yield {
            "id": award.pk,
            "appel_slug": award.call.slug,
            "appel_titre": award.call.title,
            "appel_annee": award.call.year,
            "phase": PHASE_LABELS.get(award.phase, award.phase),
            "phase_code": award.phase,
            "montant": award.amount,
            "date_decision": award.decided_at.date(),
            "ptce_id": str(ptce.uuid) if ptce else None,
            "ptce_nom": ptce.name if ptce else None,
            "structure_porteuse": (ptce.lead_organisation_name or None) if ptce else None,
            "region_code": region.code if region else None,
            "region_nom": region.name if region else None,
            "url_fiche": f"{site}/annuaire/{ptce.slug}/" if ptce else None,
        }


def call_statistics_records() -> Iterator[dict]:
    from directory.statistics import call_round_statistics

    for row in call_round_statistics():
        yield {
            "appel_slug": row.call_slug,
            "appel_titre": row.call_title,
            "appel_annee": row.call_year,
            "instrument": INSTRUMENT_LABELS.get(row.instrument, row.instrument),
            "instrument_code": row.instrument,
            "releve": row.round_name,
            "releve_date_limite": row.round_cut_off_at,
            "dossiers_deposes": row.submitted,
            "dossiers_retenus": row.accepted,
            "dossiers_non_retenus": row.rejected,
            "dossiers_retires_ou_classes": row.ended,
            "dossiers_en_cours": row.pending,
            "taux_selection": row.rate,
            "decisions_soutien": row.awards,
            "montant_accorde": row.amount,
            "delai_median_jours": row.median_days,
        }


HISTORY_DIMENSIONS = {
    "year": ("Année", "annee"),
    "region": ("Région", "region"),
    "theme": ("Thématique", "thematique"),
    "status": ("Statut du pôle", "statut"),
}


def label_statistics_records() -> Iterator[dict]:
    """Labels and awards of the whole history (historical lists and platform) by year, région,
    theme and status (``directory.history_statistics``)."""
    from directory.history_statistics import history

    for row in history().rows():
        title, code = HISTORY_DIMENSIONS[row.dimension]
        yield {
            "regroupement": title,
            "regroupement_code": code,
            "code": row.code or "non-renseigne",
            "libelle": row.label,
            "labels_phase_1": row.emergence,
            "soutiens_phase_2": row.funding,
            "labels_sans_phase": row.unspecified,
            "labels_total": row.labels,
            "dont_listes_historiques": row.imported,
            "ptce_labellises": row.labelled_ptce,
            "ptce_annuaire": row.directory_ptce,
        }


def plain_value(value):
    """A record value as written to CSV/XLSX cells and JSON: dates in ISO 8601, amounts as
    numbers (Decimal for CSV/XLSX; ``json_value`` for JSON)."""
    if isinstance(value, datetime.date):  # datetime is a date too
        if isinstance(value, datetime.datetime):
            return value.isoformat(timespec="seconds")
        return value.isoformat()
    return value


def json_value(value):
    value = plain_value(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


_AS_IS = frozenset({str, int, bool})


def table_rows(records: Iterator[dict], columns: list[str]) -> Iterator[list]:
    """Rows of cells in ``columns`` order: None as empty, dates in ISO 8601 (hot loop: 200 000
    cells for the full PTCE file, text and integers pass through untouched)."""
    for record in records:
        row = []
        for column in columns:
            value = record[column]
            if value is None:
                value = ""
            elif type(value) not in _AS_IS:
                value = plain_value(value)
            row.append(value)
        yield row

"""Open-data rows of the directory (one per PTCE), in the column order of schemas/ptce.json."""

import datetime
import json
import time
from collections.abc import Iterator
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings
from django.db import connection

from calls.choices import Instrument, Phase
from laureates.models import Ptce, PtceStatus, Theme
from territories.models import Department, Region

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


# Columns of a PTCE record, read as tuples (``values_list``: no model instances). Members,
# communes and labels come from the pole's listing columns (``laureates.listing``): one row
# per PTCE, no other table read.
_COLUMNS = (
    "pk",
    "uuid",
    "slug",
    "name",
    "description",
    "lead_organisation_name",
    "lead_organisation_siret",
    "status",
    "themes",
    "main_region_id",
    "main_region__name",
    "main_department_id",
    "main_department__name",
    "population_covered",
    "contact_email",
    "website",
    "source_url",
    "updated_at",
    "member_count",
    "commune_codes",
    "label_summary",
    "first_label_year",
)
STATUS_LABELS = dict(PtceStatus.choices)


def _chunks(queryset) -> Iterator[list[tuple]]:
    """Keyset pagination over the primary key: constant memory, no growing OFFSET."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk").values_list(*_COLUMNS)[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def ptce_records(queryset=None) -> Iterator[dict]:
    """One dict per PTCE, with JSON-ready values (None when missing): one query per 1 000."""
    queryset = Ptce.objects.all() if queryset is None else queryset
    site = settings.SITE_URL
    for chunk in _chunks(queryset):
        for row in chunk:
            yield _ptce_record(row, site)


@cache
def _page_sql() -> str:
    """PostgreSQL: the ``_COLUMNS`` of the PTCE whose ids an inner query returns (``{ids}``: one
    column, ordered), in its order. Written once as SQL (names from the models) so that the
    values arrive as the record writes them (text, no Python loader per row); the région and
    département names come from ``territory_names``."""
    special = {
        "pk": "p.id",
        "uuid": "p.uuid::text",
        "themes": f"p.{Ptce._meta.get_field('themes').column}::text",
        # As ``isoformat(timespec="seconds")`` of the UTC datetime the ORM would return, without
        # a Python loader per row.
        "updated_at": "to_char(p.updated_at AT TIME ZONE 'UTC', "
        '\'YYYY-MM-DD"T"HH24:MI:SS"+00:00"\')',
        "main_region__name": "NULL",  # filled from territory_names()
        "main_department__name": "NULL",
    }
    select = ", ".join(
        special.get(name) or f"p.{Ptce._meta.get_field(name).column}" for name in _COLUMNS
    )
    return (
        f"SELECT {select} "  # noqa: S608 (names from the models; values are parameters)
        "FROM unnest(ARRAY({ids})) WITH ORDINALITY AS page(id, position) "
        f"JOIN {Ptce._meta.db_table} p ON p.id = page.id "
        "ORDER BY page.position"
    )


def ptce_page_records(queryset, start: int, stop: int) -> list[dict]:
    """Records of the rows ``start:stop`` of an ordered queryset, in its order (a page of the
    API): one query whatever the page size. PostgreSQL: the queryset's ids of the page,
    compiled by the ORM, inside ``_page_sql``."""
    site = settings.SITE_URL
    if connection.vendor != "postgresql":
        rows = queryset.values_list(*_COLUMNS)[start:stop]
        return [_ptce_record(row, site) for row in rows]
    ids_sql, params = queryset.values_list("pk")[start:stop].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_page_sql().replace("{ids}", ids_sql), params)
        rows = cursor.fetchall()
    themes = _COLUMNS.index("themes")
    region, department = _COLUMNS.index("main_region_id"), _COLUMNS.index("main_department_id")
    regions, departments = territory_names()
    records = []
    for row in rows:
        row = list(row)
        row[themes] = _decoded(row[themes])
        if row[region] is not None:
            row[region + 1] = regions.get(row[region]) or _name(Region, row[region])
        if row[department] is not None:
            row[department + 1] = departments.get(row[department]) or _name(
                Department, row[department]
            )
        records.append(_ptce_record(row, site))
    return records


# Names of the régions and départements (about 120 rows of the geography), kept in each process
# for TERRITORY_NAMES_SECONDS instead of two joins per page row: renamed at most once a year by
# the COG import, seen by the API within that delay (at once when saved in this process).
TERRITORY_NAMES_SECONDS = 60
_territory_names: dict = {}


def territory_names() -> tuple[dict[str, str], dict[str, str]]:
    from territories.models import Department, Region

    now = time.monotonic()
    if _territory_names.get("until", 0) < now:
        _territory_names["names"] = (
            dict(Region.objects.values_list("code", "name")),
            dict(Department.objects.values_list("code", "name")),
        )
        _territory_names["until"] = now + TERRITORY_NAMES_SECONDS
    return _territory_names["names"]


def forget_territory_names(**_kwargs) -> None:
    _territory_names.clear()


def _name(model, code: str) -> str | None:
    """A code not in the names kept (created since): read it, and reload the names next time."""
    forget_territory_names()
    return model.objects.filter(pk=code).values_list("name", flat=True).first()


@lru_cache(maxsize=1024)
def _decoded(text: str | None) -> tuple:
    """The themes of a pole (a JSON array) as a tuple: the same few combinations recur from row
    to row, decoded once per process."""
    if not text:
        return ()
    return tuple(json.loads(text))


def _ptce_record(row: tuple, site: str) -> dict:
    """``row``: the ``_COLUMNS`` of one PTCE."""
    (
        _pk,
        uuid,
        slug,
        name,
        description,
        lead_name,
        lead_siret,
        status,
        themes,
        region_code,
        region_name,
        department_code,
        department_name,
        population,
        email,
        website,
        source,
        updated_at,
        member_count,
        commune_codes,
        label_summary,
        first_label_year,
    ) = row
    themes = themes or []
    return {
        "id": str(uuid),
        "slug": slug,
        "nom": name,
        "description": description,
        "structure_porteuse": lead_name,
        "siret_structure_porteuse": lead_siret or None,
        "statut": STATUS_LABELS.get(status, status),
        "statut_code": status,
        "thematiques": "|".join(themes),
        "thematiques_libelles": "|".join(THEME_LABELS.get(t, t) for t in themes),
        "region_code": region_code,
        "region_nom": region_name,
        "departement_code": department_code,
        "departement_nom": department_name,
        "communes_codes": commune_codes or None,
        "population_couverte": population,
        "labels": label_summary,
        "annee_premier_label": first_label_year,
        "nombre_membres": member_count,
        "courriel_contact": email or None,
        "site_internet": website or None,
        "source": source or None,
        "url_fiche": f"{site}/annuaire/{slug}/",
        "date_mise_a_jour": updated_at
        if isinstance(updated_at, str)  # already formatted by PostgreSQL (_page_sql)
        else updated_at.isoformat(timespec="seconds"),
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

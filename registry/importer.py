"""Bulk import of the SIRENE stock files into the local register tables.

Atomic by construction: rows go into fresh *staging* tables (no index while loading), indexes
are built, duplicates are looked for, and only then, in one short transaction, the live tables
are dropped and the staging tables renamed in their place. A failure at any point drops the
staging tables and leaves the previous data untouched and in use.

- PostgreSQL: the whole import is one transaction; rows are streamed with ``COPY … FROM STDIN``
  (psycopg 3 ``cursor.copy``).
- SQLite: ``executemany`` in transactions of ``SQLITE_BATCH_ROWS`` rows with
  ``synchronous=OFF`` on the staging tables, the line number stored as the rowid; the swap is
  one transaction. (Inside an enclosing transaction, e.g. a test, it all runs in a savepoint.)

Memory stays bounded: rows are read, checked and written by batches; the only state kept is
the list of rejected lines (capped) and, with ``--only-ess``, the set of ESS SIRENs.
"""

import csv
import io
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path

from django.db import connection, transaction

from registry.models import Establishment, LegalUnit
from registry.sources import (
    BAD_WIDTH,
    ColumnSet,
    FileProblem,
    RowProblem,
    is_parquet,
    read_rows,
)

SQLITE_BATCH_ROWS = 100_000
PG_BATCH_ROWS = 50_000
PG_INDEX_MEMORY = "256MB"  # server memory for one index build (PostgreSQL's default: 64MB)
MAX_REPORTED_LINES = 50
PROGRESS_EVERY_ROWS = 250_000

UNIT_COLUMNS = ColumnSet(
    required=[
        "siren",
        "etatAdministratifUniteLegale",
        "economieSocialeSolidaireUniteLegale",
        "categorieJuridiqueUniteLegale",
        "activitePrincipaleUniteLegale",
        "denominationUniteLegale",
        "nomUniteLegale",
        "prenom1UniteLegale",
        "dateCreationUniteLegale",
    ],
    optional=["dateDebut", "nicSiegeUniteLegale", "nomUsageUniteLegale"],
)

ESTABLISHMENT_COLUMNS = ColumnSet(
    required=[
        "siren",
        "nic",
        "siret",
        "etablissementSiege",
        "etatAdministratifEtablissement",
        "codeCommuneEtablissement",
        "numeroVoieEtablissement",
        "typeVoieEtablissement",
        "libelleVoieEtablissement",
        "codePostalEtablissement",
        "libelleCommuneEtablissement",
    ],
    optional=[
        "indiceRepetitionEtablissement",
        "dateCreationEtablissement",
        "dateDebut",
        "activitePrincipaleEtablissement",
        "enseigne1Etablissement",
        "denominationUsuelleEtablissement",
    ],
)

# Street types of the SIRENE files (INSEE code list « type de voie »), spelt out for addresses.
STREET_TYPES = {
    "ALL": "ALLÉE", "AV": "AVENUE", "BD": "BOULEVARD", "CAR": "CARREFOUR", "CHE": "CHEMIN",
    "CHS": "CHAUSSÉE", "CITE": "CITÉ", "COR": "CORNICHE", "CRS": "COURS", "DOM": "DOMAINE",
    "DSC": "DESCENTE", "ECA": "ÉCART", "ESP": "ESPLANADE", "FG": "FAUBOURG", "GR": "GRANDE RUE",
    "HAM": "HAMEAU", "HLE": "HALLE", "IMP": "IMPASSE", "LD": "LIEU-DIT", "LOT": "LOTISSEMENT",
    "MAR": "MARCHÉ", "MTE": "MONTÉE", "PASS": "PASSAGE", "PL": "PLACE", "PLN": "PLAINE",
    "PLT": "PLATEAU", "PRO": "PROMENADE", "PRV": "PARVIS", "QUA": "QUARTIER", "QUAI": "QUAI",
    "RES": "RÉSIDENCE", "RLE": "RUELLE", "ROC": "ROCADE", "RPT": "ROND-POINT", "RTE": "ROUTE",
    "RUE": "RUE", "SEN": "SENTIER", "SQ": "SQUARE", "TPL": "TERRE-PLEIN", "TRA": "TRAVERSE",
    "VLA": "VILLA", "VLGE": "VILLAGE",
}  # fmt: skip

_DATE_SHAPE = re.compile(r"\d{4}-\d\d-\d\d\Z").match


_KNOWN_DATES: set[str] = set()  # a few tens of thousands of distinct days in a whole stock file


def _is_date(value: str) -> bool:
    """AAAA-MM-JJ and a real day (2021-02-30 is refused on both engines, not stored)."""
    if value in _KNOWN_DATES:
        return True
    if not _DATE_SHAPE(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    _KNOWN_DATES.add(value)
    return True


_ESS = {"O": True, "N": False, "": None}
_HEAD_OFFICE = {"true": True, "false": False, "1": True, "0": False, "O": True, "N": False}
_UNIT_STATES = frozenset({"A", "C"})
_ESTABLISHMENT_STATES = frozenset({"A", "F"})


def _date(value: str, column: str) -> str | None:
    if not value:
        return None
    if not _is_date(value):
        raise RowProblem(f"{column} « {value} » n’est pas une date AAAA-MM-JJ")
    return value


def _code(value: str, column: str, max_length: int) -> str:
    if len(value) > max_length:
        raise RowProblem(f"{column} « {value} » trop long ({max_length} caractères au plus)")
    return value


def unit_row(line: int, fields: tuple) -> tuple:
    """``StockUniteLegale`` fields → (line, *LegalUnit columns in ``UNIT_TABLE`` order).

    One combined test on the fast path (this runs millions of times); the detailed message is
    worked out only for a row that fails it.
    """
    siren, state, ess, category, naf, name, last_name, first_name, created, since, nic, usage = (
        fields
    )
    if (
        len(siren) != 9
        or not siren.isdigit()
        or state not in _UNIT_STATES
        or ess not in _ESS
        or len(category) > 4
        or len(naf) > 6
        or len(nic) > 5
        or (created and not _is_date(created))
        or (since and not _is_date(since))
    ):
        _explain_unit(fields)
    if not name:
        name = " ".join(part for part in (first_name, usage or last_name) if part)
    return (
        line,
        siren,
        name[:255],
        category,
        naf,
        _ESS[ess],
        state,
        since or None,
        created or None,
        nic,
    )


def _explain_unit(fields: tuple):
    siren, state, ess, category, naf, _name, _last, _first, created, since, nic, _usage = fields
    if len(siren) != 9 or not siren.isdigit():
        raise RowProblem(f"SIREN « {siren} » invalide (9 chiffres attendus)")
    if state not in _UNIT_STATES:
        raise RowProblem(f"etatAdministratifUniteLegale « {state} » inconnu (A ou C attendu)")
    if ess not in _ESS:
        raise RowProblem(
            f"economieSocialeSolidaireUniteLegale « {ess} » inconnu (O, N ou vide attendu)"
        )
    _code(category, "categorieJuridiqueUniteLegale", 4)
    _code(naf, "activitePrincipaleUniteLegale", 6)
    _code(nic, "nicSiegeUniteLegale", 5)
    _date(created, "dateCreationUniteLegale")
    _date(since, "dateDebut")


def establishment_row(line: int, fields: tuple) -> tuple:
    (
        siren,
        nic,
        siret,
        head_office,
        state,
        commune,
        number,
        street_type,
        street,
        postal_code,
        city,
        repetition,
        created,
        since,
        naf,
        sign,
        usual_name,
    ) = fields
    if len(siret) != 14 or not siret.isdigit() or siret[:9] != siren or siret[9:] != nic:
        raise RowProblem(f"SIRET « {siret} » invalide ou incohérent avec siren/nic")
    if state not in _ESTABLISHMENT_STATES:
        raise RowProblem(f"etatAdministratifEtablissement « {state} » inconnu (A ou F attendu)")
    try:
        is_head_office = _HEAD_OFFICE[head_office]
    except KeyError:
        raise RowProblem(f"etablissementSiege « {head_office} » inconnu (true ou false)") from None
    address = " ".join(
        part
        for part in (number + repetition, STREET_TYPES.get(street_type, street_type), street)
        if part
    )
    return (
        line,
        siret,
        siren,
        (usual_name or sign)[:255],
        is_head_office,
        state,
        _date(since, "dateDebut"),
        _date(created, "dateCreationEtablissement"),
        _code(naf, "activitePrincipaleEtablissement", 6),
        address[:255],
        _code(postal_code, "codePostalEtablissement", 5),
        city[:100],
        _code(commune, "codeCommuneEtablissement", 5),
    )


@dataclass(frozen=True)
class TableSpec:
    model: type
    columns: tuple[str, ...]  # model columns, in the order the row transformers produce them
    key: str
    indexed: tuple[str, ...] = ()
    label: str = ""

    @property
    def table(self) -> str:
        return self.model._meta.db_table


UNIT_TABLE = TableSpec(
    LegalUnit,
    (
        "siren",
        "name",
        "legal_category",
        "naf",
        "is_ess",
        "state",
        "state_since",
        "creation_date",
        "head_office_nic",
    ),
    key="siren",
    label="StockUniteLegale",
)
ESTABLISHMENT_TABLE = TableSpec(
    Establishment,
    (
        "siret",
        "siren",
        "name",
        "is_head_office",
        "state",
        "state_since",
        "creation_date",
        "naf",
        "address",
        "postal_code",
        "city",
        "commune_code",
    ),
    key="siret",
    indexed=("siren", "commune_code"),
    label="StockEtablissement",
)


class ImportAborted(Exception):
    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass
class FileReport:
    label: str
    path: str
    read: int = 0
    kept: int = 0
    filtered: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    method: str = "python"  # "copy": Arrow + COPY fast path (registry.pg_fast)

    def problem(self, line: int, message: str):
        self.skipped += 1
        if len(self.problems) < MAX_REPORTED_LINES:
            self.problems.append(f"{self.label}, ligne {line} : {message}")

    @property
    def rows_per_second(self) -> float:
        return self.kept / self.seconds if self.seconds else 0.0


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def skipped(self) -> int:
        return sum(report.skipped for report in self.files)

    def count(self, label: str) -> int:
        return sum(report.kept for report in self.files if report.label == label)


# --- staging tables -------------------------------------------------------------------------


class Staging:
    """A fresh table shaped like ``spec.model``'s, loaded in bulk, then swapped in."""

    def __init__(self, spec: TableSpec, token: str):
        self.spec = spec
        self.name = f"{spec.table}__new_{token}"
        self.token = token
        self.vendor = connection.vendor
        fields = {f.column: f for f in spec.model._meta.concrete_fields}
        self.fields = [fields[column] for column in spec.columns]

    def create(self):
        quote = connection.ops.quote_name
        columns = [
            f"{quote(f.column)} {f.db_type(connection)} {'NULL' if f.null else 'NOT NULL'}"
            for f in self.fields
        ]
        if self.vendor == "postgresql":
            columns.insert(0, '"line" integer NOT NULL')  # SQLite keeps the line in the rowid
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {quote(self.name)}")
            cursor.execute(f"CREATE TABLE {quote(self.name)} ({', '.join(columns)})")

    @property
    def line_column(self) -> str:
        return "rowid" if self.vendor == "sqlite" else '"line"'

    @contextmanager
    def writer(self, commit_batches: bool):
        """A ``write(rows)`` function; on PostgreSQL one COPY stays open for the whole file so
        that the server parses rows while Python reads the next batch."""
        raw = connection.connection
        names = ", ".join(f'"{column}"' for column in self.spec.columns)
        if self.vendor == "postgresql":
            # CSV written by the C csv module: unquoted empty = NULL, except in the NOT NULL
            # text columns (FORCE_NOT_NULL), where it is the empty string.
            not_null = ", ".join(
                f'"{f.column}"'
                for f in self.fields
                if not f.null and f.get_internal_type() in ("CharField", "TextField")
            )
            with (
                raw.cursor() as cursor,
                cursor.copy(
                    f'COPY "{self.name}" ("line", {names}) FROM STDIN '
                    f"(FORMAT csv, FORCE_NOT_NULL ({not_null}))"
                ) as copy,
            ):

                def write(rows):
                    buffer = io.StringIO()
                    csv.writer(buffer, lineterminator="\n").writerows(rows)
                    copy.write(buffer.getvalue())

                yield write
            return
        marks = ", ".join("?" * (len(self.spec.columns) + 1))
        sql = f'INSERT INTO "{self.name}" (rowid, {names}) VALUES ({marks})'  # noqa: S608 - internal table names

        def write(rows):
            if not commit_batches:
                raw.executemany(sql, rows)
                return
            raw.execute("BEGIN")
            try:
                raw.executemany(sql, rows)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")

        yield write

    def duplicates(self) -> list[tuple[str, list[int]]]:
        key = self.spec.key
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT "{key}", {self.line_column} FROM "{self.name}" WHERE "{key}" IN '  # noqa: S608 - internal table names
                f'(SELECT "{key}" FROM "{self.name}" GROUP BY "{key}" HAVING COUNT(*) > 1) '
                f'ORDER BY "{key}", {self.line_column}'
            )
            found: dict[str, list[int]] = {}
            for value, line in cursor.fetchall():
                found.setdefault(value, []).append(line)
        return list(found.items())

    def delete_lines(self, lines: list[int]):
        with connection.cursor() as cursor:
            for start in range(0, len(lines), 500):
                chunk = lines[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                table, line = self.name, self.line_column
                sql = f'DELETE FROM "{table}" WHERE {line} IN ({marks})'  # noqa: S608
                cursor.execute(sql, chunk)

    def build_key(self) -> bool:
        """Create the primary key / unique index; False when duplicates prevent it."""
        from django.db import IntegrityError

        key = self.spec.key
        sql = (
            f'ALTER TABLE "{self.name}" ADD CONSTRAINT "{self.spec.table}_pk_{self.token}" '
            f'PRIMARY KEY ("{key}")'
            if self.vendor == "postgresql"
            else f'CREATE UNIQUE INDEX "{self.spec.table}_{key}_{self.token}" '
            f'ON "{self.name}" ("{key}")'
        )
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
        except IntegrityError:
            return False
        return True

    def build_indexes(self):
        with connection.cursor() as cursor:
            for column in self.spec.indexed:
                cursor.execute(
                    f'CREATE INDEX "{self.spec.table}_{column}_{self.token}" '
                    f'ON "{self.name}" ("{column}")'
                )

    def swap_in(self):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{self.spec.table}"')
            cursor.execute(f'ALTER TABLE "{self.name}" RENAME TO "{self.spec.table}"')
            if self.vendor == "postgresql":
                cursor.execute(f'ALTER TABLE "{self.spec.table}" DROP COLUMN "line"')

    def drop(self):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{self.name}"')


def drop_leftover_staging_tables() -> list[str]:
    """Staging tables of an import killed half-way (the previous data was never touched)."""
    prefixes = (f"{UNIT_TABLE.table}__new_", f"{ESTABLISHMENT_TABLE.table}__new_")
    names = [name for name in connection.introspection.table_names() if name.startswith(prefixes)]
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
    return names


# --- the import -----------------------------------------------------------------------------


ProgressCallback = Callable[[str, int, float], None]


class SireneImport:
    def __init__(
        self,
        *,
        units_path: Path | None = None,
        establishments_path: Path | None = None,
        limit: int | None = None,
        only_ess: bool = False,
        on_error: str = "abort",
        encoding: str = "auto",
        progress: ProgressCallback | None = None,
    ):
        if on_error not in ("abort", "skip"):
            raise ValueError(on_error)
        if not units_path and not establishments_path:
            raise ValueError("Au moins un fichier (unités légales ou établissements) est requis.")
        self.units_path = Path(units_path) if units_path else None
        self.establishments_path = Path(establishments_path) if establishments_path else None
        self.limit = limit
        self.only_ess = only_ess
        self.on_error = on_error
        self.encoding = encoding
        self.progress = progress
        self.report = ImportReport()
        self.token = secrets.token_hex(4)
        self.ess_sirens: set[str] | None = None
        self._created: list[Staging] = []

    # The SQLite path commits staging rows batch by batch (other writers are not locked out
    # for the whole import); inside an enclosing transaction everything stays in it.
    def _own_transactions(self) -> bool:
        return connection.vendor == "sqlite" and not connection.in_atomic_block

    def run(self) -> ImportReport:
        started = time.monotonic()
        connection.ensure_connection()
        if self._own_transactions():
            drop_leftover_staging_tables()
            self._run_sqlite_batched()
        else:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        # primary key and indexes sorted in memory, not in temporary files
                        cursor.execute(f"SET LOCAL maintenance_work_mem = '{PG_INDEX_MEMORY}'")
                stagings = self._load_all(commit_batches=False)
                self._swap(stagings)
        self.report.seconds = time.monotonic() - started
        return self.report

    def _jobs(self):
        if self.units_path:
            yield UNIT_TABLE, self.units_path, UNIT_COLUMNS, unit_row
        if self.establishments_path:
            yield (
                ESTABLISHMENT_TABLE,
                self.establishments_path,
                ESTABLISHMENT_COLUMNS,
                (establishment_row),
            )

    def _run_sqlite_batched(self):
        raw = connection.connection
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("PRAGMA cache_size=-65536")
        try:
            stagings = self._load_all(commit_batches=True)
            raw.execute("PRAGMA synchronous=NORMAL")
            with transaction.atomic():
                self._swap(stagings)
        except BaseException:
            for staging in self._created:
                staging.drop()
            raise
        finally:
            raw.execute("PRAGMA synchronous=NORMAL")

    def _load_all(self, commit_batches: bool) -> list[Staging]:
        self._created: list[Staging] = []
        for spec, path, columns, transform in self._jobs():
            staging = Staging(spec, self.token)
            staging.create()
            self._created.append(staging)
            report = FileReport(spec.label, str(path))
            self.report.files.append(report)
            if not self._load_on_server(staging, path, columns, report):
                self._load_file(staging, path, columns, transform, report, commit_batches)
            self._finish_table(staging, report)
        return self._created

    def _load_on_server(self, staging, path, columns, report: FileReport) -> bool:
        """A clean CSV or Parquet file on PostgreSQL goes through Arrow and COPY
        (``registry.pg_fast``); False otherwise."""
        if staging.vendor != "postgresql" or self.limit is not None or self.only_ess:
            return False
        if self.encoding not in ("auto", "utf-8") and not is_parquet(Path(path)):
            return False
        from registry import pg_fast

        started = time.monotonic()
        try:
            loaded = pg_fast.load(
                staging,
                Path(path),
                columns,
                Path(path).name,
                self.token,
                progress=(
                    (lambda rows: self.progress(report.label, rows, time.monotonic() - started))
                    if self.progress
                    else None
                ),
                every=PROGRESS_EVERY_ROWS,
            )
        except FileProblem as problem:
            raise ImportAborted(str(problem)) from None
        if loaded is None:
            return False
        report.read = report.kept = loaded
        report.method = "copy"
        report.seconds = time.monotonic() - started
        if self.progress:
            self.progress(report.label, loaded, report.seconds)
        return True

    def _rows(self, path, columns, transform, report: FileReport) -> Iterator[tuple]:
        """Checked rows of one file; bad rows abort or are counted, per ``on_error``."""
        skip = self.on_error == "skip"
        limit = self.limit
        unit_file = transform is unit_row
        only_ess = self.only_ess
        ess_sirens = self.ess_sirens
        keep_ess = only_ess and unit_file
        if keep_ess:
            self.ess_sirens = ess_sirens = set()
        elif only_ess and ess_sirens is None:
            ess_sirens = set(
                LegalUnit.objects.filter(is_ess=True).values_list("siren", flat=True).iterator()
            )
        read = 0
        for line, fields in read_rows(path, columns, self.encoding, self.report.notes):
            if limit is not None and read >= limit:
                break
            read += 1
            if isinstance(fields, BAD_WIDTH):
                message = f"ligne mal formée ({fields})"
                if not skip:
                    raise ImportAborted(f"{report.label}, ligne {line} : {message}.")
                report.problem(line, message)
                continue
            if only_ess:
                if unit_file:
                    if fields[2] != "O":
                        report.filtered += 1
                        continue
                elif fields[0] not in ess_sirens:
                    report.filtered += 1
                    continue
            try:
                row = transform(line, fields)
            except RowProblem as problem:
                if not skip:
                    raise ImportAborted(f"{report.label}, ligne {line} : {problem}.") from None
                report.problem(line, str(problem))
                continue
            if keep_ess:
                ess_sirens.add(row[1])
            yield row
        report.read = read

    def _load_file(self, staging, path, columns, transform, report, commit_batches):
        started = time.monotonic()
        batch_size = PG_BATCH_ROWS if staging.vendor == "postgresql" else SQLITE_BATCH_ROWS
        rows = self._rows(path, columns, transform, report)
        kept = 0
        next_progress = PROGRESS_EVERY_ROWS
        try:
            with staging.writer(commit_batches) as write:
                while batch := list(islice(rows, batch_size)):
                    write(batch)
                    kept += len(batch)
                    if self.progress and kept >= next_progress:
                        self.progress(report.label, kept, time.monotonic() - started)
                        next_progress += PROGRESS_EVERY_ROWS
        except FileProblem as problem:
            raise ImportAborted(str(problem)) from None
        report.kept = kept
        report.seconds = time.monotonic() - started
        if self.progress:
            self.progress(report.label, kept, report.seconds)

    def _finish_table(self, staging: Staging, report: FileReport):
        if not staging.build_key():
            duplicates = staging.duplicates()
            key = "SIREN" if staging.spec.key == "siren" else "SIRET"
            messages = [
                f"{report.label}, ligne {line} : {key} {value} en double (déjà ligne {lines[0]})"
                for value, lines in duplicates
                for line in lines[1:]
            ]
            if self.on_error != "skip":
                raise ImportAborted(
                    f"{report.label} : {len(messages)} ligne(s) en double, import annulé.",
                    messages[:MAX_REPORTED_LINES],
                )
            for message in messages:
                if len(report.problems) < MAX_REPORTED_LINES:
                    report.problems.append(message + ", ignorée")
            extra = [line for _value, lines in duplicates for line in lines[1:]]
            report.skipped += len(extra)
            report.kept -= len(extra)
            staging.delete_lines(extra)
            if not staging.build_key():  # pragma: no cover - duplicates were just removed
                raise ImportAborted(f"{report.label} : doublons impossibles à retirer.")
        staging.build_indexes()

    def _swap(self, stagings: Iterable[Staging]):
        for staging in stagings:
            staging.swap_in()

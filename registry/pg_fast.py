"""PostgreSQL fast path of ``import_sirene``: the server parses the CSV, not Python.

The file's bytes (a plain CSV or the CSV inside INSEE's zip) are streamed with ``COPY … FROM
STDIN (FORMAT csv)`` into a temporary table of text columns — exactly the raw floor of the
engine — then one ``INSERT … SELECT`` checks and converts the columns into the staging table.

Only a clean file takes this path: UTF-8, the expected header, every row valid. At the first sign
of trouble (COPY error: wrong column count, bad byte, cut-off line; or any row failing the SQL
checks) the savepoint is rolled back and the caller runs the Python path, which reports every
problem with its line number and applies ``--on-error``. The result is the same either way.
"""

import csv
import json
import re
import zipfile
import zlib

import psycopg
from django.db import DatabaseError, connection, transaction

from registry.sources import CSV_SAMPLE_BYTES, ColumnSet, _open_binary, detect_encoding

_SAFE_NAME = re.compile(r"[A-Za-z0-9_]+\Z")


def _digits(expression: str, length: int) -> str:
    # translate() is much cheaper than a regular expression on millions of rows
    return f"(length({expression}) = {length} AND translate({expression}, '0123456789', '') = '')"


def _date_ok(expression: str) -> str:
    # shape only; the ::date cast rejects the rest (and an error sends the file to Python)
    return (
        f"({expression} = '' OR (length({expression}) = 10 AND "
        f"translate({expression}, '0123456789', '') = '--'))"
    )


def _header(path, label) -> list[str] | None:
    with _open_binary(path) as handle:
        sample = handle.read(CSV_SAMPLE_BYTES)
    encoding, _note = detect_encoding(sample, label)
    if encoding != "utf-8":
        return None
    first = sample.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    header = next(csv.reader([first]))
    return [name.strip() for name in header]


def _unit_sql(c) -> tuple[str, list[str]]:
    """(validity predicate, [expression per UNIT_TABLE column])."""
    valid = (
        f"{_digits(c('siren'), 9)}"
        f" AND {c('etatAdministratifUniteLegale')} IN ('A', 'C')"
        f" AND {c('economieSocialeSolidaireUniteLegale')} IN ('O', 'N', '')"
        f" AND length({c('categorieJuridiqueUniteLegale')}) <= 4"
        f" AND length({c('activitePrincipaleUniteLegale')}) <= 6"
        f" AND length({c('nicSiegeUniteLegale')}) <= 5"
        f" AND {_date_ok(c('dateCreationUniteLegale'))} AND {_date_ok(c('dateDebut'))}"
    )
    expressions = [
        c("siren"),
        f"left(coalesce(nullif({c('denominationUniteLegale')}, ''), concat_ws(' ', "
        f"nullif({c('prenom1UniteLegale')}, ''), nullif(coalesce(nullif("
        f"{c('nomUsageUniteLegale')}, ''), {c('nomUniteLegale')}), ''))), 255)",
        c("categorieJuridiqueUniteLegale"),
        c("activitePrincipaleUniteLegale"),
        f"CASE {c('economieSocialeSolidaireUniteLegale')} WHEN 'O' THEN true "
        "WHEN 'N' THEN false END",
        c("etatAdministratifUniteLegale"),
        f"nullif({c('dateDebut')}, '')::date",
        f"nullif({c('dateCreationUniteLegale')}, '')::date",
        c("nicSiegeUniteLegale"),
    ]
    return valid, expressions


def _establishment_sql(c) -> tuple[str, list[str]]:
    valid = (
        f"{_digits(c('siret'), 14)}"
        f" AND left({c('siret')}, 9) = {c('siren')} AND substr({c('siret')}, 10) = {c('nic')}"
        f" AND {c('etatAdministratifEtablissement')} IN ('A', 'F')"
        f" AND {c('etablissementSiege')} IN ('true', 'false', '1', '0', 'O', 'N')"
        f" AND length({c('activitePrincipaleEtablissement')}) <= 6"
        f" AND length({c('codePostalEtablissement')}) <= 5"
        f" AND length({c('codeCommuneEtablissement')}) <= 5"
        f" AND {_date_ok(c('dateCreationEtablissement'))} AND {_date_ok(c('dateDebut'))}"
    )
    street_type = c("typeVoieEtablissement")
    expressions = [
        c("siret"),
        c("siren"),
        f"left(coalesce(nullif({c('denominationUsuelleEtablissement')}, ''), "
        f"{c('enseigne1Etablissement')}), 255)",
        f"{c('etablissementSiege')} IN ('true', '1', 'O')",
        c("etatAdministratifEtablissement"),
        f"nullif({c('dateDebut')}, '')::date",
        f"nullif({c('dateCreationEtablissement')}, '')::date",
        c("activitePrincipaleEtablissement"),
        f"left(concat_ws(' ', nullif({c('numeroVoieEtablissement')} || "
        f"{c('indiceRepetitionEtablissement')}, ''), coalesce(%s::jsonb ->> {street_type}, "
        f"nullif({street_type}, '')), nullif({c('libelleVoieEtablissement')}, '')), 255)",
        c("codePostalEtablissement"),
        f"left({c('libelleCommuneEtablissement')}, 100)",
        c("codeCommuneEtablissement"),
    ]
    return valid, expressions


def load(staging, path, columns: ColumnSet, label: str, token: str) -> int | None:
    """Rows loaded into ``staging``, or None when the Python path must take over."""
    from registry.importer import STREET_TYPES, UNIT_TABLE

    header = _header(path, label)
    if header is None or not all(_SAFE_NAME.match(name) for name in header):
        return None
    if len(set(header)) != len(header):
        return None
    columns.check_header(header, label)  # a wrong header aborts, as on the Python path
    present = set(header)

    def c(name):
        return f"coalesce(\"{name}\", '')" if name in present else "''"

    if staging.spec is UNIT_TABLE:
        valid, expressions = _unit_sql(c)
        params = []
    else:
        valid, expressions = _establishment_sql(c)
        params = [json.dumps(STREET_TYPES)]
    raw = f"registry_raw_{token}"
    definition = ", ".join(f'"{name}" text' for name in header)
    names = ", ".join(f'"{name}"' for name in header)
    savepoint = transaction.savepoint()
    try:
        with connection.cursor() as cursor:
            # one big scan with simple expressions: JIT compilation would cost more than it saves
            cursor.execute("SET LOCAL jit = off")
            # UNLOGGED, not TEMP: temporary tables live in the small per-session buffers and
            # would spill to disk; inside this transaction the table vanishes on rollback anyway
            cursor.execute(
                f'CREATE UNLOGGED TABLE "{raw}" ({definition}, '
                '"line" bigint GENERATED ALWAYS AS IDENTITY)'
            )
            with (
                connection.connection.cursor() as raw_cursor,
                raw_cursor.copy(
                    f'COPY "{raw}" ({names}) FROM STDIN (FORMAT csv, HEADER true)'
                ) as copy,
                _open_binary(path) as source,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
            cursor.execute(f'SELECT count(*) FROM "{raw}"')  # noqa: S608
            copied = cursor.fetchone()[0]
            # checks and conversion in one pass: a row failing a check is simply left out, and a
            # count short of the file's means the Python path must explain why. CREATE TABLE AS
            # writes in bulk, much faster than INSERT … SELECT into the empty staging table.
            selected = ", ".join(
                f'({expression})::{field.db_type(connection)} AS "{field.column}"'
                for expression, field in zip(expressions, staging.fields, strict=True)
            )
            cursor.execute(f'DROP TABLE "{staging.name}"')
            cursor.execute(
                f'CREATE TABLE "{staging.name}" AS SELECT "line" + 1 AS "line", '  # noqa: S608
                f'{selected} FROM "{raw}" WHERE ({valid})',
                params,
            )
            loaded = cursor.rowcount
            if loaded != copied:
                transaction.savepoint_rollback(savepoint)
                return None
            not_null = ", ".join(
                f'ALTER COLUMN "{field.column}" SET NOT NULL'
                for field in staging.fields
                if not field.null
            )
            cursor.execute(
                f'ALTER TABLE "{staging.name}" ALTER COLUMN "line" SET NOT NULL, {not_null}'
            )
            cursor.execute(f'DROP TABLE "{raw}"')
    except (
        DatabaseError,
        psycopg.Error,
        OSError,
        EOFError,
        ValueError,
        zipfile.BadZipFile,
        zlib.error,
    ):
        transaction.savepoint_rollback(savepoint)
        return None
    transaction.savepoint_commit(savepoint)
    return loaded

"""PostgreSQL fast path of ``import_sirene``: parse once, in C, only the columns we keep.

A clean UTF-8 CSV (plain or inside INSEE's zip) is read by Arrow's multi-threaded CSV reader (a
Parquet file by Arrow's Parquet reader, its typed columns cast to text as on the Python path),
keeping only the dozen columns the register needs out of the file's 34 (units) or 53
(establishments); checks and conversions run as vectorised Arrow kernels on each batch of about
30 000 rows; the batch, already in the model's column order, is written as CSV into one
``COPY … FROM STDIN (FREEZE)`` straight into the staging table. The server therefore receives
only the values kept (three quarters of the file's bytes) and parses each row once: no raw text
table, no second pass in SQL.
``FREEZE`` (the staging table is created in the same subtransaction) writes the rows already
frozen, so neither the primary key build nor the first vacuum has to visit them again.

Only a clean file takes this path: UTF-8, the expected header, every row valid. At the first sign
of trouble (Arrow parse error: wrong column count, bad byte, cut-off line; a row failing a check;
COPY refusing a value, e.g. 2021-02-30) the savepoint is rolled back and the caller runs the Python
path, which reports every problem with its line number and applies ``--on-error``. The result is
the same either way (``test_server_side_and_python_paths_give_the_same_rows``).
"""

import csv
import io
import re
from contextlib import ExitStack

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.db import connection, transaction

from registry.sources import (
    CSV_SAMPLE_BYTES,
    PARQUET_BATCH_ROWS,
    ColumnSet,
    _open_binary,
    detect_encoding,
    is_parquet,
)

_SAFE_NAME = re.compile(r"[A-Za-z0-9_]+\Z")
BLOCK_BYTES = 4 << 20  # about 30 000 rows per batch: bounded memory, COPY fed continuously
_DATE = r"^(\d{4}-\d\d-\d\d)?$"


def _header(path, label) -> list[str] | None:
    with _open_binary(path) as handle:
        sample = handle.read(CSV_SAMPLE_BYTES)
    encoding, _note = detect_encoding(sample, label)
    if encoding != "utf-8":
        return None
    first = sample.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    header = next(csv.reader([first]))
    return [name.strip() for name in header]


def _parquet_header(path) -> list[str] | None:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).schema_arrow.names
    except (pa.ArrowException, OSError):
        return None  # the Python path reports it


def _csv_batches(source, header, present):
    """(columns by name, row count) per batch of a CSV file: strings, "" for empty."""
    reader = pa_csv.open_csv(
        source,
        read_options=pa_csv.ReadOptions(column_names=header, skip_rows=1, block_size=BLOCK_BYTES),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pa_csv.ConvertOptions(
            include_columns=present,
            column_types=dict.fromkeys(present, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    for batch in reader:
        yield {name: batch.column(name) for name in present}, batch.num_rows


def _parquet_batches(path, present):
    """The same from INSEE's Parquet file: typed columns (dates, booleans) cast to text exactly as
    the Python path does (``registry.sources.read_parquet``)."""
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(path).iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=present):
        columns = {}
        for name in present:
            column = batch.column(name)
            if not pa.types.is_string(column.type):
                column = pc.cast(column, pa.string())
            columns[name] = pc.fill_null(column, "")
        yield columns, batch.num_rows


def _all(*conditions) -> bool:
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = pc.and_(combined, condition)
    return bool(pc.all(combined).as_py())


def _max_length(array, length):
    return pc.less_equal(pc.utf8_length(array), length)


def _join(*parts):
    """``" ".join(part for part in parts if part)``, row by row (no nulls in ``parts``)."""
    joined = parts[0]
    for part in parts[1:]:
        both = pc.binary_join_element_wise(joined, part, " ")
        joined = pc.if_else(
            pc.equal(joined, ""), part, pc.if_else(pc.equal(part, ""), joined, both)
        )
    return joined


def _unit_arrays(c, _street_types) -> list | None:
    """Arrays in ``UNIT_TABLE.columns`` order, or None when a row fails a check."""
    siren, state, ess = (
        c("siren"),
        c("etatAdministratifUniteLegale"),
        c("economieSocialeSolidaireUniteLegale"),
    )
    category, naf, nic = (
        c("categorieJuridiqueUniteLegale"),
        c("activitePrincipaleUniteLegale"),
        c("nicSiegeUniteLegale"),
    )
    created, since = c("dateCreationUniteLegale"), c("dateDebut")
    if not _all(
        pc.match_substring_regex(siren, r"^\d{9}$"),
        pc.is_in(state, value_set=pa.array(["A", "C"])),
        pc.is_in(ess, value_set=pa.array(["O", "N", ""])),
        _max_length(category, 4),
        _max_length(naf, 6),
        _max_length(nic, 5),
        pc.match_substring_regex(created, _DATE),
        pc.match_substring_regex(since, _DATE),
    ):
        return None
    usage = c("nomUsageUniteLegale")
    last_name = pc.if_else(pc.equal(usage, ""), c("nomUniteLegale"), usage)
    person = _join(c("prenom1UniteLegale"), last_name)
    denomination = c("denominationUniteLegale")
    name = pc.if_else(pc.equal(denomination, ""), person, denomination)
    is_ess = pc.if_else(
        pc.equal(ess, "O"), True, pc.if_else(pc.equal(ess, "N"), False, pa.scalar(None, pa.bool_()))
    )
    return [
        siren,
        pc.utf8_slice_codeunits(name, 0, 255),
        category,
        naf,
        is_ess,
        state,
        since,
        created,
        nic,
    ]


def _establishment_arrays(c, street_types) -> list | None:
    siren, nic, siret = c("siren"), c("nic"), c("siret")
    head_office, state = c("etablissementSiege"), c("etatAdministratifEtablissement")
    naf, postal_code, commune = (
        c("activitePrincipaleEtablissement"),
        c("codePostalEtablissement"),
        c("codeCommuneEtablissement"),
    )
    created, since = c("dateCreationEtablissement"), c("dateDebut")
    if not _all(
        pc.match_substring_regex(siret, r"^\d{14}$"),
        pc.equal(pc.utf8_slice_codeunits(siret, 0, 9), siren),
        pc.equal(pc.utf8_slice_codeunits(siret, 9, 14), nic),
        pc.is_in(state, value_set=pa.array(["A", "F"])),
        pc.is_in(head_office, value_set=pa.array(["true", "false", "1", "0", "O", "N"])),
        _max_length(naf, 6),
        _max_length(postal_code, 5),
        _max_length(commune, 5),
        pc.match_substring_regex(created, _DATE),
        pc.match_substring_regex(since, _DATE),
    ):
        return None
    usual_name = c("denominationUsuelleEtablissement")
    name = pc.if_else(pc.equal(usual_name, ""), c("enseigne1Etablissement"), usual_name)
    street_type = c("typeVoieEtablissement")
    keys, labels = street_types
    spelt = pc.fill_null(pc.take(labels, pc.index_in(street_type, value_set=keys)), street_type)
    number = pc.binary_join_element_wise(
        c("numeroVoieEtablissement"), c("indiceRepetitionEtablissement"), ""
    )
    address = _join(number, spelt, c("libelleVoieEtablissement"))
    return [
        siret,
        siren,
        pc.utf8_slice_codeunits(name, 0, 255),
        pc.is_in(head_office, value_set=pa.array(["true", "1", "O"])),
        state,
        since,
        created,
        naf,
        pc.utf8_slice_codeunits(address, 0, 255),
        postal_code,
        pc.utf8_slice_codeunits(c("libelleCommuneEtablissement"), 0, 100),
        commune,
    ]


def load(
    staging, path, columns: ColumnSet, label: str, token: str, progress=None, every: int = 0
) -> int | None:
    """Rows loaded into ``staging``, or None when the Python path must take over.
    ``progress(rows)`` is called about every ``every`` rows."""
    from registry.importer import STREET_TYPES, UNIT_TABLE

    parquet = is_parquet(path)
    header = _parquet_header(path) if parquet else _header(path, label)
    if header is None or not all(_SAFE_NAME.match(name) for name in header):
        return None
    if len(set(header)) != len(header):
        return None
    columns.check_header(header, label)  # a wrong header aborts, as on the Python path
    present = [name for name in columns.all if name in header]
    arrays = _unit_arrays if staging.spec is UNIT_TABLE else _establishment_arrays
    street_types = (pa.array(list(STREET_TYPES)), pa.array(list(STREET_TYPES.values())))
    names = ["line", *staging.spec.columns]
    quoted = ", ".join(f'"{name}"' for name in names)
    # unquoted empty = NULL (dates, ESS flag), except in the NOT NULL text columns
    not_null = ", ".join(
        f'"{f.column}"'
        for f in staging.fields
        if not f.null and f.get_internal_type() in ("CharField", "TextField")
    )
    write_options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
    savepoint = transaction.savepoint()
    line = 2  # the header is line 1 (for Parquet: row number + 1, as on the Python path)
    try:
        staging.create()  # again, inside the savepoint: COPY FREEZE needs a table created here
        with (
            ExitStack() as stack,
            connection.connection.cursor() as cursor,
            cursor.copy(
                f'COPY "{staging.name}" ({quoted}) FROM STDIN '
                f"(FORMAT csv, FREEZE true, FORCE_NOT_NULL ({not_null}))"
            ) as copy,
        ):
            if parquet:
                batches = _parquet_batches(path, present)
            else:
                batches = _csv_batches(stack.enter_context(_open_binary(path)), header, present)
            for columns_read, size in batches:

                def c(name, columns_read=columns_read, size=size):
                    if name in columns_read:
                        return columns_read[name]
                    return pa.array([""] * size, pa.string())

                converted = arrays(c, street_types)
                if converted is None:
                    raise _Fallback
                lines = pa.array(range(line, line + size), pa.int64())
                table = pa.Table.from_arrays([lines, *converted], names=names)
                buffer = io.BytesIO()
                pa_csv.write_csv(table, buffer, write_options)
                copy.write(buffer.getbuffer())
                line += size
                if progress and every and (line - 2) // every != (line - 2 - size) // every:
                    progress(line - 2)
    except Exception:  # noqa: BLE001 - any anomaly: the Python path finds and reports it
        transaction.savepoint_rollback(savepoint)
        return None
    transaction.savepoint_commit(savepoint)
    return line - 2


class _Fallback(Exception):
    """Raised inside the fast path when a row needs the line-numbered Python path."""

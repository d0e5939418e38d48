"""Readers of the official INSEE stock files (CSV, zipped CSV or Parquet), streamed.

Each reader yields ``(line_number, fields)`` where ``fields`` is a tuple of strings in the order
of the columns asked for (a missing optional column reads as ""). Line numbers are those a person
sees in a text editor (the header is line 1); for Parquet, the row number + 1, so that the same
message reads the same way for both formats.

Problems that make the whole file unusable raise :class:`FileProblem` (wrong header, unknown
encoding, truncated file); problems of one row raise :class:`RowProblem` from the transformers
in ``registry.importer``.
"""

import codecs
import csv
import io
import operator
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

CSV_SAMPLE_BYTES = 1 << 20
PARQUET_BATCH_ROWS = 65_536


class FileProblem(Exception):
    """The file cannot be imported at all (always aborts, whatever ``--on-error`` says)."""


class RowProblem(Exception):
    """One row is unusable (aborts, or is skipped with ``--on-error skip``)."""


class ColumnSet:
    """The columns an import needs: required ones must be in the header, optional may not."""

    def __init__(self, required: list[str], optional: list[str]):
        self.required = required
        self.optional = optional
        self.all = required + optional

    def check_header(self, header: list[str], file_label: str) -> list[int | None]:
        header = [name.strip() for name in header]
        missing = [name for name in self.required if name not in header]
        if missing:
            shown = ", ".join(header[:6]) + ("…" if len(header) > 6 else "")
            raise FileProblem(
                f"{file_label}, ligne 1 : en-tête inattendu, colonnes obligatoires absentes : "
                f"{', '.join(missing)} (en-tête lu : {shown}). Est-ce bien le bon fichier "
                "(StockUniteLegale ou StockEtablissement, séparateur virgule) ?"
            )
        return [header.index(name) if name in header else None for name in self.all]


def is_parquet(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"PAR1"


def _open_binary(path: Path):
    """The file's bytes: a plain CSV, or the first CSV inside a zip archive (as INSEE ships it)."""
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        members = [name for name in archive.namelist() if name.lower().endswith(".csv")]
        if not members:
            raise FileProblem(f"{path.name} : l’archive ne contient aucun fichier .csv.")
        return archive.open(members[0])
    return open(path, "rb")  # noqa: SIM115 - closed by the reader


def detect_encoding(sample: bytes, file_label: str) -> tuple[str, str]:
    """Return (codec, note) from the first bytes of a file. INSEE publishes UTF-8."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", ""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "encodage détecté : UTF-16"
    if b"\x00" in sample:
        raise FileProblem(
            f"{file_label} : encodage non reconnu (octets nuls : UTF-16 sans marque, ou fichier "
            "binaire). Indiquez l’encodage avec --encoding (utf-8, latin-1, cp1252…)."
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8", ""
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError as error:
        raise FileProblem(
            f"{file_label} : encodage non reconnu (ni UTF-8 ni Windows-1252, octet "
            f"0x{sample[error.start]:02x}). Indiquez l’encodage avec --encoding."
        ) from None
    return "cp1252", "encodage détecté : Windows-1252 (le fichier n’est pas en UTF-8)"


def _line_of_decode_error(path: Path, encoding: str) -> int:
    """Slow path, only after a decoding error: the exact line of the first undecodable byte."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with _open_binary(path) as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                decoder.decode(raw)
            except UnicodeDecodeError:
                return number
    return 0


def read_csv(
    path: Path,
    columns: ColumnSet,
    encoding: str = "auto",
    file_label: str = "",
    notes: list[str] | None = None,
) -> Iterator[tuple[int, tuple[str, ...]]]:
    file_label = file_label or path.name
    binary = _open_binary(path)
    try:
        if encoding == "auto":
            head = binary.read(CSV_SAMPLE_BYTES)
            binary.close()
            binary = _open_binary(path)
            encoding, note = detect_encoding(head, file_label)
            if note and notes is not None:
                notes.append(f"{file_label} : {note}")
        text = io.TextIOWrapper(binary, encoding=encoding, newline="")
        reader = csv.reader(text, strict=True)
        try:
            try:
                header = next(reader)
            except StopIteration:
                raise FileProblem(f"{file_label} : le fichier est vide.") from None
            indices = columns.check_header(header, file_label)
            width = len(header)
            pad = width  # index of the "" appended when an optional column is missing
            pick = operator.itemgetter(*[pad if index is None else index for index in indices])
            padded = any(index is None for index in indices)
            pending = None
            for row in reader:
                if pending is not None:
                    yield pending
                    pending = None
                if len(row) != width:
                    line = reader.line_num
                    if len(row) < width:
                        # a short row is either malformed or the last, cut-off line of the file
                        pending = (line, _ShortRow(len(row), width))
                        continue
                    yield line, _WrongWidth(len(row), width)
                    continue
                if padded:
                    row.append("")
                yield reader.line_num, pick(row)
        except csv.Error as error:
            if "unexpected end of data" in str(error):
                raise FileProblem(
                    f"{file_label}, ligne {reader.line_num} : fichier tronqué (guillemet non "
                    "refermé en fin de fichier). Téléchargez-le de nouveau."
                ) from None
            raise FileProblem(f"{file_label}, ligne {reader.line_num + 1} : {error}.") from None
        except UnicodeDecodeError:
            line = _line_of_decode_error(path, encoding)
            raise FileProblem(
                f"{file_label}, ligne {line} : caractères illisibles en {encoding}. Le fichier "
                "n’est pas dans cet encodage : relancez avec --encoding (latin-1, cp1252…)."
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise FileProblem(
                f"{file_label}, vers la ligne {reader.line_num} : archive zip tronquée ou "
                f"corrompue ({error}). Téléchargez-la de nouveau."
            ) from None
        if pending is not None:
            line, short = pending
            raise FileProblem(
                f"{file_label}, ligne {line} : fichier tronqué (la dernière ligne n’a que "
                f"{short.found} colonnes sur {short.expected}). Téléchargez-le de nouveau."
            )
    finally:
        binary.close()


class _ShortRow:
    def __init__(self, found: int, expected: int):
        self.found = found
        self.expected = expected

    def __str__(self):
        return f"{self.found} colonnes au lieu de {self.expected}"


class _WrongWidth(_ShortRow):
    pass


BAD_WIDTH = (_ShortRow, _WrongWidth)


def read_parquet(
    path: Path, columns: ColumnSet, file_label: str = "", notes: list[str] | None = None
) -> Iterator[tuple[int, tuple[str, ...]]]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    file_label = file_label or path.name
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise FileProblem(
            f"{file_label} : fichier Parquet illisible ou tronqué ({error}). "
            "Téléchargez-le de nouveau."
        ) from None
    names = parquet.schema_arrow.names
    indices = columns.check_header(names, file_label)
    present = [name for name, index in zip(columns.all, indices, strict=True) if index is not None]
    line = 1
    try:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=present):
            size = batch.num_rows
            lists = []
            for name, index in zip(columns.all, indices, strict=True):
                if index is None:
                    lists.append([""] * size)
                    continue
                column = batch.column(present.index(name))
                if not pa.types.is_string(column.type):
                    column = pc.cast(column, pa.string())
                lists.append(pc.fill_null(column, "").to_pylist())
            yield from enumerate(zip(*lists, strict=True), start=line + 1)
            line += size
    except (pa.ArrowException, OSError) as error:
        raise FileProblem(
            f"{file_label}, après la ligne {line} : fichier Parquet illisible ou tronqué "
            f"({error}). Téléchargez-le de nouveau."
        ) from None


def read_rows(path: Path, columns: ColumnSet, encoding: str = "auto", notes=None):
    path = Path(path)
    if not path.exists():
        raise FileProblem(f"{path} : fichier introuvable.")
    if is_parquet(path):
        return read_parquet(path, columns, notes=notes)
    return read_csv(path, columns, encoding=encoding, notes=notes)

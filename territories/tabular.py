"""Read an official table as it comes: an xlsx workbook with a title block above the header
row, or a CSV export with « ; », « , » or tabs, in UTF-8 (with or without BOM) or
Windows-1252. Column names are compared without case, accents or spaces.

Anything else (old .xls, ODS, PDF, UTF-16, truncated archive…) raises ``TableError`` with a
French message saying what to do.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from territories.text import normalise

HEADER_SEARCH_ROWS = 30
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class TableError(Exception):
    """The file cannot be read as a table; the message says why, in French."""


@dataclass
class Table:
    columns: list[str]  # normalised names, in file order
    raw_columns: list[str]  # as written in the file
    rows: list[dict[str, str]]  # normalised name → cell text (stripped)
    first_line: int  # line (CSV) or row (xlsx) number of the first data row
    sheet: str = ""

    def find(self, aliases) -> str | None:
        """The first column whose normalised name is one of ``aliases``."""
        for alias in aliases:
            if alias in self.columns:
                return alias
        return None


def column_key(name) -> str:
    return normalise(str(name or "")).replace(" ", "_").replace("-", "_")


def read_table(path: Path, *, header_aliases, preferred_sheets=()) -> Table:
    """``header_aliases``: normalised names of which one must appear in the header row (how the
    header row is found below a title block); ``preferred_sheets``: sheet names tried first."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise TableError(f"Fichier introuvable : {path}") from None
    except OSError as error:
        raise TableError(f"Fichier illisible ({path}) : {error.strerror}") from None
    if not data.strip():
        raise TableError("Le fichier est vide.")
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, set(header_aliases), preferred_sheets)
    if data.startswith(OLE_MAGIC):
        raise TableError(
            "Classeur Excel 97-2003 (.xls) non pris en charge : enregistrez-le au format .xlsx "
            "ou exportez-le en CSV."
        )
    return _read_csv(data, set(header_aliases))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes, aliases: set[str], preferred_sheets) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise TableError(
            f"Le fichier n’est pas un classeur xlsx lisible (archive abîmée ou autre format) : "
            f"{error}"
        ) from None
    try:
        wanted = {column_key(name) for name in preferred_sheets}
        sheets = sorted(workbook.worksheets, key=lambda ws: column_key(ws.title) not in wanted)
        for sheet in sheets:
            rows = sheet.iter_rows(values_only=True)
            for number, row in enumerate(rows, start=1):
                if number > HEADER_SEARCH_ROWS:
                    break
                keys = [column_key(cell) for cell in row]
                if aliases & set(keys):
                    return _table(
                        [_text(cell) for cell in row],
                        ([_text(cell) for cell in data_row] for data_row in rows),
                        first_line=number + 1,
                        sheet=sheet.title,
                    )
    finally:
        workbook.close()
    names = ", ".join(ws.title for ws in workbook.worksheets)
    raise TableError(
        f"Aucune ligne d’en-tête reconnue dans les {HEADER_SEARCH_ROWS} premières lignes des "
        f"feuilles du classeur ({names})."
    )


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise TableError(
            "Encodage non pris en charge (UTF-16 ou fichier binaire) : enregistrez le fichier "
            "en CSV UTF-8 ou Windows-1252, ou en .xlsx."
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:  # not UTF-8: INSEE and ANCT exports also come in Windows-1252
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise TableError(
                "Encodage non reconnu (ni UTF-8, ni Windows-1252 : octet "
                f"0x{data[error.start]:02x} en position {error.start}). Enregistrez le fichier en "
                "CSV UTF-8 ou en .xlsx."
            ) from None


def _read_csv(data: bytes, aliases: set[str]) -> Table:
    text = _decode(data)
    lines = text.splitlines()
    for index, line in enumerate(lines[:HEADER_SEARCH_ROWS]):
        delimiter = max(";,\t", key=line.count)
        if not line.count(delimiter):
            continue
        header = next(csv.reader([line], delimiter=delimiter))
        if aliases & {column_key(cell) for cell in header}:
            body = csv.reader(io.StringIO("\n".join(lines[index + 1 :])), delimiter=delimiter)
            return _table(header, body, first_line=index + 2)
    raise TableError(
        "Aucune ligne d’en-tête reconnue : ce n’est pas un tableau CSV (« ; », « , » ou "
        "tabulation) ni un classeur .xlsx, ou la colonne du code est absente."
    )


def _table(header, body, *, first_line: int, sheet: str = "") -> Table:
    raw = [cell.strip() for cell in header]
    keys = [column_key(cell) for cell in raw]
    rows = []
    for cells in body:
        values = [_text(cell) for cell in cells]
        if not any(values):
            rows.append({})  # keeps line numbers right; skipped by the importers
            continue
        width = len(values)
        rows.append({key: values[i] if i < width else "" for i, key in enumerate(keys) if key})
    return Table(
        columns=[k for k in keys if k],
        raw_columns=[r for r in raw if r],
        rows=rows,
        first_line=first_line,
        sheet=sheet,
    )

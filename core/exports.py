"""Tabular exports (CSV streamed, XLSX write-only) safe against formula injection."""

import csv
from collections.abc import Iterable, Iterator
from io import BytesIO

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """Text starting like a formula is prefixed with ' so spreadsheets show it as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(header)  # BOM: spreadsheet software reads UTF-8
    for row in rows:
        yield writer.writerow([neutralise_cell(value) for value in row])


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]):
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_bytes(header: list[str], rows: Iterable[Iterable], sheet_title: str = "Export") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([neutralise_cell(value) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

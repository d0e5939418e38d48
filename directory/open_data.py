"""Open data: the PTCE directory as CSV (streamed), JSON (streamed) and XLSX, with its Table
Schema, under the Licence Ouverte 2.0. Public; each download is written to the audit log."""

import json

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from core import audit
from core.exports import XLSX_MIMETYPE, csv_response, xlsx_bytes
from directory.exports import ptce_columns, ptce_records, ptce_schema, ptce_table_rows
from laureates.models import Ptce

LICENCE = "Licence Ouverte / Open Licence version 2.0 (Etalab)"


def _stamp() -> str:
    return timezone.localdate().isoformat()


def open_data_page(request):
    """Public: list of downloadable files with their schema and licence."""
    schema = ptce_schema()
    fields = [
        {
            "name": field["name"],
            "title": field.get("title", ""),
            "type": field["type"],
            "format": field.get("format", ""),
            "required": field.get("constraints", {}).get("required", False),
            "description": field.get("description", ""),
        }
        for field in schema["fields"]
    ]
    context = {
        "fields": fields,
        "ptce_count": Ptce.objects.count(),
        "licence": LICENCE,
        "breadcrumb": {"links": [], "current": "Données ouvertes"},
    }
    return render(request, "directory/open_data.html", context)


def _log_export(request, kind: str):
    audit.record(
        "open_data.downloaded",
        actor=request.user if request.user.is_authenticated else None,
        label=f"ptce.{kind}",
    )


def ptce_csv(request):
    """Public: CSV (« ; », UTF-8 with BOM), streamed; cells that look like formulas are quoted."""
    _log_export(request, "csv")
    return csv_response(f"ptce-{_stamp()}.csv", ptce_columns(), ptce_table_rows())


def _json_stream():
    yield "["
    first = True
    for record in ptce_records():
        yield ("" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "]\n"


def ptce_json(request):
    """Public: JSON array of records (same columns as the CSV), streamed."""
    _log_export(request, "json")
    response = StreamingHttpResponse(_json_stream(), content_type="application/json")
    response["Content-Disposition"] = f'inline; filename="ptce-{_stamp()}.json"'
    return response


def ptce_xlsx(request):
    """Public: XLSX workbook with one sheet « PTCE »."""
    _log_export(request, "xlsx")
    response = HttpResponse(
        xlsx_bytes(ptce_columns(), ptce_table_rows(), sheet_title="PTCE"),
        content_type=XLSX_MIMETYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="ptce-{_stamp()}.xlsx"'
    return response


def ptce_schema_view(request):
    """Public: the Table Schema describing the three files."""
    return JsonResponse(ptce_schema(), json_dumps_params={"ensure_ascii": False, "indent": 2})

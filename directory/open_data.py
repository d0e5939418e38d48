"""Open data: the PTCE directory, the awards (lauréats), the aggregated call statistics and the
statistics of labels over the whole history as
CSV (streamed), JSON (streamed) and XLSX, each with its Table Schema published beside it, under
the Licence Ouverte 2.0. Public; each download is written to the audit log."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from core import audit
from core.exports import XLSX_MIMETYPE, csv_response, xlsx_bytes
from directory.exports import (
    award_records,
    call_statistics_records,
    json_value,
    label_statistics_records,
    load_schema,
    ptce_records,
    public_awards,
    schema_columns,
    table_rows,
)
from laureates.models import Ptce

LICENCE = "Licence Ouverte / Open Licence version 2.0 (Etalab)"


@dataclass(frozen=True)
class Dataset:
    """One open-data file: ``key`` names its URL routes (<key>_csv, _json, _xlsx, _schema)."""

    key: str
    file_name: str
    schema: str
    sheet_title: str
    records: Callable[[], Iterator[dict]]
    count: Callable[[], int]

    @property
    def columns(self) -> list[str]:
        return schema_columns(self.schema)


DATASETS = {
    "ptce": Dataset("ptce", "ptce", "ptce", "PTCE", ptce_records, lambda: Ptce.objects.count()),
    "awards": Dataset(
        "awards",
        "laureats",
        "awards",
        "Lauréats",
        award_records,
        lambda: public_awards().count(),
    ),
    "call_statistics": Dataset(
        "call_statistics",
        "statistiques-appels",
        "call_statistics",
        "Statistiques des appels",
        call_statistics_records,
        lambda: sum(1 for _ in call_statistics_records()),
    ),
    "label_statistics": Dataset(
        "label_statistics",
        "statistiques-labels",
        "label_statistics",
        "Statistiques des labels",
        label_statistics_records,
        lambda: sum(1 for _ in label_statistics_records()),
    ),
}


def _stamp() -> str:
    return timezone.localdate().isoformat()


def _fields(schema: dict) -> list[dict]:
    return [
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


@require_safe
def open_data_page(request):
    """Public: list of downloadable files with their schema and licence."""
    datasets = []
    for dataset in DATASETS.values():
        schema = load_schema(dataset.schema)
        datasets.append(
            {
                "key": dataset.key,
                "title": schema["title"],
                "description": schema["description"],
                "count": dataset.count(),
                "fields": _fields(schema),
                "csv": reverse(f"directory:{dataset.key}_csv"),
                "json": reverse(f"directory:{dataset.key}_json"),
                "xlsx": reverse(f"directory:{dataset.key}_xlsx"),
                "schema": reverse(f"directory:{dataset.key}_schema"),
            }
        )
    context = {
        "datasets": datasets,
        "licence": LICENCE,
        "breadcrumb": {"links": [], "current": "Données ouvertes"},
    }
    return render(request, "directory/open_data.html", context)


def _log_export(request, dataset: Dataset, kind: str):
    audit.record(
        "open_data.downloaded",
        actor=request.user if request.user.is_authenticated else None,
        label=f"{dataset.file_name}.{kind}",
    )


def _json_stream(records):
    yield "["
    first = True
    for record in records:
        body = json.dumps({k: json_value(v) for k, v in record.items()}, ensure_ascii=False)
        yield ("" if first else ",\n") + body
        first = False
    yield "]\n"


@require_safe
def dataset_csv(request, key: str):
    """Public: CSV (« ; », UTF-8 with BOM), streamed; cells that look like formulas are quoted."""
    dataset = DATASETS[key]
    _log_export(request, dataset, "csv")
    return csv_response(
        f"{dataset.file_name}-{_stamp()}.csv",
        dataset.columns,
        table_rows(dataset.records(), dataset.columns),
    )


@require_safe
def dataset_json(request, key: str):
    """Public: JSON array of records (same columns as the CSV), streamed."""
    dataset = DATASETS[key]
    _log_export(request, dataset, "json")
    response = StreamingHttpResponse(
        _json_stream(dataset.records()), content_type="application/json"
    )
    response["Content-Disposition"] = f'inline; filename="{dataset.file_name}-{_stamp()}.json"'
    return response


@require_safe
def dataset_xlsx(request, key: str):
    """Public: XLSX workbook with one sheet."""
    dataset = DATASETS[key]
    _log_export(request, dataset, "xlsx")
    response = HttpResponse(
        xlsx_bytes(
            dataset.columns,
            table_rows(dataset.records(), dataset.columns),
            sheet_title=dataset.sheet_title,
        ),
        content_type=XLSX_MIMETYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{dataset.file_name}-{_stamp()}.xlsx"'
    return response


@require_safe
def dataset_schema(request, key: str):
    """Public: the Table Schema describing the three files of a dataset."""
    return JsonResponse(
        load_schema(DATASETS[key].schema), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )

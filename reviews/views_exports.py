"""Exports of the reviewer list (SPEC §5.6): CSV (streamed), XLSX (write-only) and ODS (written
row by row to a temporary file, then streamed), same filters and same scope as the list; scores
only where the person may read them. Every export is audited."""

from django.http import HttpResponse

from accounts.permissions import is_staff_member, user_passes
from core import audit
from core.exports import XLSX_MIMETYPE, csv_response, xlsx_bytes
from core.ods import ods_response
from reviews.models import RegionalOpinion, ReviewSummary
from reviews.views import filtered_files

HEADER = [
    "Référence",
    "Pôle",
    "Appel",
    "Phase",
    "Région",
    "État",
    "Déposé le",
    "Évaluations",
    "Moyenne",
    "Médiane",
    "Écart-type",
    "Critère éliminatoire",
    "Avis régional",
    "Avis validé",
    "Désaccord",
    "Département principal",
    "Territoire prioritaire",
    "Motifs de l’avis régional",
]


def _rows(queryset):
    for application in queryset.iterator(chunk_size=500):
        try:
            summary = application.review_summary
        except ReviewSummary.DoesNotExist:
            summary = None
        try:
            opinion = application.regional_opinion
        except RegionalOpinion.DoesNotExist:
            opinion = None
        visible = application.scores_visible and summary is not None
        yield [
            application.reference or "",
            application.display_name,
            application.call.title,
            application.get_phase_display() if application.phase else "",
            application.region.name if application.region else "",
            application.get_status_display(),
            application.submitted_at.date().isoformat() if application.submitted_at else "",
            summary.review_count if visible else "",
            summary.mean if visible and summary.mean is not None else "",
            summary.median if visible and summary.median is not None else "",
            summary.std_dev if visible and summary.std_dev is not None else "",
            ("oui" if summary.eliminated else "non") if visible else "",
            opinion.get_opinion_display() if opinion else "",
            ("oui" if opinion.is_validated else "non") if opinion else "",
            ("oui" if summary.disagreement else "non") if visible else "",
            summary.department.name if summary is not None and summary.department else "",
            ("oui" if summary.is_priority else "non") if summary is not None else "",
            opinion.reasons if opinion else "",
        ]


def _export(request, fmt):
    form, queryset = filtered_files(request.user, request.GET, count_assignments=False)
    audit.record(
        "review.export",
        actor=request.user,
        after={"format": fmt, "filters": request.GET.dict(), "count": queryset.count()},
    )
    return queryset


@user_passes(is_staff_member)
def export_csv(request):
    """Who may use it: staff, on the files of the reviewer list they may see (same filters)."""
    return csv_response("dossiers-instruction.csv", HEADER, _rows(_export(request, "csv")))


@user_passes(is_staff_member)
def export_xlsx(request):
    """Who may use it: staff, on the files of the reviewer list they may see (same filters)."""
    content = xlsx_bytes(HEADER, _rows(_export(request, "xlsx")), "Dossiers")
    response = HttpResponse(content, content_type=XLSX_MIMETYPE)
    response["Content-Disposition"] = 'attachment; filename="dossiers-instruction.xlsx"'
    return response


@user_passes(is_staff_member)
def export_ods(request):
    """Who may use it: staff, on the files of the reviewer list they may see (same filters)."""
    return ods_response(
        "dossiers-instruction.ods", HEADER, _rows(_export(request, "ods")), "Dossiers"
    )

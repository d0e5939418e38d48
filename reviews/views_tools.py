"""Instructor tools (SPEC §5.6): saved views of the list, bulk actions, the PDF of a file and
the zip of its attachments. Thin views: rules in ``reviews.instructor``, ``reviews.services``
and ``applications.states``; the file is always loaded through ``Application.objects.for_user``
(a file of another région, or with a conflict of interest, is a 404)."""

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import is_national, is_staff_member, user_passes
from applications.choices import ApplicationStatus as S
from applications.models import Application
from core import audit
from core.params import int_param
from reviews import archives, file_page, file_pdf, instructor, services
from reviews.views import PAGE_SIZE, _staff_file


def _back_to_list(request):
    query = request.POST.get("query", "")
    try:
        query = instructor.clean_query(query)
    except services.ReviewError:
        query = ""
    return redirect(reverse("reviews:list") + (f"?{query}" if query else ""))


@require_POST
@user_passes(is_staff_member)
def save_view(request):
    """Who may use it: any staff member with access to the list, for themself (POST
    ``name`` and ``query``, the list's current filters)."""
    try:
        view = instructor.save_view(
            request.user, request.POST.get("name", ""), request.POST.get("query", "")
        )
    except services.ReviewError as error:
        messages.error(request, str(error))
        return _back_to_list(request)
    messages.success(request, f"Vue « {view.name} » enregistrée.")
    return redirect(reverse("reviews:list") + (f"?{view.query}" if view.query else ""))


@require_POST
@user_passes(is_staff_member)
def delete_view(request, pk):
    """Who may use it: the owner of the view (anyone else: 404)."""
    try:
        name = instructor.delete_view(request.user, pk)
    except services.ReviewError as error:
        raise Http404(str(error)) from error
    messages.success(request, f"Vue « {name} » supprimée.")
    return redirect("reviews:list")


def can_bulk(user) -> bool:
    return is_national(user) or user.role == "regional_cell_lead"


@require_POST
@user_passes(is_staff_member)
def bulk_action(request):
    """Who may use it: cell leads (files of their région) and the national cell. ``action``:
    ``assign`` (two reviewers, fewest reviews first) or a status change of
    ``instructor.BULK_STATUS_ACTIONS``, applied file by file through the state service; each
    refusal is reported for its file."""
    if not can_bulk(request.user):
        messages.error(request, "Les actions groupées sont réservées aux responsables de cellule.")
        return _back_to_list(request)
    action = request.POST.get("action", "")
    uuids = request.POST.getlist("files")[:PAGE_SIZE]
    files = list(
        Application.objects.for_user(request.user)
        .exclude(status=S.DRAFT)
        .filter(uuid__in=[u for u in uuids if _is_uuid(u)])
        .order_by("reference")
    )
    if not files:
        messages.error(request, "Cochez au moins un dossier.")
        return _back_to_list(request)
    if len(files) < len(set(uuids)):
        unknown = len(set(uuids)) - len(files)
        messages.warning(request, f"{unknown} dossier(s) introuvable(s) ignoré(s).")
    if action == "assign":
        result = services.bulk_assign(files, actor=request.user)
        for reference, reviewers in result["assigned"].items():
            names = ", ".join(r.full_name or r.email for r in reviewers)
            messages.success(request, f"{reference} : attribué à {names}.")
        for reference, reason in result["skipped"].items():
            messages.warning(request, f"{reference} : {reason}.")
    elif action in instructor.BULK_STATUS_ACTIONS:
        label, target = instructor.BULK_STATUS_ACTIONS[action]
        result = instructor.bulk_change_status(files, target, actor=request.user)
        if result["changed"]:
            messages.success(
                request,
                f"{len(result['changed'])} dossier(s) désormais « {S(target).label} » : "
                + ", ".join(result["changed"])
                + ".",
            )
        for reference, reason in result["refused"].items():
            messages.error(request, f"{reference} : refusé — {reason}")
    else:
        messages.error(request, "Choisissez une action.")
    return _back_to_list(request)


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@user_passes(is_staff_member)
def file_pdf_view(request, uuid):
    """Who may see it: staff who may see the file (not with a conflict of interest). The
    submitted snapshot (last version, or ``?version=N``) as a readable PDF; audited."""
    application = _staff_file(request, uuid)
    submissions = {s.version: s for s in application.submissions.all()}
    if not submissions:
        raise Http404("Aucune version déposée.")
    raw = request.GET.get("version")
    version = max(submissions) if raw is None else int_param(raw)
    submission = submissions.get(version)
    if submission is None:
        raise Http404("Version inconnue.")
    content = file_pdf.file_pdf(
        submission,
        status_label=application.get_status_display(),
        region_name=application.region.name if application.region else "",
        names=file_page.territory_names(submission.data),
    )
    audit.record("review.file_pdf", actor=request.user, obj=application, after={"version": version})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="dossier-{application.reference}-v{version}.pdf"'
    )
    return response


@user_passes(is_staff_member)
def attachments_zip(request, uuid):
    """Who may see it: staff who may see the file (not with a conflict of interest). Every
    attachment of the file in one streamed zip; audited."""
    application = _staff_file(request, uuid)
    attachments = list(application.attachments.order_by("kind", "uploaded_at", "pk"))
    if not attachments:
        raise Http404("Aucune pièce jointe.")
    audit.record(
        "review.attachments_zip",
        actor=request.user,
        obj=application,
        after={"count": len(attachments)},
    )
    response = StreamingHttpResponse(
        archives.stream_zip(attachments), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="pieces-{application.reference}.zip"'
    return response

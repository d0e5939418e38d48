"""Workload and deadline pages (issue 15, item 5): « Mes évaluations », the cell lead's
workload table with reassignment, and the file page's small forms (due date of an assignment,
extension of a correction deadline). Rules are in ``reviews.workload``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import is_national, is_staff_member, user_passes
from applications.choices import ApplicationStatus as S
from applications.models import Application
from core.formatting import format_date
from core.params import id_param
from reviews import workload
from reviews.forms_workload import DueDateForm, ExtensionForm, ReassignForm
from reviews.models import Assignment
from reviews.services import REVIEWER_ROLES, ReviewError
from territories.models import Region


def _crumbs(current):
    return {
        "links": [{"url": reverse("reviews:list"), "title": "Dossiers à instruire"}],
        "current": current,
    }


def _staff_file(request, uuid):
    """A submitted file visible to this staff member (no conflict), else 404."""
    queryset = Application.objects.for_user(request.user).exclude(status=S.DRAFT)
    return get_object_or_404(queryset.select_related("call", "region"), uuid=uuid)


@user_passes(is_staff_member)
def my_reviews(request):
    """Who may see it: every staff member (their own assignments only: regional reviewers
    and cell leads have some). Open work first, by due date, with « en retard » and « à
    rendre sous 3 jours » badges."""
    rows = workload.my_assignments(request.user)
    return render(
        request,
        "reviews/my_reviews.html",
        {
            "rows": rows,
            "open_count": sum(1 for row in rows if row.is_pending),
            "overdue_count": sum(1 for row in rows if row.is_overdue),
            "can_see_workload": workload.can_see_workload(request.user),
            "breadcrumb": _crumbs("Mes évaluations"),
        },
    )


def _region_filter(request):
    """The national cell's région filter (a known région code, else all)."""
    if not is_national(request.user):
        return None
    code = request.GET.get("region", "")[:3]
    if not (code.isascii() and code.isalnum()):  # NUL or other junk: ignored, never a 500
        return None
    return code if Region.objects.filter(pk=code).exists() else None


@user_passes(is_staff_member)
def workload_view(request):
    """Who may see it: the cell lead of a région (its reviewers) and the national cell (every
    reviewer, filter by région); others 403. « ?evaluateur=<id> » lists that reviewer's open
    assignments with a reassignment form each."""
    user = request.user
    if not workload.can_see_workload(user):
        raise PermissionDenied
    region_id = _region_filter(request)
    rows = workload.reviewer_workload(user, region_id)
    selected = None
    open_rows = []
    reviewer_id = id_param(request.GET.get("evaluateur", ""))
    if reviewer_id is not None:
        selected = next((row.reviewer for row in rows if row.reviewer.pk == reviewer_id), None)
    if selected is not None:
        for row in workload.reviewer_open_assignments(user, selected):
            form = ReassignForm(
                reviewers=workload.reassign_targets(row.assignment),
                prefix=f"a{row.assignment.pk}",
            )
            open_rows.append((row, form))
    return render(
        request,
        "reviews/workload.html",
        {
            "rows": rows,
            "totals": {
                "assigned": sum(row.assigned for row in rows),
                "submitted": sum(row.submitted for row in rows),
                "overdue": sum(row.overdue for row in rows),
            },
            "is_national": is_national(user),
            "regions": Region.objects.order_by("name") if is_national(user) else [],
            "region_id": region_id or "",
            "selected": selected,
            "open_rows": open_rows,
            "breadcrumb": _crumbs("Charge des évaluateurs"),
        },
    )


@require_POST
@user_passes(is_staff_member)
def reassign(request, pk):
    """Who may use it: the cell lead of the file's région and the national cell (POST), on
    files they may see; the new reviewer must be of the same région, without a conflict."""
    visible = Application.objects.for_user(request.user).exclude(status=S.DRAFT).values("pk")
    assignment = get_object_or_404(
        Assignment.objects.select_related("application__call", "reviewer").filter(
            application__in=visible
        ),
        pk=pk,
    )
    if not workload.can_manage_deadlines(request.user, assignment.application):
        raise PermissionDenied
    previous = assignment.reviewer
    back = f"{reverse('reviews:workload')}?evaluateur={previous.pk}"
    if is_national(request.user):
        back += f"&region={assignment.application.region_id}"
    prefix = f"a{assignment.pk}"
    candidates = User.objects.filter(is_active=True, role__in=REVIEWER_ROLES)
    form = ReassignForm(request.POST, reviewers=candidates, prefix=prefix)
    if not form.is_valid():
        messages.error(request, "Choisissez un évaluateur de la liste.")
        return redirect(back)
    target = form.cleaned_data["reviewer"]
    try:
        workload.reassign(assignment, target, actor=request.user)
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Dossier {assignment.application.reference} réattribué à "
            f"{target.full_name or target.email} (à rendre le {format_date(assignment.due_on)}).",
        )
    return redirect(back)


@require_POST
@user_passes(is_staff_member)
def due_date(request, uuid, pk):
    """Who may use it: the cell lead of the file's région and the national cell (POST). A date
    in the past is refused."""
    application = _staff_file(request, uuid)
    assignment = get_object_or_404(application.assignments.select_related("reviewer"), pk=pk)
    if not workload.can_manage_deadlines(request.user, application):
        raise PermissionDenied
    form = DueDateForm(request.POST, prefix=f"due{assignment.pk}")
    if not form.is_valid():
        errors = form.errors.get("due_on") or ["Indiquez une date valide (JJ/MM/AAAA)."]
        messages.error(request, errors[0])
        # The file page shows the refused date again with its error on the field.
        request.session[workload.DUE_DATE_ERROR_KEY] = {
            "assignment": assignment.pk,
            "value": workload.refused_date_text(form["due_on"].data),
            "error": errors[0],
        }
    else:
        try:
            workload.set_due_date(assignment, form.cleaned_data["due_on"], actor=request.user)
        except ReviewError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Échéance de {assignment.reviewer.full_name or assignment.reviewer.email} : "
                f"{format_date(assignment.due_on)}.",
            )
    return redirect(reverse("reviews:file", args=[application.uuid]) + "#echeances")


@require_POST
@user_passes(is_staff_member)
def extend_correction(request, uuid, pk):
    """Who may use it: the reviewers and cell lead of the file's région and the national
    cell (POST), on an open correction request: a later deadline, audited."""
    application = _staff_file(request, uuid)
    correction = get_object_or_404(application.correction_requests, pk=pk)
    if not workload.can_extend_correction(request.user, application):
        raise PermissionDenied
    form = ExtensionForm(request.POST, prefix=f"ext{correction.pk}")
    if not form.is_valid():
        messages.error(request, "Indiquez une date valide (JJ/MM/AAAA).")
    else:
        try:
            workload.extend_correction(
                correction, form.cleaned_data["deadline"], actor=request.user
            )
        except ReviewError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Nouveau délai accordé au candidat : {format_date(correction.deadline)}.",
            )
    return redirect(reverse("reviews:file", args=[application.uuid]) + "#echeances")

"""``{% deadlines_panel application %}``: the staff file page's « Échéances » section (due
date of each assignment, changeable by the cell lead or the national cell; the open
correction request's deadline, with an extension form). The rules are in
``reviews.workload``; the forms post to ``reviews.views_workload``."""

from django import template
from django.db.models import Subquery

from reviews import services, workload
from reviews.forms_workload import DueDateForm, ExtensionForm

register = template.Library()


@register.inclusion_tag("reviews/includes/deadlines_panel.html", takes_context=True)
def deadlines_panel(context, application):
    request = context["request"]
    user = request.user
    can_manage = workload.can_manage_deadlines(user, application)
    refused = request.session.pop(workload.DUE_DATE_ERROR_KEY, None) if can_manage else None
    queryset = application.assignments.select_related("reviewer").annotate(
        evaluation_status=Subquery(workload._evaluation_status())
    )
    rows = []
    for assignment in queryset.order_by("due_on", "pk"):
        row = workload._row(assignment, assignment.evaluation_status, workload._today())
        form = None
        if can_manage and not row.is_done:
            prefix = f"due{assignment.pk}"
            if refused and refused.get("assignment") == assignment.pk:
                # The refused date again, with its error tied to the field (and focused).
                form = DueDateForm({f"{prefix}-due_on": refused.get("value", "")}, prefix=prefix)
                form.is_valid()
                form.errors["due_on"] = form.error_class([refused.get("error", "")])
            else:
                form = DueDateForm(initial={"due_on": assignment.due_on}, prefix=prefix)
        rows.append((row, form))
    correction = services.open_correction(application)
    extension_form = None
    if correction and workload.can_extend_correction(user, application):
        extension_form = ExtensionForm(prefix=f"ext{correction.pk}")
    return {
        "application": application,
        "rows": rows,
        "can_manage": can_manage,
        "correction": correction,
        "extension_form": extension_form,
        "csrf_token": context.get("csrf_token"),
    }

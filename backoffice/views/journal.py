"""Read-only audit log screen (access-logged) with the chain check of ``verify_audit_log``."""

import datetime
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from backoffice.forms import AuditFilterForm
from backoffice.views.home import national_required
from core.audit import verify_all
from core.models import AuditLog
from reviews import conflicts

SHOWN_PROBLEMS = 50  # a wrong key fails every entry: the page lists the first ones


def _crumbs(current):
    return {
        "links": [{"url": reverse("backoffice:home"), "title": "Administration du programme"}],
        "current": current,
    }


def _day_start(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filtered_entries(data: dict, user=None):
    """Entries matching the cleaned filters, newest first; for ``user``, none about a file
    they have a declared conflict of interest on."""
    queryset = AuditLog.objects.order_by("-sequence")
    if user is not None:
        queryset = conflicts.without_conflicted_audit(queryset, user)
    if data.get("objet"):
        term = data["objet"]
        queryset = queryset.filter(
            Q(object_label__icontains=term) | Q(object_type__icontains=term) | Q(object_id=term)
        )
    if data.get("auteur"):
        queryset = queryset.filter(actor_label__icontains=data["auteur"])
    if data.get("action"):
        queryset = queryset.filter(action__icontains=data["action"])
    if data.get("du"):
        queryset = queryset.filter(created_at__gte=_day_start(data["du"]))
    if data.get("au"):
        queryset = queryset.filter(
            created_at__lt=_day_start(data["au"] + datetime.timedelta(days=1))
        )
    return queryset


def _render(request, *, check=None):
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = Paginator(
        filtered_entries(data, request.user).defer("before", "after", "previous_hash"), 50
    ).get_page(request.GET.get("page"))
    query = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items() if v}
    return render(
        request,
        "backoffice/audit_list.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": urlencode(query),
            "check": check,
            "breadcrumb": _crumbs("Journal d’audit"),
        },
    )


@national_required
@require_GET
def audit_list(request):
    """Who may see it: national cell and programme administrators (2FA); access-logged.
    The audit log filtered by object, actor, action and dates, 50 entries a page."""
    return _render(request)


@national_required
@require_POST
def audit_verify(request):
    """Who may see it: national cell and programme administrators (2FA). Runs the check of
    ``manage.py verify_audit_log`` (altered, rebuilt, missing or truncated entries; heads
    recorded outside the database) and shows it."""
    problems = verify_all()
    check = {
        "problems": problems[:SHOWN_PROBLEMS],
        "total": len(problems),
        "count": AuditLog.objects.count(),
    }
    return _render(request, check=check)

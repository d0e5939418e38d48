"""Staff review pages (list, file, scoring, assignment, conflicts, routing, corrections,
versions) and the file's messaging (both sides).

Every page loads the file through ``Application.objects.for_user``: a file of another région,
or one on which the person has a conflict of interest, is a 404 everywhere. Views are thin:
the rules are in ``reviews.services`` and ``applications.states``.
"""

import uuid as uuid_module

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_national, is_staff_member, login_required, user_passes
from applications import permissions, states
from applications.choices import ApplicationStatus as S
from applications.models import Application
from applications.uploads import UploadRefused
from core.params import int_param
from laureates.overlap import overlaps_of_application
from reviews import columns, file_page, forms, identity, instructor, services, versions
from reviews.models import (
    Assignment,
    Evaluation,
    EvaluationStatus,
    RegionalOpinion,
    ReviewSummary,
)
from reviews.scoring import ScoringError

PAGE_SIZE = 50
# Status changes offered on the file page (others happen through their own actions).
STAFF_TARGETS = (S.UNDER_REVIEW, S.REVIEWED, S.CLOSED)


def _is_uuid(value) -> bool:
    """A posted file identifier that is not a UUID is ignored (it used to answer 500)."""
    try:
        uuid_module.UUID(str(value))
    except ValueError:
        return False
    return True


def _staff_file(request, uuid):
    """A submitted file visible to this staff member, else 404."""
    queryset = (
        Application.objects.for_user(request.user)
        .exclude(status=S.DRAFT)
        .select_related("call", "round", "region", "owner", "lead_commune")
    )
    return get_object_or_404(queryset, uuid=uuid)


def _crumbs(application=None, current=""):
    links = [{"url": reverse("reviews:list"), "title": "Dossiers à instruire"}]
    if application is not None:
        links.append(
            {
                "url": reverse("reviews:file", args=[application.uuid]),
                "title": application.reference or application.display_name,
            }
        )
    return {"links": links, "current": current}


def scores_visible_q(user):
    """Files whose scores ``user`` may read in lists (the independence rule in SQL)."""
    if is_national(user):
        return Q(pk__isnull=False)
    own_submitted = Evaluation.objects.filter(
        reviewer=user, status=EvaluationStatus.SUBMITTED
    ).values("application_id")
    visible = Q(pk__in=own_submitted)
    if user.role == "regional_cell_lead":
        scoring = Evaluation.objects.filter(reviewer=user).values("application_id")
        assigned = Assignment.objects.filter(reviewer=user).values("application_id")
        visible |= ~Q(pk__in=scoring) & ~Q(pk__in=assigned)
    return visible


def filtered_files(user, data, *, count_assignments=True):
    """(form, queryset) of the reviewer list for these GET parameters: one query for the
    page (plus one count), whatever the filters and the page size. Exports leave out the
    number of reviewers (``count_assignments=False``: no GROUP BY over every file)."""
    if data:  # single values only; NUL characters dropped (PostgreSQL refuses them)
        data = {
            key: (data.get(key) or "").replace("\x00", "")
            for key in forms.FileFilterForm.base_fields
            if key in data
        }
    form = forms.FileFilterForm(data or None)
    queryset = (
        Application.objects.for_user(user)
        .exclude(status=S.DRAFT)
        .select_related("call", "round", "region", "review_summary__department", "regional_opinion")
        .defer(*services.LONG_TEXTS, "review_summary__search_text", "review_summary__search_vector")
        .annotate(scores_visible=ExpressionWrapper(scores_visible_q(user), BooleanField()))
        .annotate(
            visible_mean=Case(
                When(scores_visible_q(user), then=F("review_summary__mean")),
                default=None,
                output_field=DecimalField(max_digits=6, decimal_places=2),
            ),
            visible_std_dev=Case(
                When(scores_visible_q(user), then=F("review_summary__std_dev")),
                default=None,
                output_field=DecimalField(max_digits=6, decimal_places=2),
            ),
            # Signals a reader may see, for the « Signaux » sort: a criterion not met (4),
            # disagreement (2) once the scores are readable; a priority territory (1).
            visible_signals=Case(
                When(scores_visible_q(user) & Q(review_summary__eliminated=True), then=4),
                default=0,
            )
            + Case(
                When(scores_visible_q(user) & Q(review_summary__disagreement=True), then=2),
                default=0,
            )
            + Case(
                When(
                    Q(review_summary__is_rural=True)
                    | Q(review_summary__is_qpv=True)
                    | Q(review_summary__is_overseas=True),
                    then=1,
                ),
                default=0,
            ),
        )
    )
    if count_assignments:  # a correlated count: no GROUP BY over every visible file
        per_file = (
            Assignment.objects.filter(application=OuterRef("pk"))
            .order_by()
            .values("application")
            .annotate(total=Count("pk"))
            .values("total")
        )
        queryset = queryset.annotate(assignment_count=Coalesce(Subquery(per_file), 0))
    order = forms.SORTS["reference"][1]
    if form.is_valid():
        data = form.cleaned_data
        simple = {
            "call": "call",
            "round": "round",
            "phase": "phase",
            "region": "region",
            "department": "review_summary__department",
            "status": "status",
        }
        for field, lookup in simple.items():
            if data.get(field):
                queryset = queryset.filter(**{lookup: data[field]})
        if data.get("q"):
            queryset = identity.filter_search(queryset, data["q"])
        score_filtered = False
        if data.get("eligibility") == "eligible":
            queryset = queryset.filter(review_summary__eliminated=False)
            score_filtered = True
        elif data.get("eligibility") == "eliminated":
            queryset = queryset.filter(review_summary__eliminated=True)
            score_filtered = True
        if data.get("score_min") is not None:
            queryset = queryset.filter(review_summary__mean__gte=data["score_min"])
            score_filtered = True
        if data.get("score_max") is not None:
            queryset = queryset.filter(review_summary__mean__lte=data["score_max"])
            score_filtered = True
        if data.get("disagreement"):
            queryset = queryset.filter(review_summary__disagreement=True)
            score_filtered = True
        if score_filtered:  # never filter on scores a reviewer may not read yet
            queryset = queryset.filter(scores_visible_q(user))
        if data.get("opinion") == "none":
            queryset = queryset.filter(regional_opinion__isnull=True)
        elif data.get("opinion"):
            queryset = queryset.filter(regional_opinion__opinion=data["opinion"])
        if data.get("priority"):
            queryset = queryset.filter(
                Q(review_summary__is_rural=True)
                | Q(review_summary__is_qpv=True)
                | Q(review_summary__is_overseas=True)
            )
        if data.get("sort"):
            order = forms.SORTS[data["sort"]][1]
    return form, queryset.order_by(*order, "pk")


@user_passes(is_staff_member)
def file_list(request):
    """Who may see it: staff (national cell: every submitted file; régional cells: their
    région's files; never a file with a conflict of interest). Filters, sort, 50 per page."""
    form, queryset = filtered_files(request.user, request.GET)
    paginator = Paginator(queryset, PAGE_SIZE)
    page = paginator.get_page(int_param(request.GET.get("page", "")) or 1)
    rows = list(page.object_list)
    for row in rows:
        try:
            row.summary = row.review_summary
        except ReviewSummary.DoesNotExist:
            row.summary = None
    for row in rows:
        try:
            row.opinion = row.regional_opinion
        except RegionalOpinion.DoesNotExist:
            row.opinion = None
    duplicates = identity.pending_duplicates(
        [row.pk for row in rows], visible=Application.objects.for_user(request.user)
    )
    for row in rows:
        row.duplicates = duplicates.get(row.pk, [])
    query = request.GET.copy()
    query.pop("page", None)
    shown = columns.parse(request.GET.getlist("cols"))
    current_sort = form.cleaned_data.get("sort") if form.is_valid() else ""
    current_sort = current_sort or "reference"
    headers = []
    for column in shown:
        link = query.copy()
        ascending = current_sort == column.key
        link["sort"] = f"-{column.key}" if ascending else column.key
        headers.append(
            {
                "column": column,
                "url": f"?{link.urlencode()}",
                "aria_sort": (
                    "ascending"
                    if ascending
                    else "descending"
                    if current_sort == f"-{column.key}"
                    else ""
                ),
            }
        )
    can_bulk = is_national(request.user) or request.user.role == "regional_cell_lead"
    try:
        current = instructor.clean_query(query)
    except services.ReviewError:
        current = ""
    return render(
        request,
        "reviews/file_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_bulk": can_bulk,
            "bulk_actions": [("assign", "Attribuer (deux évaluateurs, les moins chargés d’abord)")]
            + [(key, label) for key, (label, _t) in instructor.BULK_STATUS_ACTIONS.items()],
            "headers": headers,
            "shown_keys": [column.key for column in shown],
            "all_columns": columns.COLUMNS,
            "filters_open": any(
                request.GET.get(key)
                for key in forms.FileFilterForm.base_fields
                if key not in ("q", "sort")
            ),
            "saved_views": list(instructor.saved_views(request.user)),
            "current_filters": current,
            "breadcrumb": {"links": [], "current": "Dossiers à instruire"},
        },
    )


@require_POST
@user_passes(is_staff_member)
def bulk_assign(request):
    """Who may use it: cell leads (their région) and the national cell. Completes each
    selected file to two reviewers, « fewest reviews first »."""
    uuids = [u for u in request.POST.getlist("files")[:PAGE_SIZE] if _is_uuid(u)]
    files = list(
        Application.objects.for_user(request.user)
        .exclude(status=S.DRAFT)
        .filter(uuid__in=uuids)
        .order_by("reference")
    )
    if not files:
        messages.error(request, "Cochez au moins un dossier.")
        return redirect("reviews:list")
    result = services.bulk_assign(files, actor=request.user)
    for reference, reviewers in result["assigned"].items():
        names = ", ".join(r.full_name or r.email for r in reviewers)
        messages.success(request, f"{reference} : attribué à {names}.")
    for reference, reason in result["skipped"].items():
        messages.warning(request, f"{reference} : {reason}.")
    return redirect("reviews:list")


@user_passes(is_staff_member)
def file_detail(request, uuid):
    """Who may see it: staff who may see the file (national cell, the file's régional cell;
    not with a conflict of interest). Scores of others appear once one's own is submitted; the
    directory's PTCE overlapping the declared territory are listed (public directory data)."""
    application = _staff_file(request, uuid)
    user = request.user
    normalise = request.GET.get("normalisation") == "1"
    evaluation_views, figures, hidden = services.visible_evaluations(
        user, application, normalise=normalise
    )
    submissions = list(application.submissions.order_by("version"))
    latest = submissions[-1] if submissions else None
    own = application.evaluations.filter(reviewer=user).first()
    can_assign = services.can_assign(user, application)
    context = {
        "application": application,
        "sections": file_page.SECTIONS,
        "eligibility": file_page.eligibility(application),
        "opinion": file_page.regional_opinion(user, application),
        "decisions": file_page.decisions(user, application),
        "member_supports": file_page.member_supports(application),
        "snapshot": (
            versions.snapshot_sections(latest.data, file_page.territory_names(latest.data))
            if latest
            else []
        ),
        "latest": latest,
        "submissions": submissions,
        "attachments": application.attachments.all(),
        "evaluations": evaluation_views,
        "figures": figures,
        "hidden_count": hidden,
        "normalise": normalise,
        "own": own,
        "can_score": services.can_score(user, application),
        "assignments": application.assignments.select_related("reviewer", "assigned_by"),
        "can_assign": can_assign,
        "suggested": services.suggest_reviewers(application) if can_assign else [],
        "conflicts": (
            application.conflicts.select_related("reviewer")
            if (can_assign or is_national(user))
            else []
        ),
        "corrections": application.correction_requests.select_related("requested_by"),
        "can_request_correction": services.can_request_correction(user, application)
        and application.status in services.REVIEWABLE,
        "routing": application.routing_changes.select_related("from_region", "to_region", "by"),
        "history": application.status_changes.select_related("actor"),
        "targets": [
            (target, S(target).label)
            for target in states.allowed_targets(application, user)
            if target in STAFF_TARGETS
        ],
        "can_reroute": is_national(user),
        "reroute_form": forms.RerouteForm() if is_national(user) else None,
        "conflict_form": forms.ConflictForm(),
        "status_form": forms.StatusForm(),
        "message_count": application.messages.count(),
        "duplicates": identity.pending_duplicates(
            [application.pk], visible=Application.objects.for_user(user)
        ).get(application.pk, []),
        "priority": services.territory_priority(application),
        # Existing PTCE on the declared territory (one query; SPEC §4, issue 17).
        "territory_overlaps": overlaps_of_application(application),
        "breadcrumb": _crumbs(current=application.reference or application.display_name),
    }
    return render(request, "reviews/file_detail.html", context)


@require_http_methods(["GET", "POST"])
@user_passes(is_staff_member)
def score(request, uuid):
    """Who may see it: the reviewers assigned to the file and the cell lead of its région,
    while it is reviewable. One field per criterion; save as draft or submit."""
    application = _staff_file(request, uuid)
    if not services.can_score(request.user, application):
        raise PermissionDenied
    grid = services.grid_of(application)
    if grid is None:
        messages.error(request, "L’appel n’a pas de grille d’évaluation.")
        return redirect("reviews:file", uuid=application.uuid)
    criteria = services.criteria_of(grid)
    evaluation = services.evaluation_for(application, request.user)
    initial = {"general_comment": evaluation.general_comment}
    # A note saved before the radios (typed, e.g. 3,5) matches no radio: it is shown beside
    # the criterion, and a whole note must be chosen again.
    earlier = {}
    for row in evaluation.scores.select_related("criterion"):
        if row.value is not None:
            initial[f"score_{row.criterion.code}"] = services.scoring.format_number(row.value)
            if row.value != row.value.to_integral_value():
                earlier[row.criterion.code] = services.scoring.format_number(row.value)
        initial[f"comment_{row.criterion.code}"] = row.comment
    form = forms.ScoringForm(request.POST or None, initial=initial, criteria=criteria, grid=grid)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            result = services.save_evaluation(
                evaluation,
                form.values(),
                submit=submit,
                general_comment=form.cleaned_data["general_comment"],
            )
        except ScoringError as error:
            form.attach_errors(error.errors)
        except services.ReviewError as error:
            form.add_error(None, str(error))
        else:
            if submit:
                total = services.scoring.format_number(result.weighted_total, 2)
                messages.success(request, f"Évaluation transmise : note pondérée {total}.")
                return redirect("reviews:file", uuid=application.uuid)
            messages.success(request, "Brouillon d’évaluation enregistré.")
            return redirect("reviews:score", uuid=application.uuid)
    return render(
        request,
        "reviews/score.html",
        {
            "application": application,
            "form": form,
            "grid": grid,
            "criteria_fields": [
                (
                    c,
                    form[f"score_{c.code}"],
                    form[f"comment_{c.code}"],
                    int(c.weight * 100),
                    earlier.get(c.code, ""),
                )
                for c in criteria
            ],
            **_running_total(grid, form, criteria),
            "evaluation": evaluation,
            "breadcrumb": _crumbs(application, "Évaluation"),
        },
    )


def _running_total(grid, form, criteria) -> dict:
    """The weighted total of the notes shown in the page, as ``static/js/scoring.js``
    recomputes it while notes are chosen; « provisoire » until every criterion is scored."""
    scores = form.current_scores()
    total = services.scoring.running_total(services.scoring.grid_spec(grid), scores)
    return {
        "running_total": "—" if total is None else services.scoring.format_number(total, 2),
        "running_total_final": total is not None and len(scores) == len(criteria),
    }


@require_http_methods(["GET", "POST"])
@user_passes(is_staff_member)
def assign(request, uuid):
    """Who may use it: the cell lead of the file's région and the national cell."""
    application = _staff_file(request, uuid)
    if not services.can_assign(request.user, application):
        raise PermissionDenied
    reviewers = services.eligible_reviewers(application)
    suggested = [u.pk for u in services.suggest_reviewers(application)]
    form = forms.AssignForm(
        request.POST or None, reviewers=reviewers, initial={"reviewers": suggested}
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.assign(
                application, list(form.cleaned_data["reviewers"]), actor=request.user
            )
        except services.ReviewError as error:
            form.add_error("reviewers", str(error))
        else:
            messages.success(request, f"{len(created)} évaluateur(s) attribué(s).")
            return redirect("reviews:file", uuid=application.uuid)
    return render(
        request,
        "reviews/assign.html",
        {
            "application": application,
            "form": form,
            "assignments": application.assignments.select_related("reviewer"),
            "breadcrumb": _crumbs(application, "Attribution"),
        },
    )


@require_POST
@user_passes(is_staff_member)
def unassign(request, uuid, pk):
    """Who may use it: the cell lead of the file's région and the national cell (POST)."""
    application = _staff_file(request, uuid)
    assignment = get_object_or_404(application.assignments.select_related("reviewer"), pk=pk)
    try:
        services.unassign(assignment, actor=request.user)
    except services.ReviewError as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, "Attribution retirée.")
    return redirect("reviews:file", uuid=application.uuid)


@require_POST
@user_passes(is_staff_member)
def declare_conflict(request, uuid):
    """Who may use it: any staff member who can see the file (POST). Afterwards the file is
    hidden from them."""
    application = _staff_file(request, uuid)
    form = forms.ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez la nature du conflit d’intérêts.")
        return redirect("reviews:file", uuid=application.uuid)
    services.declare_conflict(application, request.user, form.cleaned_data["reason"])
    messages.success(
        request,
        f"Conflit d’intérêts enregistré : le dossier {application.reference} ne vous est plus "
        "accessible.",
    )
    return redirect("reviews:list")


@require_POST
@user_passes(is_national)
def reroute(request, uuid):
    """Who may use it: the national cell (POST); logged with its reason."""
    application = _staff_file(request, uuid)
    form = forms.RerouteForm(request.POST)
    if form.is_valid():
        try:
            services.reroute(
                application,
                form.cleaned_data["region"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.ReviewError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Dossier réorienté vers {form.cleaned_data['region']}.")
    else:
        messages.error(request, "Choisissez une région et indiquez le motif.")
    return redirect("reviews:file", uuid=application.uuid)


@require_POST
@user_passes(is_staff_member)
def change_status(request, uuid):
    """Who may use it: staff allowed by the transition table (POST): start the review, mark
    it reviewed (cell lead, national cell), close it « sans suite » (national cell)."""
    application = _staff_file(request, uuid)
    form = forms.StatusForm(request.POST)
    if not form.is_valid() or form.cleaned_data["target"] not in STAFF_TARGETS:
        messages.error(request, "Changement d’état inconnu.")
        return redirect("reviews:file", uuid=application.uuid)
    target = form.cleaned_data["target"]
    reason = form.cleaned_data["reason"]
    if target == S.CLOSED and not reason.strip():
        messages.error(request, "Indiquez le motif du classement sans suite.")
        return redirect("reviews:file", uuid=application.uuid)
    try:
        states.change_status(application, target, actor=request.user, reason=reason)
    except states.TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Le dossier est désormais « {S(target).label} ».")
    return redirect("reviews:file", uuid=application.uuid)


@require_http_methods(["GET", "POST"])
@user_passes(is_staff_member)
def request_correction(request, uuid):
    """Who may use it: the reviewers and cell lead of the file's région, and the national
    cell, while the file is submitted or under review."""
    application = _staff_file(request, uuid)
    if not services.can_request_correction(request.user, application):
        raise PermissionDenied
    form = forms.CorrectionForm(request.POST or None)
    refused = None
    if application.status not in services.REVIEWABLE:
        refused = (
            f"Un dossier « {application.get_status_display()} » ne peut pas faire l’objet "
            "d’une demande de compléments."
        )
    if request.method == "POST" and form.is_valid() and refused is None:
        try:
            services.request_correction(
                application,
                actor=request.user,
                sections=form.cleaned_data["sections"],
                message=form.cleaned_data["message"],
                deadline=form.cleaned_data["deadline"],
            )
        except services.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Demande de compléments envoyée au candidat.")
            return redirect("reviews:file", uuid=application.uuid)
    return render(
        request,
        "reviews/correction.html",
        {
            "application": application,
            "form": form,
            "refused": refused,
            "breadcrumb": _crumbs(application, "Demande de compléments"),
        },
        status=409 if (refused and request.method == "POST") else 200,
    )


@user_passes(is_staff_member)
def version_diff(request, uuid):
    """Who may see it: staff who may see the file. Differences between two submitted
    versions (by default the last two), field by field with French labels."""
    application = _staff_file(request, uuid)
    submissions = {s.version: s for s in application.submissions.all()}
    if not submissions:
        raise Http404("Aucune version déposée.")
    numbers = sorted(submissions)

    def _version(name, default):
        raw = request.GET.get(name)
        value = default if raw is None else int_param(raw)
        if value not in submissions:
            raise Http404("Version inconnue.")
        return value

    new = _version("a", numbers[-1])
    old = _version("de", numbers[-2] if len(numbers) > 1 else numbers[-1])
    changes = versions.diff_snapshots(submissions[old].data, submissions[new].data)
    return render(
        request,
        "reviews/versions.html",
        {
            "application": application,
            "numbers": numbers,
            "old": old,
            "new": new,
            "changes": changes,
            "breadcrumb": _crumbs(application, f"Versions {old} et {new}"),
        },
    )


# ------------------------------------------------------------------ messages (both sides)


def _message_file(request, uuid):
    """The file for its messaging: editors (candidate side) and staff who may see it; a
    draft has no messaging."""
    queryset = Application.objects.for_user(request.user).select_related("call", "owner")
    application = get_object_or_404(queryset, uuid=uuid)
    if application.status == S.DRAFT or not permissions.can_view_application(
        request.user, application
    ):
        raise Http404("Dossier introuvable.")
    return application


@require_http_methods(["GET", "POST"])
@login_required
def message_list(request, uuid):
    """Who may see it: the owner and co-editors of a submitted file, and the staff who may
    see it. Messages with an optional attachment, in both directions."""
    application = _message_file(request, uuid)
    form = forms.MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_message(
                application,
                author=request.user,
                body=form.cleaned_data["body"],
                upload=form.cleaned_data.get("attachment"),
            )
        except UploadRefused as error:
            form.add_error("attachment", str(error))
        except services.ReviewError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, "Message envoyé.")
            return redirect("reviews:messages", uuid=application.uuid)
    staff = request.user.is_staff_role
    if staff:
        crumbs = _crumbs(application, "Messagerie")
    else:
        crumbs = {
            "links": [
                {"url": reverse("applications:dashboard"), "title": "Mes dossiers"},
                {
                    "url": reverse("applications:summary", args=[application.uuid]),
                    "title": application.display_name,
                },
            ],
            "current": "Messagerie",
        }
    return render(
        request,
        "reviews/messages.html",
        {
            "application": application,
            "form": form,
            "thread": application.messages.select_related("author"),
            "staff": staff,
            "breadcrumb": crumbs,
        },
    )


@login_required
def message_attachment(request, uuid, pk):
    """Who may see it: whoever may read the file's messaging; always downloaded."""
    application = _message_file(request, uuid)
    message = get_object_or_404(application.messages, pk=pk)
    if not message.attachment:
        raise Http404("Pas de pièce jointe.")
    try:
        handle = message.attachment.open("rb")
    except FileNotFoundError as error:
        raise Http404("Fichier introuvable.") from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=message.attachment_name,
        content_type=message.attachment_content_type or "application/octet-stream",
    )

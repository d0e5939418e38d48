"""Committee sessions (SPEC §5.5): list, decisions, minutes, publication; and the candidate's
decision letter once published."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_national, login_required, user_passes
from applications import permissions
from applications.models import Application
from core import audit
from core.params import id_param
from reviews import committee, conflicts, forms
from reviews.models import CommitteeSession, Decision
from reviews.services import ReviewError


def _crumbs(current=None):
    if current is None:
        return {"links": [], "current": "Comité de sélection"}
    return {
        "links": [{"url": reverse("reviews:sessions"), "title": "Comité de sélection"}],
        "current": current,
    }


@require_http_methods(["GET", "POST"])
@user_passes(committee.can_decide)
def session_list(request):
    """Who may see it: committee members and the national cell; the national cell creates
    sessions."""
    form = forms.SessionForm(request.POST or None) if is_national(request.user) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            members = data.pop("members")
            session = CommitteeSession.objects.create(**data)
            session.members_present.set(members)
            audit.record(
                "review.session_created",
                actor=request.user,
                obj=session,
                after={"members": sorted(u.email for u in members)},
            )
            messages.success(request, "Séance créée.")
            return redirect("reviews:session", pk=session.pk)
    return render(
        request,
        "reviews/session_list.html",
        {
            "sessions": CommitteeSession.objects.select_related("call"),
            "form": form,
            "breadcrumb": _crumbs(),
        },
    )


@require_http_methods(["GET", "POST"])
@user_passes(committee.can_decide)
def session_detail(request, pk):
    """Who may see it: committee members and the national cell. Members record a decision per
    proposed file while the session is open (POST ``application``); decisions stay pending
    until the national cell publishes the session."""
    session = get_object_or_404(CommitteeSession.objects.select_related("call"), pk=pk)
    error_for, error_form = None, None
    if request.method == "POST":
        posted = request.POST.get("application", "")
        application = get_object_or_404(session.call.applications.all(), pk=id_param(posted))
        if conflicts.has_conflict(request.user, application):
            raise PermissionDenied("Conflit d’intérêts déclaré sur ce dossier.")
        form = forms.DecisionForm(request.POST, prefix=f"d{application.pk}")
        if form.is_valid():
            try:
                committee.record_decision(
                    session,
                    application,
                    actor=request.user,
                    decision=form.cleaned_data["decision"],
                    reasons=form.cleaned_data["reasons"],
                    amount=form.cleaned_data["amount"],
                )
            except ReviewError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Décision enregistrée pour {application.reference}.")
                return redirect("reviews:session", pk=session.pk)
        error_for, error_form = application.pk, form
    decisions = {d.application_id: d for d in session.decisions.all()}
    rows, masked = [], []
    proposed = committee.proposals(session)
    conflicted = conflicts.conflicted_ids(request.user, [a.pk for a in proposed])
    for application in proposed:
        if application.pk in conflicted:  # the row stays, masked, without a form
            masked.append((None, None, None))
            continue
        existing = decisions.get(application.pk)
        if application.pk == error_for:
            form = error_form
        else:
            initial = {}
            if existing:
                initial = {
                    "decision": existing.decision,
                    "amount": existing.amount,
                    "reasons": existing.reasons,
                }
            elif application.planned is not None:
                initial = {"decision": "accepted", "amount": application.planned}
            form = forms.DecisionForm(initial=initial, prefix=f"d{application.pk}")
        rows.append((application, existing, form))
    shown = {a.pk for a in proposed}
    decided = [
        d
        for d in conflicts.without_conflicts(
            session.decisions.select_related("application"), request.user
        )
        if d.application_id not in shown
    ]
    rows += masked
    open_ = session.status == "open" and not session.is_published
    members_form = None
    if open_ and is_national(request.user):
        members_form = forms.SessionMembersForm(
            initial={"members": list(session.members_present.values_list("pk", flat=True))}
        )
    return render(
        request,
        "reviews/session_detail.html",
        {
            "session": session,
            "rows": rows,
            "masked_notice": conflicts.CONFLICT_NOTICE,
            "decided": decided,
            "open": open_,
            "can_publish": is_national(request.user) and not session.is_published,
            "members": session.members_present.order_by("last_name", "first_name"),
            "members_form": members_form,
            "breadcrumb": _crumbs(str(session)),
        },
        status=400 if error_form is not None else 200,
    )


@require_POST
@user_passes(is_national)
def session_members(request, pk):
    """Who may use it: the national cell, while the session is open. Chooses the committee
    members sitting at the session."""
    session = get_object_or_404(CommitteeSession, pk=pk)
    form = forms.SessionMembersForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choix des membres invalide.")
        return redirect("reviews:session", pk=session.pk)
    try:
        committee.set_members(session, list(form.cleaned_data["members"]), actor=request.user)
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Membres de la séance enregistrés.")
    return redirect("reviews:session", pk=session.pk)


@require_POST
@user_passes(is_national)
def publish(request, pk):
    """Who may use it: the national cell. Publishes the session's decisions."""
    session = get_object_or_404(CommitteeSession, pk=pk)
    skipped = committee.not_publishable(session)
    try:
        count = committee.publish_session(session, actor=request.user)
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Séance publiée : {count} candidat(s) prévenu(s).")
        if skipped:
            messages.warning(
                request,
                "Décisions non appliquées (dossier qui n’est plus « Instruit ») : "
                + ", ".join(skipped)
                + ".",
            )
    return redirect("reviews:session", pk=session.pk)


@user_passes(committee.can_decide)
def minutes(request, pk):
    """Who may see it: committee members and the national cell. Minutes as PDF."""
    session = get_object_or_404(CommitteeSession.objects.select_related("call"), pk=pk)
    response = HttpResponse(committee.minutes_pdf(session), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="proces-verbal-{session.pk}.pdf"'
    return response


@login_required
def decision_letter(request, uuid):
    """Who may see it: the owner and co-editors of the file (and staff who may see it), once
    the session that decided it is published."""
    application = get_object_or_404(Application.objects.for_user(request.user), uuid=uuid)
    if not permissions.can_view_application(request.user, application):
        raise Http404("Dossier introuvable.")
    decision = (
        Decision.objects.filter(application=application, session__published_at__isnull=False)
        .select_related("session", "application__call")
        .order_by("-session__published_at")
        .first()
    )
    if decision is None:
        raise Http404("Aucune décision publiée.")
    response = HttpResponse(committee.decision_letter(decision), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="decision-{application.reference}.pdf"'
    return response

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
from calls.choices import Phase
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
    """Who may see it: committee members and the national cell. One decision table: a row per
    proposed file with the evidence (amount asked, mean score, régional opinion, simulation)
    and its decision controls, saved together (« Enregistrer les décisions ») or one row at a
    time (POST ``application``); « Appliquer les propositions de la simulation » fills the
    undecided rows. Decisions stay pending until the national cell publishes the session; a
    row decided meanwhile by another member is never overwritten."""
    session = get_object_or_404(
        CommitteeSession.objects.select_related("call", "simulation"), pk=pk
    )
    proposed = committee.proposals(session)
    conflicted = conflicts.conflicted_ids(request.user, [a.pk for a in proposed])
    decisions = {d.application_id: d for d in session.decisions.all()}
    bound: dict[int, forms.DecisionForm] = {}
    if request.method == "POST":
        if request.POST.get("action") == "apply_simulation":
            recorded, refused = committee.apply_simulation(session, actor=request.user)
            for message in refused:
                messages.error(request, message)
            messages.success(
                request, f"Propositions de la simulation appliquées : {recorded} décision(s)."
            )
            return redirect("reviews:session", pk=session.pk)
        posted = request.POST.get("application")
        if posted is not None:
            application = get_object_or_404(session.call.applications.all(), pk=id_param(posted))
            if conflicts.has_conflict(request.user, application):
                raise PermissionDenied("Conflit d’intérêts déclaré sur ce dossier.")
            targets = [a for a in proposed if a.pk == application.pk] or [application]
        else:
            targets = [a for a in proposed if a.pk not in conflicted]
        saved = _save_rows(request, session, targets, decisions, bound)
        if not any(form.errors for form in bound.values()):
            if saved:
                messages.success(request, _saved_message(saved))
            else:
                messages.info(request, "Aucune décision nouvelle à enregistrer.")
            return redirect("reviews:session", pk=session.pk)
        decisions = {d.application_id: d for d in session.decisions.all()}
    rows = []
    for application in proposed:
        if application.pk in conflicted:
            rows.append({"masked": True})
            continue
        existing = decisions.get(application.pk)
        form = bound.get(application.pk) or forms.DecisionForm(
            initial=_initial(existing), prefix=f"d{application.pk}"
        )
        rows.append(
            {
                "application": application,
                "existing": existing,
                "form": form,
                "is_funding": application.phase == Phase.FUNDING,
                "summary": getattr(application, "review_summary", None),
                "opinion": getattr(application, "regional_opinion", None),
            }
        )
    shown = {a.pk for a in proposed}
    decided = [
        d
        for d in conflicts.without_conflicts(
            session.decisions.select_related("application"), request.user
        )
        if d.application_id not in shown
    ]
    open_ = session.status == "open" and not session.is_published
    members_form = None
    if open_ and is_national(request.user):
        members_form = forms.SessionMembersForm(
            initial={"members": list(session.members_present.values_list("pk", flat=True))}
        )
    visible = [row for row in rows if not row.get("masked")]
    return render(
        request,
        "reviews/session_detail.html",
        {
            "session": session,
            "rows": rows,
            "masked_notice": conflicts.CONFLICT_NOTICE,
            "left_to_decide": sum(1 for row in visible if row["existing"] is None),
            "can_apply": open_
            and any(
                row["existing"] is None and row["application"].planned is not None
                for row in visible
            ),
            "has_errors": bool(bound) and any(form.errors for form in bound.values()),
            "decided": decided,
            "open": open_,
            "can_publish": is_national(request.user) and not session.is_published,
            "members": session.members_present.order_by("last_name", "first_name"),
            "members_form": members_form,
            "breadcrumb": _crumbs(str(session)),
        },
        status=400 if bound and any(form.errors for form in bound.values()) else 200,
    )


def _initial(existing) -> dict:
    if existing is None:
        return {"version": ""}
    return {
        "decision": existing.decision,
        "amount": existing.amount,
        "reasons": existing.reasons,
        "version": committee.decision_version(existing),
    }


def _save_rows(request, session, targets, decisions, bound) -> list[str]:
    """Validate and record every posted row that carries a decision different from the saved
    one; bound forms with errors are kept in ``bound`` for the page."""
    saved = []
    for application in targets:
        form = forms.DecisionForm(request.POST, prefix=f"d{application.pk}")
        if not form.is_valid():
            bound[application.pk] = form
            continue
        data = form.cleaned_data
        if not data["decision"]:
            continue
        existing = decisions.get(application.pk)
        if existing and (existing.decision, existing.amount, existing.reasons) == (
            data["decision"],
            data["amount"] if data["decision"] == "accepted" else None,
            data["reasons"].strip(),
        ):
            continue
        version = request.POST.get(f"d{application.pk}-version")
        try:
            committee.record_decision(
                session,
                application,
                actor=request.user,
                decision=data["decision"],
                reasons=data["reasons"],
                amount=data["amount"],
                expected_version=version,
            )
        except ReviewError as error:
            form.add_error(None, str(error))
            # The row's message is read with its decision (the table renders fields one by one).
            form.fields["decision"].widget.attrs["aria-describedby"] = form.non_field_errors_id
            bound[application.pk] = form
        else:
            saved.append(application.reference)
    return saved


def _saved_message(saved: list[str]) -> str:
    if len(saved) == 1:
        return f"Décision enregistrée pour {saved[0]}."
    return f"{len(saved)} décisions enregistrées : {', '.join(saved)}."


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
    """Who may see it: committee members and the national cell. Minutes as PDF (complete; the
    rows of files the reader has a conflict of interest on are masked)."""
    session = get_object_or_404(CommitteeSession.objects.select_related("call"), pk=pk)
    response = HttpResponse(
        committee.minutes_pdf(session, reader=request.user), content_type="application/pdf"
    )
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

"""Candidate pages: the seven steps, submission, dashboard and file actions.

Every view loads the file through ``Application.objects.for_user`` (someone else's file is a
404) and checks the object permission it needs (403 otherwise). Views stay thin: the rules
are in ``services``, ``states`` and ``permissions``.
"""

import logging
from copy import copy
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_authenticated, is_candidate, login_required, user_passes
from applications import forms, permissions, services, states
from applications.choices import (
    EDITABLE_STATUSES,
    ApplicationStatus,
    BudgetKind,
    MemberCategory,
)
from applications.description import describe
from applications.models import Application, Attachment, Member, StatusChange, Submission
from applications.uploads import UploadRefused, check_upload
from calls.choices import AttachmentKind
from calls.models import Call
from core import audit
from reviews.models import CorrectionRequest

logger = logging.getLogger(__name__)

STASH_KEY = "applications_stash"

RULE_STEPS = {
    "lead_private_legal_person": "structure",
    "three_legal_persons": "membres",
    "ess_enterprise": "membres",
    "non_ess_enterprise": "membres",
    "other_article_9_actor": "membres",
    "territory": "territoire",
    "innovation": "projet",
    "previous_state_support": "projet",
    "call_phases": "recapitulatif",
    "emergence_prerequisite": "recapitulatif",
    "amount_bounds": "budget",
    "balanced_budget": "budget",
    "required_attachments": "pieces",
}


# ------------------------------------------------------------------ helpers


def _load(request, uuid):
    queryset = Application.objects.for_user(request.user).select_related(
        "call", "owner", "round", "region", "lead_commune"
    )
    return get_object_or_404(queryset, uuid=uuid)


def stash_when_logged_out(view):
    """A POST from someone whose session expired is kept server-side (in the new session),
    then restored in the step form after they sign in again: nothing typed is lost."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_authenticated(request.user):
            if request.method == "POST":
                data = {
                    key: request.POST.getlist(key)
                    for key in request.POST
                    if key not in ("csrfmiddlewaretoken", "action")
                }
                request.session[STASH_KEY] = {
                    "path": request.path,
                    "data": data,
                    "at": timezone.now().isoformat(),
                }
                messages.warning(
                    request,
                    "Votre session a expiré. Reconnectez-vous : ce que vous venez de saisir "
                    "a été conservé et vous sera présenté à nouveau.",
                )
            return redirect_to_login(request.path, reverse("accounts:login"))
        return view(request, *args, **kwargs)

    return wrapper


def login_then(url_name):
    """For POST-only actions: an anonymous visitor is sent to log in, then back to the page
    ``url_name`` of the file (a GET page), not to the action itself."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, uuid, *args, **kwargs):
            if not is_authenticated(request.user):
                return redirect_to_login(reverse(url_name, args=[uuid]), reverse("accounts:login"))
            return view(request, uuid, *args, **kwargs)

        return wrapper

    return decorator


def _restored_data(request):
    """The stashed POST for this page, if any (consumed once)."""
    stash = request.session.get(STASH_KEY)
    if not stash or stash.get("path") != request.path:
        return None
    del request.session[STASH_KEY]
    messages.info(
        request,
        "Vos saisies non enregistrées ont été restaurées. Vérifiez-les puis cliquez sur "
        "« Enregistrer ».",
    )
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, values in stash["data"].items():
        data.setlist(key, values)
    return data


def _step_data(request, application, key):
    """What the step form is bound to: the POST, else input kept across a session expiry,
    else input kept from an earlier save with invalid fields, else nothing (stored values)."""
    if request.method == "POST":
        return request.POST
    restored = _restored_data(request)
    if restored is not None:
        return restored
    return services.pending_data(application, key)


def _discard_pending(request, application, key, url_name, *args):
    """« Revenir aux valeurs enregistrées »: forget the input kept with errors."""
    services.clear_pending(application, key)
    messages.info(request, "Saisies non valides abandonnées : la page montre le brouillon.")
    return redirect(url_name, application.uuid, *args)


def _save_valid_fields(form, extra=()):
    """Save the fields of a model form that passed validation, leaving the stored value of
    each field in error untouched (nothing typed correctly is lost)."""
    model_fields = {f.name for f in form.instance._meta.concrete_fields}
    names = [
        name
        for name in form.fields
        if name in form.cleaned_data and name not in form.errors and name in model_fields
    ]
    names += [name for name in extra if name in model_fields]
    if names:
        if "updated_at" in model_fields:
            names.append("updated_at")
        form.instance.save(update_fields=names)
    return names


def _keep_invalid(request, application, key):
    services.keep_pending(application, key, request.POST)
    audit.record(
        "application.section_saved",
        actor=request.user,
        obj=application,
        after={"step": key, "with_errors": True},
    )


def _editable(request, uuid, section):
    """The file for an editing view: 404 if not visible, 403 if not an editor; a file no
    longer editable, or a section the reviewers did not reopen during a correction request,
    sends back to the summary with an explanation (returned as response)."""
    application = _load(request, uuid)
    if not permissions.is_editor(request.user, application):
        raise PermissionDenied
    if application.status not in EDITABLE_STATUSES:
        messages.error(
            request,
            f"Ce dossier est « {application.get_status_display()} » : il ne peut plus être "
            "modifié. Rien n’a été enregistré.",
        )
        return application, redirect("applications:summary", uuid=application.uuid)
    if not permissions.can_edit_section(request.user, application, section):
        messages.error(
            request,
            f"La section « {services.STEP_BY_SLUG[section].title} » n’est pas concernée par la "
            "demande de compléments : elle ne peut pas être modifiée. Rien n’a été enregistré.",
        )
        return application, redirect("applications:summary", uuid=application.uuid)
    return application, None


def file_state(application):
    """Problems per step, eligibility and badges, computed with few queries."""
    members = list(application.members.all())
    budget = services.budget_summary(application)
    territory = services.territory_codes(application)
    problems = services.step_problems(
        application, members=members, budget=budget, territory=territory
    )
    from calls.eligibility import evaluate

    result = evaluate(
        describe(application, members=members, budget=budget, territory=territory),
        services.call_rules_for(application.call),
    )
    failed = {step.slug: [] for step in services.STEPS}
    for verdict in result.verdicts:
        if verdict.passed is False:
            failed[RULE_STEPS.get(verdict.code, "recapitulatif")].append(verdict)
    steps = []
    to_correct = services.pending_steps(application)
    for step in services.STEPS:
        count = len(problems[step.slug]) + len(failed[step.slug])
        if step.slug in to_correct:
            badge = "à corriger"
        elif step.slug == "budget" and not application.asks_funding:
            badge = "sans objet"
        elif step.slug == "recapitulatif":
            badge = ""
        else:
            badge = "complet" if count == 0 else "à compléter"
        steps.append({"step": step, "count": count, "badge": badge})
    complete = all(not items for items in problems.values())
    return {
        "problems": problems,
        "eligibility": result,
        "failed": failed,
        "steps": steps,
        "complete": complete,
        "members": members,
        "budget": budget,
        "territory": territory,
    }


def _crumbs(application, current):
    return {
        "links": [
            {"url": reverse("applications:dashboard"), "title": "Mes dossiers"},
            {
                "url": reverse("applications:summary", args=[application.uuid]),
                "title": application.display_name,
            },
        ],
        "current": current,
    }


def _step_page(request, application, slug, template, context):
    state = file_state(application)
    step = services.STEP_BY_SLUG[slug]
    context = {
        "application": application,
        "current_step": step,
        "next_step": services.next_step(slug),
        "state": state,
        "step_problems": state["problems"][slug],
        "step_failed": state["failed"][slug],
        "breadcrumb": _crumbs(application, step.title),
        "can_edit": permissions.can_edit_section(request.user, application, slug),
        "pending_key": slug,
        **context,
    }
    context["has_pending"] = context["pending_key"] in application.pending_input
    return render(request, template, context)


def _after_save(request, application, slug):
    messages.success(request, "Brouillon enregistré.")
    if request.POST.get("action") == "continue":
        step = services.next_step(slug)
        return redirect(step.url_name, uuid=application.uuid)
    step = services.STEP_BY_SLUG[slug]
    return redirect(step.url_name, uuid=application.uuid)


def _audit_saved(request, application, section):
    audit.record(
        "application.section_saved", actor=request.user, obj=application, after={"step": section}
    )


# ------------------------------------------------------------------ start


@user_passes(is_candidate)
@require_http_methods(["GET", "POST"])
def start(request, slug):
    """Who may see it: candidates. Creates a draft for an open call."""
    call = get_object_or_404(Call.objects.published(), slug=slug)
    crumb = {
        "links": [{"url": reverse("applications:dashboard"), "title": "Mes dossiers"}],
        "current": "Déposer un dossier",
    }
    if not call.is_open():
        return render(
            request,
            "applications/start_closed.html",
            {"call": call, "breadcrumb": crumb},
            status=409,
        )
    form = forms.StartForm(request.POST or None, call=call)
    if request.method == "POST" and form.is_valid():
        application = services.create_draft(
            call, owner=request.user, requested_phases=form.cleaned_data["requested_phases"]
        )
        messages.success(request, "Votre brouillon est créé. Il est enregistré à chaque étape.")
        return redirect("applications:lead", uuid=application.uuid)
    return render(
        request, "applications/start.html", {"call": call, "form": form, "breadcrumb": crumb}
    )


# ------------------------------------------------------------------ steps


@stash_when_logged_out
@require_http_methods(["GET", "POST"])
def lead(request, uuid):
    """Who may see it: the owner and co-editors of the file (step 1)."""
    application, refused = _editable(request, uuid, "structure")
    if refused:
        return refused
    return _model_step(request, application, "structure", forms.LeadForm, "step_lead.html")


def _model_step(request, application, slug, form_class, template):
    """Steps 1 and 4: a valid form is saved; an invalid one saves its valid fields and keeps
    the invalid input as typed (shown again with its errors, even after a reload)."""
    if request.method == "POST" and request.POST.get("action") == "discard":
        return _discard_pending(request, application, slug, services.STEP_BY_SLUG[slug].url_name)
    data = _step_data(request, application, slug)
    # Input shown again on a GET must not leak into the file state computed for the page.
    instance = application if request.method == "POST" else copy(application)
    form = form_class(data, instance=instance)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            services.clear_pending(application, slug)
            _audit_saved(request, application, slug)
            return _after_save(request, application, slug)
        extra = []
        if slug == "structure" and not {"lead_postal_code", "lead_city"} & set(form.errors):
            extra = ["lead_commune", "lead_city"]
        _save_valid_fields(form, extra)
        _keep_invalid(request, application, slug)
    return _step_page(request, application, slug, f"applications/{template}", {"form": form})


@stash_when_logged_out
@require_http_methods(["GET", "POST"])
def members(request, uuid):
    """Who may see it: the owner and co-editors of the file (step 2: list and add)."""
    application, refused = _editable(request, uuid, "membres")
    if refused:
        return refused
    if request.method == "POST" and request.POST.get("action") == "discard":
        return _discard_pending(request, application, "membres", "applications:members")
    data = _step_data(request, application, "membres")
    form = forms.MemberForm(
        data,
        request.FILES or None,
        application=application,
        instance=Member(application=application),
    )
    if request.method == "POST":
        saved = form.is_valid() and _save_member(request, application, form)
        if saved:
            services.clear_pending(application, "membres")
            messages.success(request, f"Membre « {saved.name} » ajouté.")
            if request.POST.get("action") == "continue":
                return redirect("applications:territory", uuid=application.uuid)
            return redirect("applications:members", uuid=application.uuid)
        # The member being added is kept as typed until it is corrected or abandoned.
        _keep_invalid(request, application, "membres")
    return _step_page(
        request,
        application,
        "membres",
        "applications/step_members.html",
        {"form": form, "categories": MemberCategory},
    )


def _save_member(request, application, form):
    upload = form.cleaned_data.get("commitment_letter_file")
    checked = None
    if upload:
        try:
            checked = check_upload(
                upload, already_stored_bytes=services.attachments_total_bytes(application)
            )
        except UploadRefused as error:
            form.add_error("commitment_letter_file", str(error))
            return None
    with transaction.atomic():
        member = form.save(commit=False)
        member.application = application
        if member.order == 0:
            member.order = services.next_member_order(application)
        if checked:
            member.commitment_letter = _store_attachment(
                request, application, AttachmentKind.COMMITMENT_LETTER, upload, checked
            )
        member.save()
        application.save(update_fields=["updated_at"])
        _audit_saved(request, application, "membres")
    return member


@stash_when_logged_out
@require_http_methods(["GET", "POST"])
def member_edit(request, uuid, pk):
    """Who may see it: the owner and co-editors of the file."""
    application, refused = _editable(request, uuid, "membres")
    if refused:
        return refused
    member = get_object_or_404(application.members, pk=pk)
    key = f"membre-{member.pk}"
    if request.method == "POST" and request.POST.get("action") == "discard":
        return _discard_pending(request, application, key, "applications:member_edit", member.pk)
    data = _step_data(request, application, key)
    instance = member if request.method == "POST" else copy(member)
    form = forms.MemberForm(data, request.FILES or None, application=application, instance=instance)
    if request.method == "POST":
        if form.is_valid() and _save_member(request, application, form):
            services.clear_pending(application, key)
            messages.success(request, f"Membre « {member.name} » enregistré.")
            return redirect("applications:members", uuid=application.uuid)
        if not form.has_error("kind"):
            _save_valid_fields(form)
        _keep_invalid(request, application, key)
    return _step_page(
        request,
        application,
        "membres",
        "applications/member_edit.html",
        {"form": form, "member": member, "pending_key": key},
    )


@require_POST
@login_then("applications:members")
def member_delete(request, uuid, pk):
    """Who may use it: the owner and co-editors of the file (POST)."""
    application, refused = _editable(request, uuid, "membres")
    if refused:
        return refused
    member = get_object_or_404(application.members, pk=pk)
    name = member.name
    member.delete()
    services.clear_pending(application, f"membre-{pk}")
    _audit_saved(request, application, "membres")
    messages.success(request, f"Membre « {name} » retiré du dossier.")
    return redirect("applications:members", uuid=application.uuid)


@stash_when_logged_out
@require_http_methods(["GET", "POST"])
def territory(request, uuid):
    """Who may see it: the owner and co-editors of the file (step 3). Works without
    JavaScript: the search submits to the server and results come back as checkboxes."""
    from territories.services import search_communes, search_epcis, summarise_territory

    application, refused = _editable(request, uuid, "territoire")
    if refused:
        return refused
    if request.method == "POST" and request.POST.get("action") == "discard":
        return _discard_pending(request, application, "territoire", "applications:territory")
    data = _step_data(request, application, "territoire")
    form = forms.TerritoryForm(data)
    if request.method == "POST":
        if form.is_valid():
            services.save_territory(
                application, form.cleaned_data["communes"], form.cleaned_data["epcis"]
            )
            services.clear_pending(application, "territoire")
            _audit_saved(request, application, "territoire")
            if request.POST.get("action") == "search":
                query = request.POST.get("q", "")[:100]
                kind = "epci" if request.POST.get("type") == "epci" else "commune"
                url = reverse("applications:territory", args=[application.uuid])
                from urllib.parse import urlencode

                return redirect(f"{url}?{urlencode({'q': query, 'type': kind})}#resultats")
            return _after_save(request, application, "territoire")
        if request.POST.get("action") == "search" and not form.has_error("communes"):
            # Searching before anything is chosen is not an error.
            query = request.POST.get("q", "")[:100]
            kind = "epci" if request.POST.get("type") == "epci" else "commune"
            url = reverse("applications:territory", args=[application.uuid])
            from urllib.parse import urlencode

            return redirect(f"{url}?{urlencode({'q': query, 'type': kind})}#resultats")
        _keep_invalid(request, application, "territoire")
    query = request.GET.get("q", "")[:100]
    kind = "epci" if request.GET.get("type") == "epci" else "commune"
    selected_communes = list(application.communes.select_related("department").order_by("name"))
    selected_epcis = list(application.epcis.order_by("name"))
    if data is not None and not form.is_valid():
        # Show what was sent (restored or refused), not what is stored.
        from territories.models import Commune, Epci

        sent = forms.CodesField().to_python  # same cleaning as the form (no NUL characters)
        selected_communes = list(
            Commune.objects.current()
            .filter(code__in=sent(data.getlist("communes")))
            .select_related("department")
        )
        selected_epcis = list(Epci.objects.filter(code__in=sent(data.getlist("epcis"))))
    chosen_commune_codes = {c.code for c in selected_communes}
    chosen_epci_codes = {e.code for e in selected_epcis}
    results = []
    if query:
        if kind == "epci":
            results = [
                {"code": e.code, "label": f"{e.name} ({e.kind})", "name": "epcis"}
                for e in search_epcis(query)
                if e.code not in chosen_epci_codes
            ]
        else:
            results = [
                {"code": m.commune.code, "label": m.label, "name": "communes"}
                for m in search_communes(query)
                if m.commune.code not in chosen_commune_codes
            ]
    summary = summarise_territory(chosen_commune_codes, chosen_epci_codes)
    from laureates.overlap import overlapping_ptces

    overlaps = overlapping_ptces(sorted(chosen_commune_codes), sorted(chosen_epci_codes))
    return _step_page(
        request,
        application,
        "territoire",
        "applications/step_territory.html",
        {
            "overlaps": overlaps,
            "form": form,
            "query": query,
            "kind": kind,
            "results": results,
            "selected_communes": selected_communes,
            "selected_epcis": selected_epcis,
            "summary": summary,
            "overseas": any(r.is_overseas for r in summary.regions),
        },
    )


@stash_when_logged_out
@require_http_methods(["GET", "POST"])
def project(request, uuid):
    """Who may see it: the owner and co-editors of the file (step 4)."""
    application, refused = _editable(request, uuid, "projet")
    if refused:
        return refused
    return _model_step(request, application, "projet", forms.ProjectForm, "step_project.html")


@require_POST
def autosave(request, uuid):
    """Who may use it: the owner and co-editors (JSON, from the autosave script). Saves only
    the long-text fields that were sent."""
    if not is_authenticated(request.user):
        return JsonResponse(
            {"saved": False, "message": "Session expirée : reconnectez-vous."}, status=401
        )
    application = _load(request, uuid)
    if not permissions.can_edit_section(request.user, application, "projet"):
        return JsonResponse({"saved": False, "message": "Modification impossible."}, status=403)
    # The step form's own fields and validators (lengths…): no second validation path.
    fields, errors = forms.autosave_values(application, request.POST)
    if errors:
        name, messages_ = next(iter(errors.items()))
        return JsonResponse(
            {"saved": False, "message": messages_[0], "errors": errors, "field": name},
            status=400,
        )
    if fields:
        Application.objects.filter(pk=application.pk).update(**fields, updated_at=timezone.now())
        kept = application.pending_input.get("projet")
        if kept:  # input kept with errors shows the texts saved since, not older ones
            for name, value in fields.items():
                kept["data"][name] = [value]
            services.keep_pending(
                application, "projet", services.pending_data(application, "projet")
            )
    saved_at = timezone.localtime().strftime("%H:%M")
    return JsonResponse({"saved": True, "fields": sorted(fields), "saved_at": saved_at})


@stash_when_logged_out
@require_http_methods(["GET", "POST"])
def budget(request, uuid):
    """Who may see it: the owner and co-editors of the file (step 5, phase 2)."""
    application, refused = _editable(request, uuid, "budget")
    if refused:
        return refused
    rows = services.budget_rows()
    years = services.budget_years(application.call)
    if request.method == "POST" and request.POST.get("action") == "discard":
        return _discard_pending(request, application, "budget", "applications:budget")
    data = _step_data(request, application, "budget")
    current = services.budget_summary(application)
    initial = {
        forms.budget_field_name(k, c, y): amount for (k, c, y), amount in current.cells.items()
    }
    form = forms.BudgetForm(data, initial=initial, rows=rows, years=years)
    if request.method == "POST":
        valid = form.is_valid()
        # Valid cells are saved; a cell in error keeps its stored amount until corrected.
        cells = form.cells()
        for (kind, category, year), _amount in list(cells.items()):
            if form.has_error(forms.budget_field_name(kind, category, year)):
                cells[(kind, category, year)] = current.cells.get((kind, category, year))
        summary = services.save_budget(application, cells, actor=request.user)
        current = summary
        if not valid:
            _keep_invalid(request, application, "budget")
        else:
            services.clear_pending(application, "budget")
            _audit_saved(request, application, "budget")
            if not summary.is_balanced:
                messages.warning(
                    request,
                    "Brouillon enregistré, mais le budget n’est pas équilibré : dépenses "
                    f"{_euros(summary.expenses)}, ressources {_euros(summary.resources)}.",
                )
                return redirect("applications:budget", uuid=application.uuid)
            return _after_save(request, application, "budget")
    return _step_page(
        request,
        application,
        "budget",
        "applications/step_budget.html",
        {
            "form": form,
            "grid": form.grid(),
            "years": years,
            "summary": current,
            "kinds": BudgetKind,
            "call": application.call,
        },
    )


def _euros(value):
    from applications.amounts import format_amount

    return format_amount(value)


@stash_when_logged_out
@require_http_methods(["GET", "POST"])
def attachments(request, uuid):
    """Who may see it: the owner and co-editors of the file (step 6)."""
    application, refused = _editable(request, uuid, "pieces")
    if refused:
        return refused
    form = forms.AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            checked = check_upload(
                upload, already_stored_bytes=services.attachments_total_bytes(application)
            )
        except UploadRefused as error:
            form.add_error("file", str(error))
        else:
            try:
                _store_attachment(request, application, form.cleaned_data["kind"], upload, checked)
            except OSError:  # disk full, permissions, object storage unreachable
                logger.exception("Stockage de la pièce impossible (dossier %s)", application.uuid)
                form.add_error(
                    "file",
                    "Le fichier n’a pas pu être enregistré : le stockage des pièces est "
                    "momentanément indisponible. Votre dossier n’a pas été modifié ; "
                    "réessayez dans quelques minutes.",
                )
            else:
                messages.success(request, f"Pièce « {checked.name} » ajoutée.")
                if request.POST.get("action") == "continue":
                    return redirect("applications:summary", uuid=application.uuid)
                return redirect("applications:attachments", uuid=application.uuid)
    return _step_page(
        request,
        application,
        "pieces",
        "applications/step_attachments.html",
        {
            "form": form,
            "files": application.attachments.all(),
            "required": services.required_attachment_kinds(application),
            "total_bytes": services.attachments_total_bytes(application),
        },
    )


def _store_attachment(request, application, kind, upload, checked):
    upload.name = checked.name
    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=request.user,
    )
    attachment.file.save(checked.name, upload, save=False)
    attachment.save()
    audit.record(
        "application.attachment_added",
        actor=request.user,
        obj=application,
        after={"name": checked.name, "kind": kind, "sha256": checked.sha256},
    )
    return attachment


@login_required
def attachment_download(request, uuid, pk):
    """Who may see it: whoever may view the file (permission checked); always downloaded."""
    application = _load(request, uuid)
    if not permissions.can_view_application(request.user, application):
        raise PermissionDenied
    attachment = get_object_or_404(application.attachments, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("Fichier introuvable.") from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@require_POST
@login_then("applications:attachments")
def attachment_delete(request, uuid, pk):
    """Who may use it: the owner and co-editors of the file (POST)."""
    application, refused = _editable(request, uuid, "pieces")
    if refused:
        return refused
    attachment = get_object_or_404(application.attachments, pk=pk)
    name = attachment.original_name
    services.delete_attachment(attachment)
    audit.record(
        "application.attachment_deleted", actor=request.user, obj=application, after={"name": name}
    )
    messages.success(request, f"Pièce « {name} » supprimée.")
    return redirect("applications:attachments", uuid=application.uuid)


# ------------------------------------------------------------------ summary and submission


@login_required
def summary(request, uuid):
    """Who may see it: whoever may view the file (editors; staff once submitted)."""
    from territories.services import summarise_territory

    application = _load(request, uuid)
    if not permissions.can_view_application(request.user, application):
        raise PermissionDenied
    state = file_state(application)
    territory_summary = summarise_territory(*state["territory"])
    return render(
        request,
        "applications/summary.html",
        {
            "application": application,
            "state": state,
            "current_step": services.STEP_BY_SLUG["recapitulatif"],
            "breadcrumb": _crumbs(application, "Récapitulatif"),
            "territory_summary": territory_summary,
            "communes": application.communes.select_related("department").order_by("name"),
            "epcis": application.epcis.order_by("name"),
            "files": application.attachments.all(),
            "can_edit": permissions.can_edit_application(request.user, application),
            "editable_steps": _editable_steps(application),
            "correction": _open_correction(application),
            "show_messages": application.status != ApplicationStatus.DRAFT,
            "can_submit": permissions.can_submit_application(request.user, application),
            "submit_form": forms.SubmitForm(),
            "budget_grid": _budget_table(application, state["budget"]),
            "submissions": application.submissions.only(
                "version", "reference", "submitted_at", "sha256", "receipt"
            ),
        },
    )


def _editable_steps(application):
    sections = permissions.editable_sections(application)
    return [s.slug for s in services.STEPS if sections is None or s.slug in sections]


def _open_correction(application):
    if application.status != ApplicationStatus.CORRECTION_REQUESTED:
        return None
    from reviews.services import open_correction

    return open_correction(application)


def _budget_table(application, budget):
    rows = []
    for kind, category, label in services.budget_rows():
        amounts = [budget.cells.get((kind, category, y)) for y in budget.years]
        if any(amounts):
            rows.append({"kind": kind, "label": label, "amounts": amounts})
    return rows


@require_POST
@login_then("applications:summary")
def submit(request, uuid):
    """Who may use it: the owner of the file (POST, certification required)."""
    application = _load(request, uuid)
    if not permissions.is_owner(request.user, application):
        raise PermissionDenied
    if application.status not in EDITABLE_STATUSES:
        messages.info(
            request,
            f"Ce dossier est déjà déposé (référence {application.reference}). "
            "Aucun nouveau dépôt n’a été créé.",
        )
        return redirect("applications:dashboard")
    form = forms.SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Cochez la case de certification pour déposer le dossier.")
        return redirect("applications:summary", uuid=application.uuid)
    try:
        files = services.submit(application, actor=request.user)
    except services.AlreadySubmitted:
        application.refresh_from_db()
        messages.info(
            request,
            f"Ce dossier est déjà déposé (référence {application.reference}). "
            "Aucun nouveau dépôt n’a été créé.",
        )
        return redirect("applications:dashboard")
    except services.SubmissionRefused as refusal:
        for reason in refusal.reasons[:10]:
            messages.error(request, reason)
        return redirect("applications:summary", uuid=application.uuid)
    return redirect("applications:submitted", uuid=files[0].uuid)


def joint_files(application) -> list:
    """The files filed together with ``application`` (itself first: phase 1, then phase 2)."""
    first = application.linked_application or application
    return [first, *first.linked_files.order_by("pk")]


@login_required
def submitted(request, uuid):
    """Who may see it: whoever may view the file. The confirmation of a submission: every
    reference created (two when phases 1 and 2 are filed together) and their receipts."""
    application = _load(request, uuid)
    if not permissions.can_view_application(request.user, application):
        raise PermissionDenied
    if not application.reference:
        return redirect("applications:summary", uuid=application.uuid)
    files = [f for f in joint_files(application) if f.reference]
    return render(
        request,
        "applications/submitted.html",
        {
            "application": application,
            "files": [
                {"file": f, "submission": f.submissions.order_by("-version").first()} for f in files
            ],
            "breadcrumb": _crumbs(application, "Dépôt confirmé"),
        },
    )


@login_required
def receipt(request, uuid, version):
    """Who may see it: whoever may view the file. The PDF receipt of one submitted version
    (rendered now if the background task has not run yet)."""
    from applications.receipts import receipt_pdf

    application = _load(request, uuid)
    if not permissions.can_view_application(request.user, application):
        raise PermissionDenied
    submission = get_object_or_404(Submission, application=application, version=version)
    if submission.receipt:
        with submission.receipt.open("rb") as handle:
            content = handle.read()
    else:
        content = receipt_pdf(submission)
    from django.http import HttpResponse

    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="accuse-reception-{submission.reference}-v{version}.pdf"'
    )
    return response


# ------------------------------------------------------------------ dashboard and actions


@user_passes(is_candidate)
def dashboard(request):
    """Who may see it: candidates (their own files and those they co-edit)."""
    own = Q_for_editor(request.user)
    files = list(
        Application.objects.filter(own)
        .select_related("call", "round")
        .prefetch_related(
            Prefetch("status_changes", queryset=StatusChange.objects.order_by("at", "pk")),
            Prefetch("call__rounds"),
            Prefetch(
                "submissions",
                queryset=Submission.objects.only(
                    "pk", "application_id", "version", "reference", "submitted_at"
                ),
            ),
            Prefetch(
                "correction_requests",
                queryset=CorrectionRequest.objects.filter(answered_at__isnull=True).order_by(
                    "-created_at", "-pk"
                ),
                to_attr="open_corrections",
            ),
        )
        .order_by("-updated_at")
    )
    now = timezone.now()
    rows = []
    for file in files:
        next_step, due = next_step_for(file, now)
        rows.append(
            {
                "application": file,
                "next_step": next_step,
                "due": _due_text(due),
                "next_deadline": _next_deadline(file.call, now),
                "is_owner": file.owner_id == request.user.pk,
                "can_withdraw": file.owner_id == request.user.pk
                and any(
                    t.source == file.status
                    and t.target == ApplicationStatus.WITHDRAWN
                    and states.OWNER in t.roles
                    for t in states.TRANSITIONS
                ),
                "editable": file.status in EDITABLE_STATUSES,
            }
        )
    return render(
        request,
        "applications/dashboard.html",
        {
            "rows": rows,
            "open_calls": Call.objects.open_at(now).order_by("title"),
            "breadcrumb": {
                "links": [{"url": reverse("accounts:dashboard"), "title": "Mon espace"}],
                "current": "Mes dossiers",
            },
        },
    )


NEXT_STEPS = {
    ApplicationStatus.SUBMITTED: "Attendre l’instruction",
    ApplicationStatus.UNDER_REVIEW: "Attendre l’instruction",
    ApplicationStatus.REVIEWED: "Attendre la décision du comité",
    ApplicationStatus.ACCEPTED: "Suivre la convention (espace lauréat)",
    ApplicationStatus.REJECTED: "Aucune (décision rendue)",
    ApplicationStatus.WITHDRAWN: "Aucune (dossier retiré)",
    ApplicationStatus.CLOSED: "Aucune (classé sans suite)",
}


def _due_text(value) -> str:
    from datetime import datetime

    from core.formatting import format_date, format_datetime

    if value is None:
        return ""
    return format_datetime(value) if isinstance(value, datetime) else format_date(value)


def next_step_for(file, now):
    """(what the candidate does next, by when) for the dashboard line of ``file``."""
    if file.status == ApplicationStatus.DRAFT:
        return "Compléter puis déposer le dossier", _next_deadline(file.call, now)
    if file.status == ApplicationStatus.CORRECTION_REQUESTED:
        correction = (getattr(file, "open_corrections", None) or [None])[0]
        return "Déposer les compléments demandés", correction.deadline if correction else None
    return NEXT_STEPS.get(file.status, "—"), None


def Q_for_editor(user):  # noqa: N802 - reads as a Q object
    from django.db.models import Q

    return Q(owner=user) | Q(
        pk__in=Application.co_editors.through.objects.filter(user=user).values("application_id")
    )


def _next_deadline(call, now):
    if call.is_permanent:
        cut_offs = sorted(r.cut_off_at for r in call.rounds.all() if r.cut_off_at > now)
        return cut_offs[0] if cut_offs else None
    return call.closes_at if call.closes_at and call.closes_at > now else None


@stash_when_logged_out
@require_http_methods(["GET", "POST"])
def withdraw(request, uuid):
    """Who may use it: the owner of the file, until a decision (confirmation page)."""
    application = _load(request, uuid)
    if not permissions.can_withdraw_application(request.user, application):
        raise PermissionDenied
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            states.change_status(
                application,
                ApplicationStatus.WITHDRAWN,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except states.TransitionNotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Le dossier est retiré.")
        return redirect("applications:dashboard")
    return render(
        request,
        "applications/withdraw.html",
        {"application": application, "form": form, "breadcrumb": _crumbs(application, "Retrait")},
    )


@require_http_methods(["GET", "POST"])
@login_required
def duplicate(request, uuid):
    """Who may use it: the owner of the file; copies it into a new draft for an open call."""
    application = _load(request, uuid)
    if not permissions.can_duplicate_application(request.user, application):
        raise PermissionDenied
    form = forms.DuplicateForm(request.POST or None, calls=Call.objects.open_at())
    if request.method == "POST" and form.is_valid():
        copy = services.duplicate_into(application, form.cleaned_data["call"], actor=request.user)
        messages.success(
            request, "Une copie du dossier a été créée en brouillon : vérifiez chaque étape."
        )
        return redirect("applications:summary", uuid=copy.uuid)
    return render(
        request,
        "applications/duplicate.html",
        {
            "application": application,
            "form": form,
            "breadcrumb": _crumbs(application, "Copier vers un autre appel"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def invite(request, uuid):
    """Who may use it: the owner of the file; invites a co-editor by e-mail."""
    application = _load(request, uuid)
    if not permissions.can_manage_co_editors(request.user, application):
        raise PermissionDenied
    form = forms.InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        if email == request.user.email.lower():
            form.add_error("email", "Vous êtes déjà titulaire de ce dossier.")
        else:
            services.invite_co_editor(application, email, actor=request.user)
            messages.success(request, f"Invitation envoyée à {email}.")
            return redirect("applications:invite", uuid=application.uuid)
    return render(
        request,
        "applications/invite.html",
        {
            "application": application,
            "form": form,
            "co_editors": application.co_editors.all(),
            "invitations": application.invitations.filter(accepted_at__isnull=True),
            "breadcrumb": _crumbs(application, "Co-rédacteurs"),
        },
    )


@login_required
def accept_invitation(request, token):
    """Who may use it: the signed-in person the invitation was sent to."""
    try:
        application = services.accept_invitation(token, request.user)
    except services.InvitationError as error:
        messages.error(request, str(error))
        return redirect("accounts:dashboard")
    messages.success(request, "Vous êtes co-rédacteur de ce dossier.")
    return redirect("applications:summary", uuid=application.uuid)

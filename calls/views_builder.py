"""The call builder: staff screens where the programme team creates a call (or duplicates the
previous one), edits every part of it and publishes it, without the Django administration.

Who may use every view here: national cell members and programme admins (second factor
enforced by middleware). Each save is audited; publishing explains what is missing."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import is_national, user_passes
from calls import builder
from calls.forms_builder import (
    CallForm,
    CriterionFormSet,
    DocumentFormSet,
    FaqFormSet,
    GridForm,
    RequiredAttachmentFormSet,
    RoundFormSet,
    ScheduleFormSet,
)
from calls.models import Call, Grid, create_default_grid
from core import audit

staff_required = user_passes(is_national)

# Sections edited as rows: (url key, title, formset class, related name, hint).
SECTIONS = {
    "releves": (
        "Relèves et dates limites",
        RoundFormSet,
        "rounds",
        "Heure de Paris. Un dossier déposé avant une date limite appartient à cette relève.",
    ),
    "pieces": (
        "Pièces justificatives demandées",
        RequiredAttachmentFormSet,
        "required_attachments",
        "Phase vide : la pièce est demandée dans toutes les phases.",
    ),
    "faq": ("Questions fréquentes", FaqFormSet, "faqs", "Affichées sur la page publique."),
    "documents": (
        "Documents de l’appel",
        DocumentFormSet,
        "documents",
        "Liens vers le cahier des charges, le règlement… publiés ailleurs.",
    ),
}


def _crumb(current: str, call: Call | None = None) -> dict:
    links = [{"url": reverse("calls:builder_list"), "title": "Appels (gestion)"}]
    if call is not None:
        links.append({"url": reverse("calls:builder_call", args=[call.pk]), "title": call.title})
    return {"links": links, "current": current}


@staff_required
@require_GET
def call_list(request):
    """Every call of the programme, drafts included, with its state and next cut-off."""
    calls = Call.objects.prefetch_related("rounds").order_by("-year", "title")
    return render(
        request,
        "calls/builder/list.html",
        {"calls": calls, "breadcrumb": {"links": [], "current": "Appels (gestion)"}},
    )


@staff_required
@require_GET
def call_overview(request, pk):
    """One call: each part with what it holds, the publication check and the actions."""
    call = get_object_or_404(
        Call.objects.prefetch_related("rounds", "required_attachments", "faqs", "documents"),
        pk=pk,
    )
    grid = Grid.objects.filter(call=call).prefetch_related("criteria").first()
    return render(
        request,
        "calls/builder/overview.html",
        {
            "call": call,
            "grid": grid,
            "problems": builder.publication_problems(call),
            "schedule": builder.schedule_rows(call),
            "breadcrumb": _crumb(call.title),
        },
    )


def _call_form_page(request, form, call=None):
    title = "Présentation et règles" if call else "Créer un appel"
    return render(
        request,
        "calls/builder/call_form.html",
        {"form": form, "call": call, "page_title": title, "breadcrumb": _crumb(title, call)},
        status=400 if form.errors else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def call_create(request):
    form = CallForm(request.POST if request.method == "POST" else None, instance=Call())
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            call = form.save()
            create_default_grid(call)
            audit.record(
                "call.created",
                actor=request.user,
                obj=call,
                after=audit.snapshot(call, builder.CALL_FIELDS),
            )
        messages.success(
            request,
            "Appel créé en brouillon, avec la grille d’évaluation par défaut. Complétez les "
            "rubriques puis publiez-le.",
        )
        return redirect("calls:builder_call", pk=call.pk)
    return _call_form_page(request, form)


@staff_required
@require_http_methods(["GET", "POST"])
def call_edit(request, pk):
    call = get_object_or_404(Call, pk=pk)
    before = audit.snapshot(call, builder.CALL_FIELDS)
    form = CallForm(request.POST if request.method == "POST" else None, instance=call)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            call = form.save()
            after = audit.snapshot(call, builder.CALL_FIELDS)
            changed = sorted(key for key in after if after[key] != before[key])
            if changed:
                audit.record(
                    "call.updated",
                    actor=request.user,
                    obj=call,
                    before={key: before[key] for key in changed},
                    after={key: after[key] for key in changed},
                )
        messages.success(request, "Présentation et règles enregistrées.")
        return redirect("calls:builder_call", pk=call.pk)
    return _call_form_page(request, form, get_object_or_404(Call, pk=pk))


@staff_required
@require_http_methods(["GET", "POST"])
def call_section(request, pk, section):
    """Rounds, required attachments, FAQ or documents, edited as rows."""
    if section not in SECTIONS:
        raise Http404
    call = get_object_or_404(Call, pk=pk)
    title, formset_class, related, hint = SECTIONS[section]
    formset = formset_class(
        request.POST if request.method == "POST" else None, instance=call, prefix=section
    )
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            before = [str(obj) for obj in getattr(call, related).all()]
            formset.save()
            after = [str(obj) for obj in getattr(call, related).all()]
            if before != after:
                audit.record(
                    f"call.{related}_updated",
                    actor=request.user,
                    obj=call,
                    before={related: before},
                    after={related: after},
                )
        messages.success(request, f"{title} : enregistré.")
        return redirect("calls:builder_call", pk=call.pk)
    return render(
        request,
        "calls/builder/rows_form.html",
        {
            "call": call,
            "formset": formset,
            "page_title": title,
            "hint": hint,
            "breadcrumb": _crumb(title, call),
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def call_schedule(request, pk):
    """The phase-2 payment schedule: one row per tranche, shares totalling 100 %."""
    call = get_object_or_404(Call, pk=pk)
    initial = builder.schedule_rows(call)
    formset = ScheduleFormSet(
        request.POST if request.method == "POST" else None, initial=initial, prefix="tranches"
    )
    if request.method == "POST" and formset.is_valid():
        builder.save_schedule(call, formset.rows(), actor=request.user)
        messages.success(request, "Échéancier des versements enregistré.")
        return redirect("calls:builder_call", pk=call.pk)
    title = "Échéancier des versements (phase 2)"
    return render(
        request,
        "calls/builder/rows_form.html",
        {
            "call": call,
            "formset": formset,
            "page_title": title,
            "hint": "Chaque tranche : un libellé, une part en % (le total fait 100 %) et ce "
            "qui doit avoir eu lieu avant le versement.",
            "breadcrumb": _crumb(title, call),
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def call_grid(request, pk):
    """The evaluation grid: scale, disagreement threshold, criteria with their weights."""
    call = get_object_or_404(Call, pk=pk)
    grid = Grid.objects.filter(call=call).first() or create_default_grid(call)
    data = request.POST if request.method == "POST" else None
    form = GridForm(data, instance=grid, prefix="grille")
    criteria = CriterionFormSet(data, instance=grid, prefix="criteres")
    if request.method == "POST" and form.is_valid() and criteria.is_valid():
        with transaction.atomic():
            before = [f"{c.label} ({c.weight})" for c in grid.criteria.all()]
            form.save()
            for subform in criteria.forms:
                if not subform.instance.code and subform.has_changed():
                    subform.instance.code = _criterion_code(grid, subform.cleaned_data)
            criteria.save()
            after = [f"{c.label} ({c.weight})" for c in grid.criteria.all()]
            audit.record(
                "call.grid_updated",
                actor=request.user,
                obj=call,
                before={"criteria": before},
                after={
                    "criteria": after,
                    "scale": [grid.scale_min, grid.scale_max],
                    "descriptors": {c.code: c.level_descriptors for c in grid.criteria.all()},
                },
            )
        messages.success(request, "Grille d’évaluation enregistrée.")
        return redirect("calls:builder_call", pk=call.pk)
    title = "Grille d’évaluation"
    return render(
        request,
        "calls/builder/grid_form.html",
        {
            "call": call,
            "form": form,
            "formset": criteria,
            "page_title": title,
            "breadcrumb": _crumb(title, call),
        },
        status=400 if request.method == "POST" else 200,
    )


def _criterion_code(grid: Grid, cleaned: dict) -> str:
    base = slugify(cleaned.get("label") or "")[:40] or "critere"
    code, number = base, 2
    while grid.criteria.filter(code=code).exists():
        code, number = f"{base}-{number}", number + 1
    return code


@staff_required
@require_POST
def call_publish(request, pk):
    call = get_object_or_404(Call, pk=pk)
    try:
        builder.publish(call, actor=request.user)
    except builder.NotReady as not_ready:
        messages.error(request, "L’appel n’est pas publié : " + " ".join(not_ready.problems))
    else:
        messages.success(request, "L’appel est publié : sa page publique est en ligne.")
    return redirect("calls:builder_call", pk=pk)


@staff_required
@require_POST
def call_unpublish(request, pk):
    call = builder.unpublish(get_object_or_404(Call, pk=pk), actor=request.user)
    messages.success(request, "L’appel est repassé en brouillon : sa page n’est plus publique.")
    return redirect("calls:builder_call", pk=call.pk)


@staff_required
@require_POST
def call_duplicate(request, pk):
    copy = builder.duplicate(get_object_or_404(Call, pk=pk), actor=request.user)
    messages.success(
        request,
        "Copie créée en brouillon : les dates de clôture et des relèves sont décalées d’un an. "
        "Vérifiez-les avant de publier.",
    )
    return redirect("calls:builder_call", pk=copy.pk)

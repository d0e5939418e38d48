"""Staff screens editing letter texts (/gestion/courriers/) and public page blocks
(/gestion/pages/). Who may see them: the national cell and the programme admin."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import is_national, user_passes
from calls.models import Call
from core.params import id_param
from editorial import services
from editorial.defaults import (
    LETTER_FIELDS,
    PAGE_PLACEHOLDERS,
    PLACEHOLDERS,
    LetterKind,
    PageKey,
)
from editorial.forms import LetterTextForm, PageBlockForm
from editorial.models import LetterTextVersion, PageBlock, PageBlockVersion
from editorial.previews import preview_pdf

staff_only = user_passes(is_national)


def _kind(kind: str) -> str:
    if kind not in LetterKind.values:
        raise Http404
    return kind


def _call(request):
    value = request.GET.get("appel") or request.POST.get("appel") or ""
    if not value:
        return None
    pk = id_param(value)
    if pk is None:
        raise Http404
    return get_object_or_404(Call, pk=pk)


@staff_only
@require_GET
def letter_list(request):
    """The letter texts, common and per call. Who: national cell, programme admin."""
    call = _call(request)
    stored = {
        row.kind: row
        for row in services.LetterText.objects.filter(call=call).select_related("updated_by")
    }
    rows = [(kind, label, stored.get(kind)) for kind, label in LetterKind.choices]
    return render(
        request,
        "editorial/letter_list.html",
        {"rows": rows, "call": call, "calls": Call.objects.order_by("-pk")},
    )


@staff_only
@require_http_methods(["GET", "POST"])
def letter_edit(request, kind):
    """Edit one letter's texts (common, or ``?appel=<id>`` for one call), with versions.
    Who: national cell, programme admin."""
    kind = _kind(kind)
    call = _call(request)
    stored = services.stored_letter(kind, call)
    current = services.letter_content(kind, call)
    conflict = False
    if request.method == "POST":
        form = LetterTextForm(request.POST)
        if form.is_valid():
            data = {field: form.cleaned_data.get(field) or "" for field in LETTER_FIELDS}
            try:
                services.save_letter(
                    kind,
                    call,
                    data,
                    base_revision=form.cleaned_data["revision"],
                    actor=request.user,
                )
            except services.EditError as error:
                conflict = isinstance(error, services.Conflict)
                for field, errors in error.errors.items():
                    for message in errors:
                        form.add_error(field, message)
            else:
                messages.success(
                    request, "Le texte est enregistré ; il s’applique aux prochains documents."
                )
                return redirect(_letter_url(kind, call))
    else:
        form = LetterTextForm(initial={**current, "revision": stored.revision if stored else 0})
    versions = stored.versions.select_related("created_by")[:20] if stored is not None else []
    return render(
        request,
        "editorial/letter_edit.html",
        {
            "kind": kind,
            "kind_label": LetterKind(kind).label,
            "call": call,
            "form": form,
            "stored": stored,
            "versions": versions,
            "placeholders": sorted(PLACEHOLDERS[kind].items()),
            "conflict": conflict,
        },
    )


def _letter_url(kind, call):
    url = reverse("editorial:letter_edit", args=[kind])
    return f"{url}?appel={call.pk}" if call else url


@staff_only
@require_POST
def letter_preview(request, kind):
    """PDF preview of the texts being edited (not saved) on demo data. Who: national cell,
    programme admin."""
    kind = _kind(kind)
    call = _call(request)
    form = LetterTextForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Formulaire incomplet.", status=400, content_type="text/plain")
    content = {field: form.cleaned_data.get(field) or "" for field in LETTER_FIELDS}
    errors = services.letter_problems(kind, content)
    if errors:
        text = "Aperçu impossible : " + " ".join(m for ms in errors.values() for m in ms)
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    pdf = preview_pdf(kind, content, call, reader=request.user)
    if pdf is None:
        return HttpResponse(
            "Aucune convention n’existe encore pour servir d’exemple.",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="apercu-{kind}.pdf"'
    return response


@staff_only
@require_POST
def letter_restore(request, kind, version_id):
    """Restore an earlier version (recorded as a new revision). Who: national cell,
    programme admin."""
    version = get_object_or_404(
        LetterTextVersion.objects.select_related("letter__call"),
        pk=version_id,
        letter__kind=_kind(kind),
    )
    services.restore_letter(version, actor=request.user)
    messages.success(request, f"La révision {version.revision} est rétablie.")
    return redirect(_letter_url(kind, version.letter.call))


@staff_only
@require_GET
def page_list(request):
    """The editable blocks of the public pages. Who: national cell, programme admin."""
    stored = {row.key: row for row in PageBlock.objects.select_related("updated_by")}
    rows = [(key, label, stored.get(key)) for key, label in PageKey.choices]
    return render(request, "editorial/page_list.html", {"rows": rows})


@staff_only
@require_http_methods(["GET", "POST"])
def page_edit(request, key):
    """Edit one public page block with a preview and versions. Who: national cell,
    programme admin."""
    if key not in PageKey.values:
        raise Http404
    stored = PageBlock.objects.filter(key=key).first()
    preview = None
    conflict = False
    if request.method == "POST":
        form = PageBlockForm(request.POST)
        if form.is_valid():
            body = form.cleaned_data["body"]
            if "preview" in request.POST:
                found = services.markup.problems(body, PAGE_PLACEHOLDERS)
                if found:
                    for message in found:
                        form.add_error("body", message)
                else:
                    preview = services.render_page(key, body)
            else:
                try:
                    services.save_page(
                        key, body, base_revision=form.cleaned_data["revision"], actor=request.user
                    )
                except services.EditError as error:
                    conflict = isinstance(error, services.Conflict)
                    for field, errors in error.errors.items():
                        for message in errors:
                            form.add_error(field, message)
                else:
                    messages.success(request, "Le texte est publié.")
                    return redirect("editorial:page_edit", key=key)
    else:
        form = PageBlockForm(
            initial={"body": services.page_text(key), "revision": stored.revision if stored else 0}
        )
    return render(
        request,
        "editorial/page_edit.html",
        {
            "key": key,
            "label": PageKey(key).label,
            "form": form,
            "stored": stored,
            "preview": preview,
            "conflict": conflict,
            "versions": stored.versions.select_related("created_by")[:20] if stored else [],
        },
    )


@staff_only
@require_POST
def page_restore(request, key, version_id):
    """Restore an earlier version of a page block. Who: national cell, programme admin."""
    version = get_object_or_404(PageBlockVersion, pk=version_id, block__key=key)
    services.restore_page(version, actor=request.user)
    messages.success(request, f"La révision {version.revision} est rétablie.")
    return redirect("editorial:page_edit", key=key)

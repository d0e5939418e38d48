"""Staff screens for the e-mail templates (national cell and programme administrators)."""

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backoffice.forms import EmailTemplateForm
from backoffice.views.home import national_required
from calls.models import Call
from mailing import services
from mailing.catalogue import BY_KEY, KINDS, default_text
from mailing.models import EmailTemplate, EmailTemplateVersion

LIST_CRUMB = {"url": "/gestion/courriels/", "title": "Courriels"}


def _crumbs(current, *links):
    base = [{"url": reverse("backoffice:home"), "title": "Administration du programme"}]
    return {"links": [*base, *links], "current": current}


def _kind_or_404(key):
    kind = BY_KEY.get(key)
    if kind is None:
        raise Http404
    return kind


def _call_from(request):
    """The call whose override is edited (``?appel=<id>``), or ``None`` for every call."""
    value = request.POST.get("appel") or request.GET.get("appel") or ""
    if not value:
        return None
    if not value.isdecimal() or len(value) > 18:
        raise Http404
    return get_object_or_404(Call, pk=int(value))


def _edit_url(key, call):
    url = reverse("backoffice:email_edit", args=[key])
    return f"{url}?appel={call.pk}" if call else url


@national_required
@require_GET
def email_list(request):
    """Who may see it: national cell and programme administrators (2FA). Every e-mail the
    platform sends, grouped, with who changed its text last and its per-call texts."""
    stored = {
        t.key: t
        for t in EmailTemplate.objects.filter(call__isnull=True).select_related("updated_by")
    }
    overrides = dict(
        EmailTemplate.objects.filter(call__isnull=False)
        .values_list("key")
        .annotate(n=Count("pk"))
        .values_list("key", "n")
    )
    groups: dict[str, list] = {}
    for kind in KINDS:
        groups.setdefault(kind.group, []).append(
            {
                "kind": kind,
                "template": stored.get(kind.key),
                "overrides": overrides.get(kind.key, 0),
            }
        )
    return render(
        request,
        "backoffice/email_list.html",
        {"groups": groups.items(), "breadcrumb": _crumbs("Courriels")},
    )


@national_required
@require_http_methods(["GET", "POST"])
def email_edit(request, key):
    """Who may see it: national cell and programme administrators (2FA). Edit one e-mail's
    subject and text (for every call or for one call), preview it with demo data, send a test
    to oneself. A save made from an outdated version is refused (conflict)."""
    kind = _kind_or_404(key)
    call = _call_from(request)
    template = EmailTemplate.objects.filter(key=key, call=call).select_related("updated_by").first()
    inherited = None
    if template is None:
        inherited = services.current_template(key) if call else None
        subject, body = (inherited.subject, inherited.body) if inherited else default_text(key)
        initial = {"subject": subject, "body": body, "version": 0}
    else:
        initial = {"subject": template.subject, "body": template.body, "version": template.version}
    form = EmailTemplateForm(request.POST or None, initial=initial, key=key)
    preview = conflict = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action = request.POST.get("action", "save")
        if action == "preview":
            preview = services.preview(key, data["subject"], data["body"])
        elif action == "test":
            services.send_test(key, data["subject"], data["body"], actor=request.user)
            messages.success(
                request,
                f"Un courriel d’essai, rempli avec des données de démonstration, a été mis dans "
                f"la boîte d’envoi pour {request.user.email}.",
            )
            preview = services.preview(key, data["subject"], data["body"])
        else:
            try:
                services.save_template(
                    key,
                    call=call,
                    subject=data["subject"],
                    body=data["body"],
                    expected_version=data["version"] or None,
                    actor=request.user,
                )
            except services.EditConflict as error:
                conflict = error.current
                status = 409
                form.add_error(
                    None,
                    "Ce courriel a été modifié par quelqu’un d’autre pendant que vous le "
                    "modifiiez : vos changements n’ont pas été enregistrés. Le texte actuel est "
                    "affiché plus bas ; copiez vos modifications puis rechargez la page.",
                )
            else:
                messages.success(request, f"Le courriel « {kind.name} » a été enregistré.")
                return redirect(_edit_url(key, call))
    placeholders = [
        {"path": path, "label": label} for path, (label, _demo) in kind.all_placeholders.items()
    ]
    return render(
        request,
        "backoffice/email_edit.html",
        {
            "kind": kind,
            "call": call,
            "calls": Call.objects.order_by("-year", "title"),
            "template": template,
            "inherited": inherited,
            "form": form,
            "preview": preview,
            "conflict": conflict,
            "placeholders": placeholders,
            "overrides": EmailTemplate.objects.filter(key=key, call__isnull=False).select_related(
                "call"
            ),
            "breadcrumb": _crumbs(kind.name, LIST_CRUMB),
        },
        status=status,
    )


@national_required
@require_GET
def email_history(request, key):
    """Who may see it: national cell and programme administrators (2FA). Every saved version
    of one e-mail (who, when), each with its text and a restore button."""
    kind = _kind_or_404(key)
    call = _call_from(request)
    template = EmailTemplate.objects.filter(key=key, call=call).first()
    versions = (
        EmailTemplateVersion.objects.filter(template=template).select_related("created_by")
        if template
        else EmailTemplateVersion.objects.none()
    )
    return render(
        request,
        "backoffice/email_history.html",
        {
            "kind": kind,
            "call": call,
            "template": template,
            "versions": versions,
            "edit_url": _edit_url(key, call),
            "breadcrumb": _crumbs(
                "Historique", LIST_CRUMB, {"url": _edit_url(key, call), "title": kind.name}
            ),
        },
    )


def _expected_version(request):
    value = request.POST.get("version", "")
    return int(value) if value.isdecimal() and len(value) < 10 else -1


@national_required
@require_POST
def email_restore(request, key, number):
    """Who may see it: national cell and programme administrators (2FA). Restores an earlier
    version as a new version (refused if the template changed since the page was shown)."""
    _kind_or_404(key)
    call = _call_from(request)
    version = get_object_or_404(
        EmailTemplateVersion.objects.select_related("template__call"),
        template__key=key,
        template__call=call,
        number=number,
    )
    try:
        services.restore_version(
            version, expected_version=_expected_version(request), actor=request.user
        )
    except services.EditConflict:
        messages.error(
            request,
            "Ce courriel a été modifié entre-temps : rien n’a été restauré. Vérifiez "
            "l’historique à jour puis recommencez.",
        )
        return redirect(
            reverse("backoffice:email_history", args=[key]) + (f"?appel={call.pk}" if call else "")
        )
    messages.success(request, f"La version {number} a été rétablie (nouvelle version enregistrée).")
    return redirect(_edit_url(key, call))


@national_required
@require_POST
def email_reset(request, key):
    """Who may see it: national cell and programme administrators (2FA). For the text common
    to every call: brings back the shipped text as a new version. For a call: removes the
    call's own text, so its e-mails use the common text again."""
    kind = _kind_or_404(key)
    call = _call_from(request)
    if call is not None:
        template = get_object_or_404(EmailTemplate, key=key, call=call)
        services.delete_override(template, actor=request.user)
        messages.success(
            request, f"L’appel « {call.title} » utilise de nouveau le texte commun de ce courriel."
        )
        return redirect(_edit_url(key, None))
    template = EmailTemplate.objects.filter(key=key, call__isnull=True).first()
    try:
        services.restore_default(
            key,
            expected_version=(template.version if template else None)
            if _expected_version(request) == (template.version if template else 0)
            else -1,
            actor=request.user,
        )
    except services.EditConflict:
        messages.error(request, "Ce courriel a été modifié entre-temps : rien n’a été changé.")
        return redirect(_edit_url(key, None))
    messages.success(request, f"Le texte d’origine du courriel « {kind.name} » a été rétabli.")
    return redirect(_edit_url(key, None))

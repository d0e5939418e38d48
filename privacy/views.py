from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import login_required
from privacy import services
from privacy.forms import ErasureForm


@require_GET
@login_required
def export(request):
    """Who may use it: any signed-in person, for their own data only."""
    archive = services.export_zip(request.user)
    return FileResponse(
        archive,
        as_attachment=True,
        filename="mes-donnees-plateforme-ptce.zip",
        content_type="application/zip",
    )


@require_http_methods(["GET", "POST"])
@login_required
def erase(request):
    """Who may use it: a candidate, for their own account (staff accounts: the admin)."""
    if not services.can_erase(request.user):
        raise PermissionDenied
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        summary = services.erase(user)
        kept = summary["dossiers_conservés"]
        messages.success(
            request,
            "Votre compte et vos données personnelles ont été supprimés."
            + (
                f" Les dossiers déposés ({', '.join(kept)}) sont conservés sans vos "
                "coordonnées, comme l’exige l’archivage des procédures."
                if kept
                else ""
            ),
        )
        return redirect("core:home")
    return render(
        request,
        "privacy/erase.html",
        {
            "form": form,
            "drafts": request.user.owned_applications.filter(status="draft").count(),
            "kept": request.user.owned_applications.exclude(status="draft").count(),
            "breadcrumb": {
                "links": [{"url": reverse("accounts:dashboard"), "title": "Mon espace"}],
                "current": "Supprimer mon compte",
            },
        },
    )

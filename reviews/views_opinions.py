"""Régional opinion on a file and the régional ranking (SPEC §5.4)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_national, is_staff_member, user_passes
from calls.models import Call
from core.params import id_param, int_param
from reviews import conflicts, forms, opinions
from reviews.services import ReviewError
from reviews.views import _crumbs, _staff_file, scores_visible_q
from territories.models import Region


@require_http_methods(["GET", "POST"])
@user_passes(is_staff_member)
def opinion(request, uuid):
    """Who may use it: reviewers and the cell lead of the file's région write the opinion;
    the cell lead validates it. The national cell reads it. Saves are optimistically
    locked: a concurrent change is refused (409) with a French message."""
    application = _staff_file(request, uuid)
    user = request.user
    can_write = opinions.can_write_opinion(user, application)
    can_validate = opinions.can_validate_opinion(user, application)
    if not (can_write or is_national(user)):
        raise PermissionDenied
    current = opinions.opinion_of(application)
    version = current.version if current else 0
    initial = {"version": version}
    if current:
        initial.update(opinion=current.opinion, reasons=current.reasons)
    form = forms.OpinionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        if form.is_valid():
            try:
                opinions.save_opinion(
                    application,
                    actor=user,
                    opinion=form.cleaned_data["opinion"],
                    reasons=form.cleaned_data["reasons"],
                    expected_version=form.cleaned_data["version"],
                )
            except opinions.OpinionConflict as error:
                form.add_error(None, str(error))
                status = 409
            except ReviewError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Avis régional enregistré.")
                return redirect("reviews:opinion", uuid=application.uuid)
    return render(
        request,
        "reviews/opinion.html",
        {
            "application": application,
            "current": current,
            "form": form,
            "can_write": can_write,
            "can_validate": can_validate and current is not None and not current.is_validated,
            "breadcrumb": _crumbs(application, "Avis régional"),
        },
        status=status,
    )


@require_POST
@user_passes(is_staff_member)
def validate_opinion(request, uuid):
    """Who may use it: the cell lead of the file's région (POST, with the loaded version)."""
    application = _staff_file(request, uuid)
    if not opinions.can_validate_opinion(request.user, application):
        raise PermissionDenied
    expected = int_param(request.POST.get("version", ""))
    if expected is None:
        expected = -1
    try:
        opinions.validate_opinion(application, actor=request.user, expected_version=expected)
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Avis régional validé.")
    return redirect("reviews:opinion", uuid=application.uuid)


@user_passes(is_staff_member)
def regional_ranking(request):
    """Who may see it: the cell lead (their région) and the national cell (any région,
    ``?region=``). Files ranked with ``reviews.ranking`` on figures and régional opinions."""
    user = request.user
    region_code = request.GET.get("region") if is_national(user) else user.region_id
    if not region_code:
        region_code = Region.objects.order_by("code").values_list("code", flat=True).first()
    region = get_object_or_404(Region, pk=region_code)
    if not opinions.can_see_ranking(user, region.pk):
        raise PermissionDenied
    raw_call = request.GET.get("call") or None
    call_id = id_param(raw_call) if raw_call else None
    if raw_call and call_id is None:
        raise Http404("Appel inconnu.")
    files = opinions.regional_files(region.pk, call_id)
    # Conflicts of interest and files awaiting the reader's own evaluation: masked rows.
    pending = files.exclude(scores_visible_q(user)).values_list("pk", flat=True)
    rows = conflicts.mask_ranking(
        opinions.ranked_files(files),
        user,
        hidden_notice=dict.fromkeys(pending, conflicts.PENDING_NOTICE),
    )
    return render(
        request,
        "reviews/regional_ranking.html",
        {
            "region": region,
            "regions": Region.objects.filter(retired=False).order_by("name")
            if is_national(user)
            else [],
            "calls": Call.objects.order_by("-pk"),
            "call_id": call_id,
            "rows": rows,
            "breadcrumb": {
                "links": [{"url": reverse("reviews:list"), "title": "Dossiers à instruire"}],
                "current": f"Classement régional — {region.name}",
            },
        },
    )

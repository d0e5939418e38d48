"""Pages of the support services catalogue (SPEC §6.2)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import is_national, login_required, user_passes
from core.params import id_param
from laureates import support_services as services
from laureates.models import Ptce
from laureates.models_support import (
    Enrolment,
    EnrolmentStatus,
    OfferAudience,
    OfferFormat,
    SupportOffer,
)

national_required = user_passes(is_national)


def _crumb(current: str, *, extra=()) -> dict:
    return {
        "links": [{"url": reverse("laureates:support_list"), "title": "Accompagnement"}, *extra],
        "current": current,
    }


def offer_list(request):
    """Who may see it: everyone. Published offers grouped by partner, with places left."""
    offers = (
        SupportOffer.objects.filter(is_published=True)
        .select_related("partner")
        .annotate(
            confirmed=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.CONFIRMED))
        )
        .order_by("partner__name", "starts_on", "title")
    )
    selected_format = request.GET.get("format", "")
    if selected_format in OfferFormat.values:
        offers = offers.filter(format=selected_format)
    else:
        selected_format = ""
    selected_audience = request.GET.get("public", "")
    if selected_audience in OfferAudience.values:
        offers = offers.filter(audience=selected_audience)
    else:
        selected_audience = ""
    groups: dict = {}
    for offer in offers:
        offer.places_left = (
            None if offer.capacity is None else max(offer.capacity - offer.confirmed, 0)
        )
        groups.setdefault(offer.partner, []).append(offer)
    return render(
        request,
        "laureates/support/list.html",
        {
            "groups": list(groups.items()),
            "formats": OfferFormat.choices,
            "audiences": OfferAudience.choices,
            "selected_format": selected_format,
            "selected_audience": selected_audience,
            "is_national": is_national(request.user),
            "breadcrumb": {"links": [], "current": "Accompagnement"},
        },
    )


def _published_offer(slug: str) -> SupportOffer:
    return get_object_or_404(
        SupportOffer.objects.select_related("partner"), slug=slug, is_published=True
    )


def offer_detail(request, slug):
    """Who may see it: everyone. Contacts of a PTCE also see, for each of their PTCE, its
    enrolment and the enrol / cancel buttons."""
    offer = _published_offer(slug)
    own = []
    for ptce in services.ptces_for_user(request.user).order_by("name"):
        enrolment = Enrolment.objects.filter(offer=offer, ptce=ptce).first()
        if enrolment and enrolment.status == EnrolmentStatus.CANCELLED:
            enrolment = None
        own.append(
            {
                "ptce": ptce,
                "enrolment": enrolment,
                "reason": "" if enrolment else services.ineligibility_reason(offer, ptce),
            }
        )
    return render(
        request,
        "laureates/support/detail.html",
        {
            "offer": offer,
            "places_left": services.places_left(offer),
            "waiting_count": offer.enrolments.filter(status=EnrolmentStatus.WAITING).count(),
            "own": own,
            "is_national": is_national(request.user),
            "breadcrumb": _crumb(offer.title),
        },
    )


@require_POST
@login_required
def enrol(request, slug):
    """Who may do it: a contact of the PTCE posted (anyone else is refused, 403)."""
    offer = _published_offer(slug)
    ptce_id = request.POST.get("ptce", "")
    pk = id_param(ptce_id)
    ptce = Ptce.objects.filter(pk=pk).first() if pk is not None else None
    if ptce is None or not services.can_act_for(request.user, ptce):
        raise PermissionDenied("Vous n’êtes pas habilité à inscrire ce PTCE.")
    try:
        result = services.enrol(offer, ptce, user=request.user)
    except services.EnrolmentRefused as refusal:
        messages.error(request, str(refusal))
    else:
        if result.waiting:
            messages.warning(
                request,
                f"L’offre est complète : {ptce.name} est inscrit sur la liste d’attente. "
                "Vous serez prévenu par courriel si une place se libère.",
            )
        else:
            messages.success(request, f"Inscription de {ptce.name} confirmée.")
    return redirect(offer.get_absolute_url())


@require_POST
@login_required
def cancel(request, pk):
    """Who may do it: a contact of the enrolled PTCE, or the national cell."""
    enrolment = get_object_or_404(Enrolment.objects.select_related("offer", "ptce"), pk=pk)
    if not (services.can_act_for(request.user, enrolment.ptce) or is_national(request.user)):
        raise PermissionDenied("Vous n’êtes pas habilité à annuler cette inscription.")
    services.cancel(enrolment, user=request.user)
    messages.success(request, f"Inscription de {enrolment.ptce.name} annulée.")
    if is_national(request.user) and request.POST.get("next") == "manage":
        return redirect("laureates:support_manage", slug=enrolment.offer.slug)
    return redirect(enrolment.offer.get_absolute_url())


@national_required
def manage(request, slug):
    """Who may see it: the national cell and programme admins. Participants of one offer
    (confirmed, waiting list in order, cancelled) and their attendance."""
    offer = get_object_or_404(SupportOffer.objects.select_related("partner"), slug=slug)
    enrolments = list(
        offer.enrolments.select_related("ptce", "ptce__main_region", "enrolled_by").order_by(
            "queued_at", "pk"
        )
    )
    by_status = {status: [] for status in EnrolmentStatus.values}
    for enrolment in enrolments:
        by_status[enrolment.status].append(enrolment)
    return render(
        request,
        "laureates/support/manage.html",
        {
            "offer": offer,
            "confirmed": by_status[EnrolmentStatus.CONFIRMED],
            "waiting": by_status[EnrolmentStatus.WAITING],
            "cancelled": by_status[EnrolmentStatus.CANCELLED],
            "places_left": services.places_left(offer),
            "breadcrumb": _crumb(
                "Participants",
                extra=[{"url": offer.get_absolute_url(), "title": offer.title}]
                if offer.is_published
                else [],
            ),
        },
    )


@require_POST
@national_required
def attendance(request, pk):
    """Who may do it: the national cell and programme admins."""
    enrolment = get_object_or_404(Enrolment.objects.select_related("offer", "ptce"), pk=pk)
    attended = request.POST.get("attended") == "1"
    try:
        services.record_attendance(enrolment, attended=attended, actor=request.user)
    except services.EnrolmentRefused as refusal:
        messages.error(request, str(refusal))
    else:
        label = "présent" if attended else "absent"
        messages.success(request, f"{enrolment.ptce.name} noté {label}.")
    return redirect("laureates:support_manage", slug=enrolment.offer.slug)


@national_required
def consumption(request):
    """Who may see it: the national cell and programme admins. Offers followed and days and
    sessions attended per PTCE (a fixed number of queries whatever the number of PTCE)."""
    rows = list(services.consumption())
    return render(
        request,
        "laureates/support/consumption.html",
        {
            "rows": rows,
            "total_days": sum((row.days_attended for row in rows), 0),
            "breadcrumb": _crumb("Consommation par PTCE"),
        },
    )

"""Read-only outbox screens (access-logged) with a resend action for failed messages."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from backoffice.views.home import national_required
from core.models import OutboundEmail
from core.outbox import requeue_failed_email

S = OutboundEmail.Status
# filter value (French, in the URL) → (label, queryset filter)
STATES = {
    "en-attente": ("En attente", {"status": S.PENDING, "attempts": 0}),
    "nouvel-essai": ("Nouvel essai prévu", {"status": S.PENDING, "attempts__gt": 0}),
    "en-cours": ("En cours d’envoi", {"status": S.SENDING}),
    "envoye": ("Envoyés", {"status": S.SENT}),
    "echec": ("Échec définitif", {"status": S.FAILED}),
    "tous": ("Tous", {}),
}


def state_label(email: OutboundEmail) -> str:
    if email.status == S.PENDING and email.attempts:
        return "Nouvel essai prévu"
    return email.get_status_display()


def _crumbs(current, *links):
    base = [{"url": reverse("backoffice:home"), "title": "Administration du programme"}]
    return {"links": [*base, *links], "current": current}


@national_required
@require_GET
def outbox_list(request):
    """Who may see it: national cell and programme administrators (2FA); access-logged
    (recipients are personal data). Outbox by state, newest first, 50 a page."""
    state = request.GET.get("etat", "tous")
    if state not in STATES:
        state = "tous"
    queryset = OutboundEmail.objects.filter(**STATES[state][1]).order_by("-created_at", "-pk")
    page = Paginator(
        queryset.only(
            "created_at", "to", "subject", "template", "status", "attempts", "last_error", "sent_at"
        ),
        50,
    ).get_page(request.GET.get("page"))
    for email in page.object_list:
        email.state_label = state_label(email)
    counts = {key: OutboundEmail.objects.filter(**flt).count() for key, (_l, flt) in STATES.items()}
    return render(
        request,
        "backoffice/outbox_list.html",
        {
            "page_obj": page,
            "state": state,
            "states": [(k, label, counts[k]) for k, (label, _f) in STATES.items()],
            "query_string": f"etat={state}",
            "breadcrumb": _crumbs("Boîte d’envoi"),
        },
    )


@national_required
@require_GET
def outbox_detail(request, pk):
    """Who may see it: national cell and programme administrators (2FA); access-logged.
    One message as sent (recipients, subject, text, attempts, last error, attachments)."""
    email = get_object_or_404(OutboundEmail, pk=pk)
    email.state_label = state_label(email)
    return render(
        request,
        "backoffice/outbox_detail.html",
        {
            "email": email,
            "attachments": email.attachments.only("filename", "mimetype"),
            "breadcrumb": _crumbs(
                f"Courriel n° {email.pk}",
                {"url": reverse("backoffice:outbox_list"), "title": "Boîte d’envoi"},
            ),
        },
    )


@national_required
@require_POST
def outbox_resend(request, pk):
    """Who may see it: national cell and programme administrators (2FA). Puts a message that
    failed for good back in the queue (audited)."""
    email = get_object_or_404(OutboundEmail, pk=pk)
    try:
        requeue_failed_email(email, actor=request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Le courriel a été remis dans la file d’envoi.")
    return redirect("backoffice:outbox_detail", pk=email.pk)

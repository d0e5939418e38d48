"""Staff pages of webhooks. Who may see them: national cell and programme administrators
(second factor enforced by ``StaffTwoFactorMiddleware``); everybody else gets 403 (anonymous:
login page)."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_national, user_passes
from webhooks import services
from webhooks.forms import EndpointForm
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

national_required = user_passes(is_national)
SECRET_SESSION_KEY = "webhooks.secret.{}"  # noqa: S105 (a session key, not a secret)
DELIVERIES_SHOWN = 50


def _crumb(current: str, *, extra=()) -> dict:
    return {
        "links": [{"url": reverse("webhooks:list"), "title": "Webhooks"}, *extra],
        "current": current,
    }


@national_required
def endpoint_list(request):
    """Endpoints and the latest deliveries of all of them."""
    endpoints = WebhookEndpoint.objects.order_by("name", "pk")
    deliveries = WebhookDelivery.objects.select_related("endpoint", "event").order_by(
        "-created_at", "-pk"
    )[:20]
    return render(
        request,
        "webhooks/list.html",
        {
            "endpoints": endpoints,
            "deliveries": deliveries,
            "breadcrumb": {"links": [], "current": "Webhooks"},
        },
    )


@national_required
@require_http_methods(["GET", "POST"])
def endpoint_create(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = services.create_endpoint(**form.cleaned_data, actor=request.user)
        request.session[SECRET_SESSION_KEY.format(endpoint.pk)] = endpoint.secret
        messages.success(request, "Point de réception enregistré : notez son secret ci-dessous.")
        return redirect("webhooks:detail", pk=endpoint.pk)
    return render(
        request,
        "webhooks/form.html",
        {"form": form, "breadcrumb": _crumb("Nouveau point de réception")},
    )


@national_required
@require_http_methods(["GET", "POST"])
def endpoint_detail(request, pk):
    """Settings (editable), the secret once after creation or regeneration, deliveries with
    each attempt (code, duration, error)."""
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    initial = {
        "name": endpoint.name,
        "url": endpoint.url,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
    }
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_endpoint(endpoint, **form.cleaned_data, actor=request.user)
        messages.success(request, "Modifications enregistrées.")
        return redirect("webhooks:detail", pk=endpoint.pk)
    deliveries = (
        endpoint.deliveries.select_related("event")
        .prefetch_related(
            Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number"))
        )
        .order_by("-created_at", "-pk")[:DELIVERIES_SHOWN]
    )
    return render(
        request,
        "webhooks/detail.html",
        {
            "endpoint": endpoint,
            "form": form,
            "secret": request.session.pop(SECRET_SESSION_KEY.format(endpoint.pk), ""),
            "deliveries": deliveries,
            "breadcrumb": _crumb(endpoint.name),
        },
    )


@national_required
@require_POST
def regenerate_secret(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    request.session[SECRET_SESSION_KEY.format(endpoint.pk)] = services.regenerate_secret(
        endpoint, actor=request.user
    )
    messages.success(request, "Nouveau secret généré : l’ancien ne signe plus rien.")
    return redirect("webhooks:detail", pk=endpoint.pk)


@national_required
@require_POST
def endpoint_delete(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    services.delete_endpoint(endpoint, actor=request.user)
    messages.success(request, "Point de réception supprimé, avec son historique de livraisons.")
    return redirect("webhooks:list")


@national_required
def delivery_detail(request, pk):
    """The exact body sent and every attempt."""
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint", "event"), pk=pk)
    return render(
        request,
        "webhooks/delivery.html",
        {
            "delivery": delivery,
            "attempts": delivery.attempt_log.order_by("number"),
            "breadcrumb": _crumb(
                f"Livraison {delivery.uuid}",
                extra=[
                    {
                        "url": reverse("webhooks:detail", args=[delivery.endpoint_id]),
                        "title": delivery.endpoint.name,
                    }
                ],
            ),
        },
    )


@national_required
@require_POST
def redeliver(request, pk):
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    services.redeliver(delivery, actor=request.user)
    messages.success(request, "Nouvel envoi demandé ; il part en tâche de fond.")
    return redirect("webhooks:delivery", pk=delivery.pk)

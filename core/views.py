from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from core.context_processors import navigation_items


class PublicPage(TemplateView):
    """A public page of the shell. Who may see it: everyone."""

    page_title = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.page_title
        if self.page_title:
            context["breadcrumb"] = {"links": [], "current": self.page_title}
        return context


TILE_DESCRIPTIONS = {
    "calls:list": "Les appels ouverts, leurs dates limites et comment déposer un dossier.",
    "directory:list": "Tous les pôles labellisés ou financés, avec leurs membres et territoires.",
    "directory:map": "Les pôles et leurs territoires sur une carte de France.",
    "events:list": "Webinaires, rencontres régionales et sessions d’information à venir.",
    "laureates:support_list": "Les accompagnements proposés aux lauréats par les partenaires.",
    "directory:statistics": "Dossiers déposés, retenus et montants accordés, par appel et région.",
    "directory:open_data": "Les données du programme à télécharger (CSV, JSON, XLSX).",
    "dynamics:declare": "Faire connaître un projet de coopération qui n’est pas encore un PTCE.",
}


class HomeView(PublicPage):
    """Who may see it: everyone. Open calls first (next cut-off date), then one tile per
    section with a one-line description."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        from django.utils import timezone

        from calls.models import Call
        from core.context_processors import MAIN_NAVIGATION, _resolvable

        context = super().get_context_data(**kwargs)
        now = timezone.now()
        calls = Call.objects.open_at(now).prefetch_related("rounds").order_by("title")
        context["open_calls"] = [{"call": c, "cut_off": c.next_cut_off(now)} for c in calls]
        context["tiles"] = [
            {"label": label, "url": url, "description": TILE_DESCRIPTIONS.get(name, "")}
            for label, name in MAIN_NAVIGATION
            if name != "core:home" and (url := _resolvable(name)) is not None
        ]
        return context


class SitemapView(PublicPage):
    template_name = "core/sitemap.html"
    page_title = "Plan du site"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = navigation_items(self.request)
        return context


@never_cache
def health(request):
    """Liveness probe for load balancers. Who may see it: everyone (no data disclosed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readiness(request):
    """Readiness probe: database, migrations, worker heartbeat, outbox, tasks (core/health.py);
    200 when ready, 503 otherwise. Who may see it: everyone (figures only, no personal data)."""
    from core.health import readiness as run_checks

    result = run_checks()
    return JsonResponse(result, status=200 if result["ready"] else 503)


@never_cache
@require_safe
def metrics(request):
    """Prometheus metrics (core/metrics.py). Who may see it: the monitoring system sending
    ``Authorization: Bearer <PTCE_METRICS_TOKEN>``; without that token 401; nobody (404) when
    no token is configured."""
    from prometheus_client import CONTENT_TYPE_LATEST

    from core import metrics as platform_metrics

    if not settings.PTCE_METRICS_TOKEN:
        raise Http404
    if not platform_metrics.token_is_valid(request.headers.get("Authorization", "")):
        response = JsonResponse(
            {"detail": "Jeton d’accès aux métriques absent ou invalide."}, status=401
        )
        response["WWW-Authenticate"] = 'Bearer realm="metriques"'
        return response
    return HttpResponse(platform_metrics.render(), content_type=CONTENT_TYPE_LATEST)


def server_error(request):
    """Error page (500) for everyone, rendered without the database: when the database cannot
    be reached the answer is a 503 « service momentanément indisponible » asking to retry
    (nothing of the failed request was saved: every write is one transaction)."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponse, HttpResponseServerError
    from django.template import loader

    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
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


class HomeView(PublicPage):
    template_name = "core/home.html"


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

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

"""The site's URLs plus two pages that fail on purpose, to check the error pages in a browser.

Used with `@pytest.mark.urls("tests.browser.urls")` only."""

from django.core.exceptions import PermissionDenied
from django.urls import include, path


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("Erreur provoquée par le test des pages d’erreur.")


urlpatterns = [
    path("essai/interdit/", forbidden),
    path("essai/erreur/", broken),
    path("", include("ptce.urls")),
]

"""A URLconf where the application start page exists, to test the « Déposer un dossier » link
whether or not the applications app has shipped that page yet."""

from django.http import HttpResponse
from django.urls import include, path


def start(request, slug):
    return HttpResponse(slug)


urlpatterns = [
    path("", include("core.urls")),
    path("compte/", include("accounts.urls")),
    path("", include("calls.urls")),
    path("", include(([path("appels/<slug:slug>/deposer/", start, name="start")], "applications"))),
]

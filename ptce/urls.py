from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Administration de la Plateforme PTCE"
admin.site.site_title = "Plateforme PTCE"

urlpatterns = [
    path("", include("core.urls")),
    # The public directory and its API first: the most requested paths, resolved without
    # trying every other app's patterns (all its paths have their own prefixes).
    path("", include("directory.urls")),
    path("compte/", include("accounts.urls")),
    path("territoires/", include("territories.urls")),
    # Each app declares its own French paths (e.g. "appels/", "api/v1/…") in its urls.py.
    path("", include("registry.urls")),
    path("", include("calls.urls")),
    path("", include("applications.urls")),
    path("", include("reviews.urls")),
    path("", include("laureates.urls")),
    path("", include("events.urls")),
    path("", include("dynamics.urls")),
    path("", include("webhooks.urls")),
    path("", include("privacy.urls")),
    path("", include("backoffice.urls")),
    path("", include("editorial.urls")),
    path("admin/", admin.site.urls),
]

# DSFR error page; a 503 asking to retry when the database is unreachable (core/views.py).
handler500 = "core.views.server_error"

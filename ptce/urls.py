from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Administration de la Plateforme PTCE"
admin.site.site_title = "Plateforme PTCE"

urlpatterns = [
    path("", include("core.urls")),
    path("compte/", include("accounts.urls")),
    path("territoires/", include("territories.urls")),
    path("admin/", admin.site.urls),
]

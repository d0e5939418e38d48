from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path(
        "registre/etablissement/<str:siret>/",
        views.establishment,
        name="establishment",
    ),
]

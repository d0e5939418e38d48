from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("compte/mes-donnees/export.zip", views.export, name="export"),
    path("compte/mes-donnees/suppression/", views.erase, name="erase"),
]

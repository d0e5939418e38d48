from django.urls import path

from dynamics import views

app_name = "dynamics"

urlpatterns = [
    path("dynamiques-territoriales/", views.public_list, name="list"),
    path("dynamiques-territoriales/declarer/", views.declare, name="declare"),
    path("dynamiques-territoriales/declarer/merci/", views.declared, name="declared"),
    path("dynamiques-territoriales/<uuid:uuid>/candidater/", views.convert, name="convert"),
    path("dynamiques-territoriales/<slug:slug>/", views.public_detail, name="detail"),
    path("instruction/dynamiques/", views.moderation_list, name="moderation_list"),
    path(
        "instruction/dynamiques/<uuid:uuid>/",
        views.moderation_detail,
        name="moderation_detail",
    ),
    path(
        "instruction/dynamiques/<uuid:uuid>/supprimer/",
        views.moderation_delete,
        name="moderation_delete",
    ),
]

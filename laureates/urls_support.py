from django.urls import path

from laureates import views_support as views

urlpatterns = [
    path("accompagnement/", views.offer_list, name="support_list"),
    path("accompagnement/consommation/", views.consumption, name="support_consumption"),
    path("accompagnement/inscriptions/<int:pk>/annuler/", views.cancel, name="support_cancel"),
    path(
        "accompagnement/inscriptions/<int:pk>/presence/",
        views.attendance,
        name="support_attendance",
    ),
    path("accompagnement/<slug:slug>/", views.offer_detail, name="support_offer"),
    path("accompagnement/<slug:slug>/inscription/", views.enrol, name="support_enrol"),
    path("accompagnement/<slug:slug>/participants/", views.manage, name="support_manage"),
]

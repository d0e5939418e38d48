from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("appels/<slug:slug>/deposer/", views.start, name="start"),
    path("mes-dossiers/", views.dashboard, name="dashboard"),
    path("dossiers/invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("dossiers/<uuid:uuid>/", views.summary, name="summary"),
    path("dossiers/<uuid:uuid>/structure/", views.lead, name="lead"),
    path("dossiers/<uuid:uuid>/membres/", views.members, name="members"),
    path("dossiers/<uuid:uuid>/membres/<int:pk>/", views.member_edit, name="member_edit"),
    path(
        "dossiers/<uuid:uuid>/membres/<int:pk>/retirer/",
        views.member_delete,
        name="member_delete",
    ),
    path("dossiers/<uuid:uuid>/territoire/", views.territory, name="territory"),
    path("dossiers/<uuid:uuid>/projet/", views.project, name="project"),
    path("dossiers/<uuid:uuid>/enregistrement-auto/", views.autosave, name="autosave"),
    path("dossiers/<uuid:uuid>/budget/", views.budget, name="budget"),
    path("dossiers/<uuid:uuid>/pieces/", views.attachments, name="attachments"),
    path(
        "dossiers/<uuid:uuid>/pieces/<int:pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "dossiers/<uuid:uuid>/pieces/<int:pk>/supprimer/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path("dossiers/<uuid:uuid>/deposer/", views.submit, name="submit"),
    path("dossiers/<uuid:uuid>/depot-confirme/", views.submitted, name="submitted"),
    path(
        "dossiers/<uuid:uuid>/accuse-de-reception/<int:version>/",
        views.receipt,
        name="receipt",
    ),
    path("dossiers/<uuid:uuid>/retirer/", views.withdraw, name="withdraw"),
    path("dossiers/<uuid:uuid>/copier/", views.duplicate, name="duplicate"),
    path("dossiers/<uuid:uuid>/co-redacteurs/", views.invite, name="invite"),
]

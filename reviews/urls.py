from django.urls import path

from reviews import (
    views,
    views_committee,
    views_exports,
    views_national,
    views_opinions,
    views_tools,
    views_workload,
)

app_name = "reviews"

urlpatterns = [
    path("instruction/dossiers/", views.file_list, name="list"),
    path("instruction/dossiers/export.csv", views_exports.export_csv, name="export_csv"),
    path("instruction/dossiers/export.xlsx", views_exports.export_xlsx, name="export_xlsx"),
    path("instruction/dossiers/export.ods", views_exports.export_ods, name="export_ods"),
    path("instruction/attributions/", views.bulk_assign, name="bulk_assign"),
    path("instruction/dossiers/actions/", views_tools.bulk_action, name="bulk_action"),
    path("instruction/dossiers/vues/", views_tools.save_view, name="save_view"),
    path(
        "instruction/dossiers/vues/<int:pk>/supprimer/",
        views_tools.delete_view,
        name="delete_view",
    ),
    path("instruction/mes-evaluations/", views_workload.my_reviews, name="my_reviews"),
    path("instruction/charge/", views_workload.workload_view, name="workload"),
    path(
        "instruction/charge/attributions/<int:pk>/reattribuer/",
        views_workload.reassign,
        name="reassign",
    ),
    path(
        "instruction/dossiers/<uuid:uuid>/attribution/<int:pk>/echeance/",
        views_workload.due_date,
        name="due_date",
    ),
    path(
        "instruction/dossiers/<uuid:uuid>/complements/<int:pk>/delai/",
        views_workload.extend_correction,
        name="extend_correction",
    ),
    path("instruction/dossiers/<uuid:uuid>/", views.file_detail, name="file"),
    path("instruction/dossiers/<uuid:uuid>/evaluation/", views.score, name="score"),
    path(
        "instruction/dossiers/<uuid:uuid>/dossier.pdf",
        views_tools.file_pdf_view,
        name="file_pdf",
    ),
    path(
        "instruction/dossiers/<uuid:uuid>/pieces.zip",
        views_tools.attachments_zip,
        name="attachments_zip",
    ),
    path("instruction/dossiers/<uuid:uuid>/attribution/", views.assign, name="assign"),
    path(
        "instruction/dossiers/<uuid:uuid>/attribution/<int:pk>/retirer/",
        views.unassign,
        name="unassign",
    ),
    path(
        "instruction/dossiers/<uuid:uuid>/conflit-d-interets/",
        views.declare_conflict,
        name="declare_conflict",
    ),
    path("instruction/dossiers/<uuid:uuid>/orientation/", views.reroute, name="reroute"),
    path("instruction/dossiers/<uuid:uuid>/etat/", views.change_status, name="change_status"),
    path(
        "instruction/dossiers/<uuid:uuid>/complements/",
        views.request_correction,
        name="request_correction",
    ),
    path("instruction/dossiers/<uuid:uuid>/versions/", views.version_diff, name="versions"),
    path("instruction/dossiers/<uuid:uuid>/avis/", views_opinions.opinion, name="opinion"),
    path(
        "instruction/dossiers/<uuid:uuid>/avis/valider/",
        views_opinions.validate_opinion,
        name="validate_opinion",
    ),
    path(
        "instruction/classement-regional/",
        views_opinions.regional_ranking,
        name="regional_ranking",
    ),
    path("instruction/national/", views_national.consolidation, name="national"),
    path(
        "instruction/national/simulations/",
        views_national.simulation_list,
        name="simulations",
    ),
    path(
        "instruction/national/simulations/<int:pk>/",
        views_national.simulation_detail,
        name="simulation",
    ),
    path("instruction/comite/", views_committee.session_list, name="sessions"),
    path("instruction/comite/<int:pk>/", views_committee.session_detail, name="session"),
    path("instruction/comite/<int:pk>/publier/", views_committee.publish, name="publish"),
    path(
        "instruction/comite/<int:pk>/membres/",
        views_committee.session_members,
        name="session_members",
    ),
    path(
        "instruction/comite/<int:pk>/proces-verbal.pdf",
        views_committee.minutes,
        name="minutes",
    ),
    path(
        "dossiers/<uuid:uuid>/lettre-de-decision.pdf",
        views_committee.decision_letter,
        name="decision_letter",
    ),
    path("dossiers/<uuid:uuid>/messages/", views.message_list, name="messages"),
    path(
        "dossiers/<uuid:uuid>/messages/<int:pk>/piece-jointe/",
        views.message_attachment,
        name="message_attachment",
    ),
]

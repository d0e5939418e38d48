from django.urls import path

from events import views, views_staff

app_name = "events"

urlpatterns = [
    path("evenements/", views.event_list, name="list"),
    path("evenements/gestion/", views_staff.staff_event_list, name="staff_list"),
    path("evenements/gestion/nouveau/", views_staff.event_create, name="staff_create"),
    path(
        "evenements/inscription/<str:token>/annuler/",
        views.cancel_registration,
        name="cancel_registration",
    ),
    path(
        "evenements/inscription/<str:token>/confirmer/",
        views.confirm_registration,
        name="confirm_registration",
    ),
    path("evenements/<slug:slug>/", views.event_detail, name="detail"),
    path("evenements/<slug:slug>/agenda.ics", views.event_ics, name="ics"),
    path("evenements/<slug:slug>/acces/<str:token>/", views.personal_page, name="personal"),
    path(
        "evenements/<slug:slug>/acces/<str:token>/agenda.ics",
        views.personal_ics,
        name="personal_ics",
    ),
    path("evenements/<slug:slug>/gestion/", views.manage, name="manage"),
    path("evenements/<slug:slug>/gestion/modifier/", views_staff.event_edit, name="staff_edit"),
    path(
        "evenements/<slug:slug>/gestion/invitations/",
        views.send_invitations,
        name="send_invitations",
    ),
    path("evenements/<slug:slug>/gestion/annuler/", views.cancel_event, name="cancel"),
    path("evenements/<slug:slug>/gestion/presence/<int:pk>/", views.check_in, name="check_in"),
    path(
        "evenements/<slug:slug>/gestion/participants.<str:fmt>",
        views.export_participants,
        name="export",
    ),
]

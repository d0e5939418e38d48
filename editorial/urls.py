from django.urls import path

from editorial import views

app_name = "editorial"

urlpatterns = [
    path("gestion/courriers/", views.letter_list, name="letter_list"),
    path("gestion/courriers/<str:kind>/", views.letter_edit, name="letter_edit"),
    path("gestion/courriers/<str:kind>/apercu/", views.letter_preview, name="letter_preview"),
    path(
        "gestion/courriers/<str:kind>/versions/<int:version_id>/restaurer/",
        views.letter_restore,
        name="letter_restore",
    ),
    path("gestion/pages/", views.page_list, name="page_list"),
    path("gestion/pages/<str:key>/", views.page_edit, name="page_edit"),
    path(
        "gestion/pages/<str:key>/versions/<int:version_id>/restaurer/",
        views.page_restore,
        name="page_restore",
    ),
]

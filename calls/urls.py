from django.urls import path

from calls import views, views_builder
from directory.api import url_patterns

app_name = "calls"

urlpatterns = [
    path("appels/", views.CallListView.as_view(), name="list"),
    path("appels/<slug:slug>/", views.CallDetailView.as_view(), name="detail"),
    path("appels/<slug:slug>/documents/<int:pk>/", views.document, name="document"),
    *url_patterns("api_eligibility"),  # django-ninja operation (calls/api.py)
    path("gestion/appels/", views_builder.call_list, name="builder_list"),
    path("gestion/appels/nouveau/", views_builder.call_create, name="builder_create"),
    path("gestion/appels/<int:pk>/", views_builder.call_overview, name="builder_call"),
    path("gestion/appels/<int:pk>/presentation/", views_builder.call_edit, name="builder_edit"),
    path("gestion/appels/<int:pk>/grille/", views_builder.call_grid, name="builder_grid"),
    path(
        "gestion/appels/<int:pk>/echeancier/", views_builder.call_schedule, name="builder_schedule"
    ),
    path("gestion/appels/<int:pk>/publier/", views_builder.call_publish, name="builder_publish"),
    path(
        "gestion/appels/<int:pk>/depublier/",
        views_builder.call_unpublish,
        name="builder_unpublish",
    ),
    path(
        "gestion/appels/<int:pk>/dupliquer/",
        views_builder.call_duplicate,
        name="builder_duplicate",
    ),
    path(
        "gestion/appels/<int:pk>/<slug:section>/",
        views_builder.call_section,
        name="builder_section",
    ),
]

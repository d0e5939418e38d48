from django.urls import path

from directory import api, open_data, views, views_statistics

app_name = "directory"

urlpatterns = [
    path("annuaire/", views.directory_list, name="list"),
    path("annuaire/carte/", views.directory_map, name="map"),
    path("annuaire/<str:identifier>/", views.ptce_detail, name="detail"),
    path("statistiques/", views_statistics.statistics_page, name="statistics"),
    path("donnees-ouvertes/", open_data.open_data_page, name="open_data"),
    path("donnees-ouvertes/ptce.csv", open_data.dataset_csv, {"key": "ptce"}, name="ptce_csv"),
    path("donnees-ouvertes/ptce.json", open_data.dataset_json, {"key": "ptce"}, name="ptce_json"),
    path("donnees-ouvertes/ptce.xlsx", open_data.dataset_xlsx, {"key": "ptce"}, name="ptce_xlsx"),
    path(
        "donnees-ouvertes/ptce.schema.json",
        open_data.dataset_schema,
        {"key": "ptce"},
        name="ptce_schema",
    ),
    path(
        "donnees-ouvertes/laureats.csv", open_data.dataset_csv, {"key": "awards"}, name="awards_csv"
    ),
    path(
        "donnees-ouvertes/laureats.json",
        open_data.dataset_json,
        {"key": "awards"},
        name="awards_json",
    ),
    path(
        "donnees-ouvertes/laureats.xlsx",
        open_data.dataset_xlsx,
        {"key": "awards"},
        name="awards_xlsx",
    ),
    path(
        "donnees-ouvertes/laureats.schema.json",
        open_data.dataset_schema,
        {"key": "awards"},
        name="awards_schema",
    ),
    path(
        "donnees-ouvertes/statistiques-appels.csv",
        open_data.dataset_csv,
        {"key": "call_statistics"},
        name="call_statistics_csv",
    ),
    path(
        "donnees-ouvertes/statistiques-appels.json",
        open_data.dataset_json,
        {"key": "call_statistics"},
        name="call_statistics_json",
    ),
    path(
        "donnees-ouvertes/statistiques-appels.xlsx",
        open_data.dataset_xlsx,
        {"key": "call_statistics"},
        name="call_statistics_xlsx",
    ),
    path(
        "donnees-ouvertes/statistiques-appels.schema.json",
        open_data.dataset_schema,
        {"key": "call_statistics"},
        name="call_statistics_schema",
    ),
    path(
        "donnees-ouvertes/statistiques-labels.csv",
        open_data.dataset_csv,
        {"key": "label_statistics"},
        name="label_statistics_csv",
    ),
    path(
        "donnees-ouvertes/statistiques-labels.json",
        open_data.dataset_json,
        {"key": "label_statistics"},
        name="label_statistics_json",
    ),
    path(
        "donnees-ouvertes/statistiques-labels.xlsx",
        open_data.dataset_xlsx,
        {"key": "label_statistics"},
        name="label_statistics_xlsx",
    ),
    path(
        "donnees-ouvertes/statistiques-labels.schema.json",
        open_data.dataset_schema,
        {"key": "label_statistics"},
        name="label_statistics_schema",
    ),
    path("api/v1/", api.explorer, name="api_explorer"),
    path("api/v1/openapi.json", api.openapi_document, name="api_openapi"),
    # django-ninja operations (directory/api.py)
    *api.url_patterns(
        "api_ptce_list",
        "api_ptce_detail",
        "api_call_list",
        "api_award_list",
        "api_event_list",
        "api_staff_award_list",
    ),
]

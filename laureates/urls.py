from django.urls import path  # noqa: F401 - routes are added as the laureates pages land

app_name = "laureates"

urlpatterns: list = []

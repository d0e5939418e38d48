from django.urls import path  # noqa: F401 - routes are added as the calls pages land

app_name = "calls"

urlpatterns: list = []

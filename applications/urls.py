from django.urls import path  # noqa: F401 - routes are added as the applications pages land

app_name = "applications"

urlpatterns: list = []

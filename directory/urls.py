from django.urls import path  # noqa: F401 - routes are added as the directory pages land

app_name = "directory"

urlpatterns: list = []

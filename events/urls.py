from django.urls import path  # noqa: F401 - routes are added as the events pages land

app_name = "events"

urlpatterns: list = []

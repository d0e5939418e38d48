from django.urls import path  # noqa: F401 - routes are added as the reviews pages land

app_name = "reviews"

urlpatterns: list = []

from django.urls import path

from calls import api

app_name = "calls"

urlpatterns = [
    path("api/v1/eligibility", api.eligibility, name="api_eligibility"),
]

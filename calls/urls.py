from django.urls import path

from calls import api, views

app_name = "calls"

urlpatterns = [
    path("appels/", views.CallListView.as_view(), name="list"),
    path("appels/<slug:slug>/", views.CallDetailView.as_view(), name="detail"),
    path("appels/<slug:slug>/documents/<int:pk>/", views.document, name="document"),
    path("api/v1/eligibility", api.eligibility, name="api_eligibility"),
]

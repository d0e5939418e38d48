from django.urls import path

from laureates import views_followup as views

urlpatterns = [
    # Laureate space
    path("espace-laureat/", views.space, name="space"),
    path(
        "espace-laureat/conventions/<int:pk>/convention.pdf",
        views.agreement_download,
        name="agreement_pdf",
    ),
    path(
        "espace-laureat/conventions/<int:pk>/prise-de-connaissance/",
        views.agreement_acknowledge,
        name="agreement_acknowledge",
    ),
    path("espace-laureat/bilans/<int:pk>/", views.report_edit, name="report_edit"),
    # Staff (national cell; regional cells read-only for their région)
    path("suivi-laureats/", views.followup_list, name="followup_list"),
    path("suivi-laureats/bilans-en-retard/", views.overdue, name="followup_overdue"),
    path("suivi-laureats/versements.csv", views.payments_export, name="followup_payments_csv"),
    path(
        "suivi-laureats/decisions/<int:pk>/convention/",
        views.generate_agreement,
        name="followup_generate",
    ),
    path("suivi-laureats/conventions/<int:pk>/", views.agreement_detail, name="followup_agreement"),
    path(
        "suivi-laureats/conventions/<int:pk>/signature/",
        views.agreement_sign,
        name="followup_sign",
    ),
    path("suivi-laureats/versements/<int:pk>/", views.payment_record, name="followup_payment"),
    path("suivi-laureats/bilans/<int:pk>/", views.report_review, name="followup_report"),
    path("suivi-laureats/ptce/<int:pk>/statut/", views.ptce_status, name="ptce_status"),
]

from django.urls import path

from accounts import proconnect, views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("inscription/", views.signup, name="signup"),
    path("inscription/envoyee/", views.signup_done, name="signup_done"),
    path("confirmer/<str:token>/", views.confirm_email, name="confirm_email"),
    path("confirmer-a-nouveau/", views.resend_confirmation, name="resend_confirmation"),
    path("double-authentification/", views.otp_setup, name="otp_setup"),
    path("double-authentification/verifier/", views.otp_verify, name="otp_verify"),
    path("mot-de-passe/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/envoye/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/termine/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

if proconnect.is_configured():
    # Only when ProConnect is configured: otherwise these addresses do not exist at all.
    urlpatterns += [
        path("proconnect/connexion/", views.proconnect_login, name="proconnect_login"),
        path("proconnect/retour/", views.proconnect_callback, name="proconnect_callback"),
        path(
            "proconnect/deconnexion/",
            views.proconnect_logged_out,
            name="proconnect_logged_out",
        ),
    ]

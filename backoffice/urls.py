from django.urls import path

from backoffice.views import emails, home, journal, outbox

app_name = "backoffice"

urlpatterns = [
    path("gestion/", home.home, name="home"),
    path("gestion/courriels/", emails.email_list, name="email_list"),
    path("gestion/courriels/<slug:key>/", emails.email_edit, name="email_edit"),
    path("gestion/courriels/<slug:key>/historique/", emails.email_history, name="email_history"),
    path(
        "gestion/courriels/<slug:key>/versions/<int:number>/retablir/",
        emails.email_restore,
        name="email_restore",
    ),
    path("gestion/courriels/<slug:key>/texte-d-origine/", emails.email_reset, name="email_reset"),
    path("gestion/boite-d-envoi/", outbox.outbox_list, name="outbox_list"),
    path("gestion/boite-d-envoi/<int:pk>/", outbox.outbox_detail, name="outbox_detail"),
    path("gestion/boite-d-envoi/<int:pk>/renvoyer/", outbox.outbox_resend, name="outbox_resend"),
    path("gestion/journal/", journal.audit_list, name="audit_list"),
    path("gestion/journal/verifier/", journal.audit_verify, name="audit_verify"),
]

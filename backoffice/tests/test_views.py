"""Programme administration screens through HTTP: e-mail templates, outbox, audit log."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from accounts.factories import UserFactory, login_staff
from core import audit
from core.models import AuditLog, OutboundEmail
from mailing.models import EmailTemplate
from privacy.models import AccessLog

pytestmark = pytest.mark.django_db

EDIT = "/gestion/courriels/application_receipt/"


@pytest.fixture
def national(client):
    user = UserFactory(national=True, email="cellule@exemple.gouv.fr")
    login_staff(client, user)
    return user


def _post(client, **data):
    template = EmailTemplate.objects.get(key="application_receipt", call=None)
    payload = {"subject": template.subject, "body": template.body, "version": template.version}
    payload.update(data)
    return client.post(EDIT, payload)


def test_landing_lists_the_sections(client, national):
    html = client.get("/gestion/").content.decode()
    assert 'href="/gestion/courriels/"' in html
    assert 'href="/gestion/boite-d-envoi/"' in html
    assert 'href="/gestion/journal/"' in html


def test_list_shows_every_email(client, national):
    html = client.get("/gestion/courriels/").content.decode()
    assert html.count('href="/gestion/courriels/') == 32
    assert "Accusé de réception du dossier déposé" in html


def test_edit_page_lists_placeholders(client, national):
    html = client.get(EDIT).content.decode()
    assert "<code>{{ submission.sha256 }}</code>" in html
    assert "Empreinte SHA-256 du contenu déposé" in html


def test_save_then_redirect_and_new_version(client, national):
    response = _post(client, body="Bonjour,\n\nDossier {{ application.reference }} reçu.\n")
    assert response.status_code == 302
    template = EmailTemplate.objects.get(key="application_receipt", call=None)
    assert template.version == 2
    assert template.body == "Bonjour,\n\nDossier {{ application.reference }} reçu.\n"


def test_unknown_placeholder_shown_as_form_error_and_nothing_saved(client, national):
    response = _post(client, body="Bonjour {{ candidat.nom }}")
    assert response.status_code == 200
    assert (
        "L’emplacement « {{ candidat.nom }} » n’existe pas pour ce courriel."
        in response.content.decode()
    )
    assert EmailTemplate.objects.get(key="application_receipt", call=None).version == 1


def test_one_megabyte_body_refused_clearly(client, national):
    response = _post(client, body="a" * 1_048_576)
    assert response.status_code == 200
    assert "Le texte est trop long (1\u202f048\u202f576 caractères)" in response.content.decode()
    assert EmailTemplate.objects.get(key="application_receipt", call=None).version == 1


def test_concurrent_edit_gets_409_and_keeps_the_first_text(client, national):
    other = UserFactory(admin=True)
    from mailing import services

    services.save_template(
        "application_receipt",
        subject="Autre",
        body="Texte de l’autre",
        expected_version=1,
        actor=other,
    )
    response = _post(client, subject="Le mien", body="Mon texte", version=1)
    assert response.status_code == 409
    html = response.content.decode()
    assert "modifié par quelqu’un d’autre pendant que vous le modifiiez" in html
    assert "Texte de l’autre" in html
    template = EmailTemplate.objects.get(key="application_receipt", call=None)
    assert (template.subject, template.version) == ("Autre", 2)


def test_preview_renders_demo_data_without_saving(client, national):
    response = _post(client, action="preview", body="**Bonjour** {{ application.display_name }}")
    html = response.content.decode()
    assert "<strong>Bonjour</strong> Pôle coopératif du Cantal" in html
    assert EmailTemplate.objects.get(key="application_receipt", call=None).version == 1


def test_send_test_queues_to_oneself(client, national):
    _post(client, action="test")
    email = OutboundEmail.objects.get(template="test:application_receipt")
    assert email.to == ["cellule@exemple.gouv.fr"]


def test_script_in_body_is_escaped_in_preview(client, national):
    response = _post(client, action="preview", body="<script>alert(1)</script>")
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_reviewer_is_refused(client):
    login_staff(client, UserFactory(reviewer=True))
    assert client.get(EDIT).status_code == 403
    assert client.get("/gestion/journal/").status_code == 403


def _email(status, attempts=0, subject="Objet"):
    return OutboundEmail.objects.create(
        to=["x@exemple.fr"],
        subject=subject,
        body="b",
        status=status,
        attempts=attempts,
        next_attempt_at=timezone.now(),
    )


def test_outbox_filters_by_state_and_logs_access(client, national):
    _email(OutboundEmail.Status.PENDING, 0, "Attente")
    _email(OutboundEmail.Status.PENDING, 2, "Réessai")
    _email(OutboundEmail.Status.FAILED, 7, "Échoué")
    _email(OutboundEmail.Status.SENT, 1, "Parti")
    html = client.get("/gestion/boite-d-envoi/?etat=nouvel-essai").content.decode()
    assert "Réessai" in html and "Attente" not in html and "Parti" not in html
    html = client.get("/gestion/boite-d-envoi/?etat=echec").content.decode()
    assert "Échoué" in html and "Réessai" not in html
    assert AccessLog.objects.filter(route="backoffice:outbox_list", user=national).count() == 2


def test_resend_failed_email_requeues_and_audits(
    client, national, django_capture_on_commit_callbacks
):
    failed = _email(OutboundEmail.Status.FAILED, 7)
    with django_capture_on_commit_callbacks():
        response = client.post(f"/gestion/boite-d-envoi/{failed.pk}/renvoyer/")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (OutboundEmail.Status.PENDING, 0)
    assert AuditLog.objects.filter(action="outbox.resend", object_id=str(failed.pk)).count() == 1


def test_resend_refused_for_a_sent_email(client, national):
    sent = _email(OutboundEmail.Status.SENT, 1)
    client.post(f"/gestion/boite-d-envoi/{sent.pk}/renvoyer/")
    sent.refresh_from_db()
    assert sent.status == OutboundEmail.Status.SENT
    assert not AuditLog.objects.filter(action="outbox.resend").exists()


def test_audit_log_filters(client, national):
    actor = UserFactory(national=True, email="auteur@exemple.gouv.fr")
    audit.record("mailing.template_saved", actor=actor, label="Accusé")
    audit.record("outbox.resend", actor=None, label="Autre")
    html = client.get("/gestion/journal/?auteur=auteur@&action=mailing").content.decode()
    assert "1 entrée" in html and "mailing.template_saved" in html and "outbox.resend" not in html
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    html = client.get(f"/gestion/journal/?du={tomorrow}").content.decode()
    assert "0 entrée" in html
    html = client.get("/gestion/journal/?du=pas-une-date").content.decode()
    assert "Date invalide." in html
    assert AccessLog.objects.filter(route="backoffice:audit_list").count() == 3


def test_verify_chain_reports_intact_then_altered(client, national):
    audit.record("test.one", label="Un")
    audit.record("test.two", label="Deux")
    html = client.post("/gestion/journal/verifier/").content.decode()
    assert "Journal intègre : 2 entrées vérifiées." in html
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditLog._meta.db_table} SET object_label = %s WHERE sequence = 1",
            ["Falsifié"],
        )
    html = client.post("/gestion/journal/verifier/").content.decode()
    assert "Journal altéré : 1 anomalie sur 2 entrées" in html
    assert "Entrée n° 1 : contenu modifié après écriture" in html


def test_verify_chain_with_a_wrong_key_lists_the_first_problems(client, national, settings):
    for n in range(60):
        audit.record("test.many", label=str(n))
    settings.AUDIT_KEY = "une-autre-cle-" + "w" * 40
    html = client.post("/gestion/journal/verifier/").content.decode()
    assert "Journal altéré : 61 anomalies sur 60 entrées" in html
    assert "Entrée n° 1 : aucune des 60 entrées scellées par la clé « dev » ne se vérifie" in html
    assert html.count("<li>Entrée n°") == 50
    assert "Les 50 premières sont listées" in html

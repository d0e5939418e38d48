"""Correction requests, versions with diffs, and messaging (SPEC §5.3)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.factories import UserFactory, login_staff
from applications import services as application_services
from applications.choices import ApplicationStatus as S
from core.models import AuditLog
from reviews import services
from reviews.factories import reviewers, submitted_file
from reviews.models import Assignment, CorrectionRequest, Message
from reviews.versions import diff_snapshots

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _request(client, application, sections=("projet",), days=10):
    deadline = (timezone.localdate() + timedelta(days=days)).isoformat()
    return client.post(
        f"/instruction/dossiers/{application.uuid}/complements/",
        {"sections": list(sections), "message": "Précisez le diagnostic.", "deadline": deadline},
    )


def test_correction_cycle_only_requested_sections_then_new_version_with_diff(
    client, django_capture_on_commit_callbacks
):
    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _request(client, application)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.CORRECTION_REQUESTED
    correction = CorrectionRequest.objects.get(application=application)
    assert correction.sections == ["projet"]
    [email] = mail.outbox
    assert email.to == [application.owner.email]
    assert "Sections à reprendre : Projet." in email.body
    assert "Précisez le diagnostic." in email.body

    owner = application.owner
    client.force_login(owner)
    summary = client.get(f"/dossiers/{application.uuid}/").content.decode()
    assert "Demande de compléments" in summary
    assert "Modifier « Projet »" in summary
    assert "Modifier « Structure porteuse »" not in summary
    # A section not requested: refused server-side, nothing saved.
    before = application.lead_name
    response = client.post(f"/dossiers/{application.uuid}/structure/", {"lead_name": "Autre"})
    assert response.status_code == 302
    assert response.url == f"/dossiers/{application.uuid}/"
    application.refresh_from_db()
    assert application.lead_name == before
    assert client.get(f"/dossiers/{application.uuid}/budget/").status_code == 302
    refused = client.post(f"/dossiers/{application.uuid}/enregistrement-auto/", {"pole_name": "x"})
    assert refused.status_code == 200 or refused.status_code == 403
    # The requested section is editable.
    assert client.get(f"/dossiers/{application.uuid}/projet/").status_code == 200
    saved = client.post(
        f"/dossiers/{application.uuid}/enregistrement-auto/",
        {"diagnosis": "Un diagnostic précisé avec des chiffres."},
    )
    assert saved.json()["saved"] is True
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        application_services.submit(application, actor=owner)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.submissions.count() == 2
    correction.refresh_from_db()
    assert correction.answered_version == 2 and correction.answered_at is not None
    assert any(m.to == [reviewer.email] and "version 2" in m.subject for m in mail.outbox)

    login_staff(client, reviewer)
    page = client.get(f"/instruction/dossiers/{application.uuid}/versions/?de=1&a=2")
    assert page.status_code == 200
    [change] = [c for c in page.context["changes"] if c.field == "Diagnostic territorial"]
    assert change.section == "Projet"
    assert change.before == "Un territoire rural où les services reculent."
    assert change.after == "Un diagnostic précisé avec des chiffres."
    assert "Diagnostic territorial" in page.content.decode()
    assert (
        client.get(f"/instruction/dossiers/{application.uuid}/versions/?de=1&a=9").status_code
        == 404
    )


def test_autosave_refused_outside_requested_sections(client):
    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    services.request_correction(
        application,
        actor=reviewer,
        sections=["budget"],
        message="Budget à détailler.",
        deadline=timezone.localdate() + timedelta(days=5),
    )
    client.force_login(application.owner)
    response = client.post(f"/dossiers/{application.uuid}/enregistrement-auto/", {"pole_name": "x"})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.pole_name == "Pôle des Monts du Lyonnais"


def test_correction_request_in_the_wrong_state_is_refused(client):
    application = submitted_file()
    national = UserFactory(national=True)
    from applications import states

    states.change_status(application, S.UNDER_REVIEW, actor=national)
    states.change_status(application, S.REVIEWED, actor=national)
    with pytest.raises(services.ReviewError, match="« Instruit » ne peut pas faire l’objet"):
        services.request_correction(
            application,
            actor=national,
            sections=["projet"],
            message="x",
            deadline=timezone.localdate() + timedelta(days=3),
        )
    login_staff(client, national)
    response = _request(client, application)
    assert response.status_code == 409
    assert "ne peut pas faire l’objet d’une demande de compléments" in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_correction_request_bad_input():
    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(services.ReviewError, match="au moins une section"):
        services.request_correction(
            application, actor=reviewer, sections=["inconnue"], message="x", deadline=tomorrow
        )
    with pytest.raises(services.ReviewError, match="postérieure"):
        services.request_correction(
            application,
            actor=reviewer,
            sections=["projet"],
            message="x",
            deadline=timezone.localdate(),
        )
    stranger = UserFactory(reviewer=True, region_id="32")
    with pytest.raises(services.ReviewError, match="ne pouvez pas"):
        services.request_correction(
            application, actor=stranger, sections=["projet"], message="x", deadline=tomorrow
        )
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_messages_both_ways_with_attachment_and_notifications(
    client, django_capture_on_commit_callbacks
):
    application = submitted_file()
    reviewer = reviewers(count=1)[0]
    Assignment.objects.create(application=application, reviewer=reviewer)
    login_staff(client, reviewer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/dossiers/{application.uuid}/messages/",
            {
                "body": "Pouvez-vous joindre vos statuts signés ?",
                "attachment": SimpleUploadedFile("modele.pdf", PDF, "application/pdf"),
            },
        )
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.from_staff, message.attachment_name) == (True, "modele.pdf")
    [email] = mail.outbox
    assert email.to == [application.owner.email]
    assert "L’équipe d’instruction vous a écrit" in email.body
    assert "statuts" not in email.body  # the content stays on the platform

    client.force_login(application.owner)
    page = client.get(f"/dossiers/{application.uuid}/messages/")
    assert "Pouvez-vous joindre vos statuts signés ?" in page.content.decode()
    download = client.get(f"/dossiers/{application.uuid}/messages/{message.pk}/piece-jointe/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/dossiers/{application.uuid}/messages/", {"body": "Les voici."})
    assert Message.objects.filter(from_staff=False).count() == 1
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert AuditLog.objects.filter(action="review.message_posted").count() == 2


def test_message_attachment_refused_by_upload_checks(client):
    application = submitted_file()
    client.force_login(application.owner)
    response = client.post(
        f"/dossiers/{application.uuid}/messages/",
        {
            "body": "Voici",
            "attachment": SimpleUploadedFile("x.pdf", b"MZ\x90\x00", "application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "attachment" in response.context["form"].errors
    assert not Message.objects.exists()


def test_another_candidate_cannot_read_the_messages(client):
    application = submitted_file()
    services.post_message(application, author=application.owner, body="Bonjour")
    client.force_login(UserFactory())
    assert client.get(f"/dossiers/{application.uuid}/messages/").status_code == 404
    message = Message.objects.get()
    url = f"/dossiers/{application.uuid}/messages/{message.pk}/piece-jointe/"
    assert client.get(url).status_code == 404


def test_diff_snapshots_names_fields_in_french():
    old = {
        "lead": {"name": "A", "legal_form": "association", "contact": {"email": "a@x.fr"}},
        "members": [{"siret": "1", "name": "M1", "category": "other", "kind": "organisation"}],
        "territory": {"communes": [{"code": "69238", "name": "Saint-Symphorien"}]},
        "project": {"themes": ["food"], "maturity": "emerging"},
        "budget": {
            "lines": [{"kind": "expense", "category": "staff", "year": 1, "amount": "100.00"}]
        },
        "attachments": [],
    }
    new = {
        "lead": {"name": "A", "legal_form": "cooperative", "contact": {"email": "b@x.fr"}},
        "members": [
            {"siret": "1", "name": "M1", "category": "local_authority", "kind": "organisation"},
            {"siret": "2", "name": "M2", "category": "other", "kind": "organisation"},
        ],
        "territory": {"communes": [{"code": "69062", "name": "Chazelles"}]},
        "project": {"themes": ["food", "mobility"], "maturity": "emerging"},
        "budget": {
            "lines": [{"kind": "expense", "category": "staff", "year": 1, "amount": "150.00"}]
        },
        "attachments": [{"kind": "statutes", "name": "statuts.pdf", "sha256": "ab", "size": 1}],
    }
    rows = [(c.section, c.field, c.before, c.after) for c in diff_snapshots(old, new)]
    assert (
        "Structure porteuse",
        "Forme juridique",
        "Association loi 1901",
        "Coopérative (SCOP, SCIC, SCA…)",
    ) in rows
    assert ("Structure porteuse", "Adresse électronique du contact", "a@x.fr", "b@x.fr") in rows
    assert ("Membres du pôle", "Membre « M2 »", "—", "ajouté") in rows
    assert (
        "Membres du pôle",
        "Membre « M1 » : catégorie (article 9)",
        "Autre personne physique ou morale",
        "Collectivité territoriale ou groupement",
    ) in rows
    assert ("Territoire", "Communes ajoutées", "—", "Chazelles (69062)") in rows
    assert ("Territoire", "Communes retirées", "Saint-Symphorien (69238)", "—") in rows
    assert ("Projet", "Thématiques", "Alimentation", "Alimentation, Mobilité") in rows
    assert ("Pièces justificatives", "Pièce « Statuts »", "—", "statuts.pdf (ajoutée)") in rows
    [budget] = [r for r in rows if r[0] == "Budget"]
    assert budget[1] == "Dépense « Frais de personnel », année 1"

"""Personal data (RGPD): export of everything about a candidate, erasure that keeps the
evidence, log of staff access."""

import io
import json
import zipfile

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.factories import UserFactory, login_staff
from applications.choices import ApplicationStatus
from applications.factories import complete_application
from applications.models import Application, Attachment, Submission
from core import audit
from core.models import AuditLog
from privacy.models import AccessLog
from reviews.factories import call_with_grid, submitted_file
from tests.security.matrix_world import PDF, attach

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


@pytest.fixture
def candidate_files():
    owner = UserFactory(email="camille@exemple.fr", first_name="Camille", last_name="Martin")
    call = call_with_grid()
    draft = complete_application(owner=owner, call=call)
    draft_piece = attach(draft, owner)
    submitted = complete_application(owner=owner, call=call)
    submitted.contact_email = "camille@exemple.fr"
    submitted.save()
    attach(submitted, owner)
    from applications import services

    services.submit(submitted, actor=owner)
    submitted.refresh_from_db()
    other = submitted_file(call=call)
    return owner, draft, draft_piece, submitted, other


def test_candidate_downloads_all_their_data_in_one_zip(client, candidate_files):
    owner, draft, _, submitted, other = candidate_files
    shared = complete_application(owner=UserFactory(), call=draft.call)
    shared.co_editors.add(owner)
    client.force_login(owner)
    page = client.get(reverse("accounts:dashboard"))
    assert reverse("privacy:export") in page.content.decode()
    response = client.get(reverse("privacy:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "mes-donnees-plateforme-ptce.zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("donnees.json"))
    assert data["compte"]["email"] == "camille@exemple.fr"
    uuids = {row["uuid"] for row in data["dossiers"]}
    assert uuids == {str(draft.uuid), str(submitted.uuid), str(shared.uuid)}
    assert str(other.uuid) not in json.dumps(data)
    assert len(data["dépôts"]) == 1 and data["membres"] and data["pièces"]
    pieces = [n for n in archive.namelist() if n.startswith("pieces/")]
    assert len(pieces) == 2
    assert any(n.startswith(f"pieces/{submitted.reference}/") for n in pieces)
    assert all(archive.read(n) == PDF for n in pieces)
    assert AuditLog.objects.filter(action="personal_data.exported", actor=owner).count() == 1


def test_export_needs_to_be_signed_in(client):
    response = client.get(reverse("privacy:export"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_erasure_removes_drafts_and_identity_and_keeps_evidence(
    client, candidate_files, django_capture_on_commit_callbacks
):
    owner, draft, draft_piece, submitted, _ = candidate_files
    stored = draft_piece.file.name
    storage = draft_piece.file.storage
    assert storage.exists(stored)
    from events.factories import EventFactory, RegistrationFactory

    RegistrationFactory(event=EventFactory(), email="camille@exemple.fr", user=owner)
    other_device = Client()
    other_device.force_login(owner)
    client.force_login(owner)
    page = client.get(reverse("privacy:erase"))
    assert page.status_code == 200
    assert "1 brouillon" in page.content.decode()
    refused = client.post(reverse("privacy:erase"), {"confirmation": "oui"})
    assert refused.status_code == 200
    assert "Saisissez « SUPPRIMER »" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:erase"), {"confirmation": "supprimer"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("core:home")
    assert "Votre compte et vos données personnelles ont été supprimés" in response.content.decode()
    assert submitted.reference in response.content.decode()
    # Removed: the draft and its piece, the identity, sessions, registrations.
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not Attachment.objects.filter(pk=draft_piece.pk).exists()
    assert not storage.exists(stored)
    owner.refresh_from_db()
    assert owner.email == f"compte-supprime-{owner.pk}@anonyme.invalid"
    assert (owner.first_name, owner.last_name, owner.is_active) == ("", "", False)
    assert not owner.has_usable_password()
    assert not Session.objects.exists()
    assert other_device.get(reverse("accounts:dashboard")).status_code == 302
    from events.models import Registration

    assert not Registration.objects.filter(email__iexact="camille@exemple.fr").exists()
    # Kept: the submitted file (without the contact's identity), its submission, the audit.
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED and submitted.owner_id == owner.pk
    assert submitted.contact_email == ""
    assert Submission.objects.filter(application=submitted).count() == 1
    entry = AuditLog.objects.get(action="personal_data.erased")
    assert "camille" not in entry.object_label
    assert entry.after["dossiers_conservés"] == [submitted.reference]
    assert audit.verify_chain() == []
    signin = client.post(
        reverse("accounts:login"),
        {"username": "camille@exemple.fr", "password": "motdepasse-de-test"},
    )
    assert signin.status_code == 200  # the form again: no such account any more


def test_staff_accounts_are_not_erased_from_the_candidate_page(client):
    reviewer = UserFactory(reviewer=True, region_id="84")
    login_staff(client, reviewer)
    assert client.get(reverse("privacy:erase")).status_code == 403
    assert client.post(reverse("privacy:erase"), {"confirmation": "SUPPRIMER"}).status_code == 403
    reviewer.refresh_from_db()
    assert reviewer.is_active


def test_staff_access_to_personal_data_is_logged(client, candidate_files):
    owner, _, _, submitted, _ = candidate_files
    reviewer = UserFactory(reviewer=True, region_id=submitted.region_id, email="eva@exemple.fr")
    login_staff(client, reviewer)
    assert client.get(reverse("reviews:file", args=[submitted.uuid])).status_code == 200
    piece = submitted.attachments.get()
    download = client.get(
        reverse("applications:attachment_download", args=[submitted.uuid, piece.pk])
    )
    assert download.status_code == 200
    b"".join(download.streaming_content)
    assert client.get(reverse("reviews:export_csv")).status_code == 200
    logs = list(AccessLog.objects.order_by("pk"))
    assert [(log.route, log.user_id, log.user_label) for log in logs] == [
        ("reviews:file", reviewer.pk, "eva@exemple.fr"),
        ("applications:attachment_download", reviewer.pk, "eva@exemple.fr"),
        ("reviews:export_csv", reviewer.pk, "eva@exemple.fr"),
    ]
    assert logs[0].object_id == str(submitted.uuid)
    assert logs[1].path.endswith(f"/pieces/{piece.pk}/")
    # The candidate's own access is not logged; a refused access is not either.
    owner_client = Client()
    owner_client.force_login(owner)
    assert (
        owner_client.get(reverse("applications:summary", args=[submitted.uuid])).status_code == 200
    )
    other_region = UserFactory(reviewer=True, region_id="11")
    login_staff(owner_client, other_region)
    assert owner_client.get(reverse("reviews:file", args=[submitted.uuid])).status_code == 404
    assert AccessLog.objects.count() == 3


def test_programme_admin_reads_the_access_log_but_cannot_change_it(client, candidate_files):
    _, _, _, submitted, _ = candidate_files
    reviewer = UserFactory(reviewer=True, region_id=submitted.region_id, email="eva@exemple.fr")
    staff = Client()
    login_staff(staff, reviewer)
    staff.get(reverse("reviews:file", args=[submitted.uuid]))
    admin = UserFactory(admin=True)
    login_staff(client, admin)
    page = client.get(reverse("admin:privacy_accesslog_changelist"))
    assert page.status_code == 200
    assert "eva@exemple.fr" in page.content.decode()
    log = AccessLog.objects.get()
    assert client.post(reverse("admin:privacy_accesslog_delete", args=[log.pk])).status_code == 403
    assert AccessLog.objects.count() == 1


def test_staff_access_to_new_personal_data_routes_is_logged(client, candidate_files):
    """PDF and zip of a file, ODS export, laureates' follow-up, declarations of local dynamics
    and the staff API (bearer token): each successful staff access leaves one row."""
    from directory.tokens import issue_token
    from dynamics.factories import LocalDynamicFactory
    from laureates.factories import funded_award

    _, _, _, submitted, _ = candidate_files
    agreement = funded_award().agreement
    dynamic = LocalDynamicFactory()
    national = UserFactory(national=True, email="nina@exemple.fr")
    login_staff(client, national)
    urls = {
        "reviews:file_pdf": reverse("reviews:file_pdf", args=[submitted.uuid]),
        "reviews:attachments_zip": reverse("reviews:attachments_zip", args=[submitted.uuid]),
        "reviews:export_ods": reverse("reviews:export_ods"),
        "laureates:followup_list": reverse("laureates:followup_list"),
        "laureates:followup_overdue": reverse("laureates:followup_overdue"),
        "laureates:followup_payments_csv": reverse("laureates:followup_payments_csv"),
        "laureates:followup_agreement": reverse(
            "laureates:followup_agreement", args=[agreement.pk]
        ),
        "laureates:followup_report": reverse(
            "laureates:followup_report", args=[agreement.reports.first().pk]
        ),
        "laureates:agreement_pdf": reverse("laureates:agreement_pdf", args=[agreement.pk]),
        "dynamics:moderation_list": reverse("dynamics:moderation_list"),
        "dynamics:moderation_detail": reverse("dynamics:moderation_detail", args=[dynamic.uuid]),
    }
    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    _, raw = issue_token(national, name="export")
    api = Client().get("/api/v1/staff/awards", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 200
    logs = list(AccessLog.objects.order_by("pk"))
    assert [log.route for log in logs] == [*urls, "directory:api_staff_award_list"]
    assert {log.user_label for log in logs} == {"nina@exemple.fr"}
    assert logs[0].object_id == str(submitted.uuid)
    assert logs[6].object_id == str(agreement.pk)
    # A refused access is not logged.
    Client().get("/api/v1/staff/awards", HTTP_AUTHORIZATION="Bearer ptce_faux")
    assert AccessLog.objects.count() == len(urls) + 1

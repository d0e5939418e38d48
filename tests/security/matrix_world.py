"""Objects of the authorization matrix: one of each kind, with an owner, a co-editor and staff
of every role (tests/security/test_authorization_matrix.py)."""

import hashlib
from types import SimpleNamespace

from django.core.files.base import ContentFile

from accounts.factories import UserFactory
from applications import services
from applications.factories import CallFactory, complete_application
from applications.models import Attachment, CoEditorInvitation

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ARA = "84"  # Auvergne-Rhône-Alpes: the files' communes are in the Rhône
OTHER_REGION = "11"  # Île-de-France

ROLES = [
    "anonymous",
    "owner",
    "other_candidate",
    "co_editor",
    "reviewer",
    "reviewer_other_region",
    "cell_lead",
    "national",
    "committee",
    "admin",
]
STAFF_ROLES = {
    "reviewer",
    "reviewer_other_region",
    "cell_lead",
    "national",
    "committee",
    "admin",
}


def attach(application, owner):
    attachment = Attachment(
        application=application,
        kind="other",
        original_name="annexe.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=owner,
    )
    attachment.file.save("annexe.pdf", ContentFile(PDF), save=False)
    attachment.save()
    return attachment


def build():
    from calls.models import CallDocument
    from events.factories import EventFactory, RegistrationFactory
    from events.services import registration_token

    users = {
        "owner": UserFactory(email="titulaire@exemple.fr"),
        "other_candidate": UserFactory(email="autre@exemple.fr"),
        "co_editor": UserFactory(email="coredacteur@exemple.fr"),
        "reviewer": UserFactory(reviewer=True, region_id=ARA),
        "reviewer_other_region": UserFactory(reviewer=True, region_id=OTHER_REGION),
        "cell_lead": UserFactory(cell_lead=True, region_id=ARA),
        "national": UserFactory(national=True),
        "committee": UserFactory(committee=True),
        "admin": UserFactory(admin=True),
    }
    owner = users["owner"]
    call = CallFactory(slug="ami-matrice")
    draft = complete_application(owner=owner, call=call)
    draft.co_editors.add(users["co_editor"])
    draft_attachment = attach(draft, owner)
    submitted = complete_application(owner=owner, call=call)
    submitted.co_editors.add(users["co_editor"])
    submitted_attachment = attach(submitted, owner)
    services.submit(submitted, actor=owner)
    submitted.refresh_from_db()
    assert submitted.region_id == ARA
    token = "jeton-invitation-matrice"
    CoEditorInvitation.objects.create(
        application=draft,
        email="invite@exemple.fr",
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        invited_by=owner,
    )
    document = CallDocument.objects.create(
        call=call, title="Règlement", file=ContentFile(PDF, name="reglement.pdf")
    )
    event = EventFactory(slug="table-ronde-matrice")
    registration = RegistrationFactory(event=event, email="titulaire@exemple.fr", user=owner)
    return SimpleNamespace(
        users=users,
        call=call,
        draft=draft,
        draft_member=draft.members.first(),
        draft_attachment=draft_attachment,
        submitted=submitted,
        submitted_attachment=submitted_attachment,
        invitation_token=token,
        document=document,
        event=event,
        registration=registration,
        registration_token=registration_token(registration),
    )

"""Objects of the authorization matrix: one of each kind, with an owner, a co-editor and staff
of every role (tests/security/test_authorization_matrix.py)."""

import hashlib
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from accounts.factories import UserFactory
from applications import services
from applications.factories import complete_application
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
    "reviewer_conflict",
    "cell_lead",
    "national",
    "committee",
    "admin",
]
# Staff with a declared conflict of interest on the submitted, decided and funded files: their
# outcomes are those of the national cell / the cell lead except on these files' routes
# (test_authorization_matrix.CONFLICT_OUTCOMES).
CONFLICT_ROLES = {"national_conflict": "national", "cell_lead_conflict": "cell_lead"}
STAFF_ROLES = {
    *CONFLICT_ROLES,
    "reviewer",
    "reviewer_other_region",
    "reviewer_conflict",
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
    """Every object a route of the matrix needs. To extend: create the object here, add it to
    the namespace returned, and use it in ``ARGS`` of test_authorization_matrix.py."""
    import datetime
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications import states
    from applications.choices import ApplicationStatus
    from calls.models import CallDocument
    from events.factories import EventFactory, RegistrationFactory
    from events.services import confirmation_token, registration_token, request_registration
    from laureates.factories import PtceFactory
    from laureates.factories_support import (
        EnrolmentFactory,
        PtceContactFactory,
        SupportOfferFactory,
    )
    from reviews import committee, national
    from reviews import services as review_services
    from reviews.allocation import AllocationParameters
    from reviews.factories import call_with_grid, submit_evaluation
    from reviews.models import (
        CommitteeSession,
        ConflictOfInterest,
        ConflictSource,
        CorrectionRequest,
    )

    users = {
        "owner": UserFactory(email="titulaire@exemple.fr"),
        "other_candidate": UserFactory(email="autre@exemple.fr"),
        "co_editor": UserFactory(email="coredacteur@exemple.fr"),
        "reviewer": UserFactory(reviewer=True, region_id=ARA),
        "reviewer_other_region": UserFactory(reviewer=True, region_id=OTHER_REGION),
        "reviewer_conflict": UserFactory(reviewer=True, region_id=ARA),
        "cell_lead": UserFactory(cell_lead=True, region_id=ARA),
        "national": UserFactory(national=True),
        "committee": UserFactory(committee=True),
        "admin": UserFactory(admin=True),
        "national_conflict": UserFactory(national=True),
        "cell_lead_conflict": UserFactory(cell_lead=True, region_id=ARA),
    }
    owner = users["owner"]
    call = call_with_grid(slug="ami-matrice")
    draft = complete_application(owner=owner, call=call)
    draft.co_editors.add(users["co_editor"])
    draft_attachment = attach(draft, owner)
    submitted = complete_application(owner=owner, call=call)
    submitted.co_editors.add(users["co_editor"])
    submitted_attachment = attach(submitted, owner)
    services.submit(submitted, actor=owner)
    submitted.refresh_from_db()
    assert submitted.region_id == ARA
    # The files the conflicted reviewer must not see: declared conflict on both, assignment of
    # the région's reviewer on the submitted one.
    for role in ["reviewer_conflict", *CONFLICT_ROLES]:
        ConflictOfInterest.objects.create(
            application=submitted,
            reviewer=users[role],
            source=ConflictSource.DECLARED,
            reason="Administratrice d’un membre du groupement",
        )
    assignment = review_services.assign(submitted, [users["reviewer"]], actor=users["cell_lead"])[0]
    from datetime import timedelta

    from django.utils import timezone

    correction = CorrectionRequest.objects.create(
        application=submitted,
        requested_by=users["reviewer"],
        sections=["projet"],
        message="Précisez le diagnostic.",
        deadline=timezone.localdate() + timedelta(days=10),
    )
    message = review_services.post_message(
        submitted,
        author=users["reviewer"],
        body="Merci de préciser le budget.",
        upload=SimpleUploadedFile("precisions.pdf", PDF, content_type="application/pdf"),
    )
    # A decided file: evaluated, reviewed, decided by the committee, published.
    decided = complete_application(owner=owner, call=call)
    decided.co_editors.add(users["co_editor"])
    services.submit(decided, actor=owner)
    decided.refresh_from_db()
    for role in ["reviewer_conflict", *CONFLICT_ROLES]:
        ConflictOfInterest.objects.create(
            application=decided,
            reviewer=users[role],
            source=ConflictSource.DECLARED,
            reason="Administratrice d’un membre du groupement",
        )
    submit_evaluation(decided, users["reviewer"])
    states.change_status(decided, ApplicationStatus.REVIEWED, actor=users["cell_lead"])
    decided.refresh_from_db()
    result = national.simulate(call, AllocationParameters(envelope=Decimal("1000000")))
    simulation = national.save_simulation(call, "Scénario matrice", result, actor=users["national"])
    session = CommitteeSession.objects.create(
        call=call, title="Comité de la matrice", date=datetime.date(2026, 6, 15)
    )
    committee.record_decision(
        session, decided, actor=users["committee"], decision="rejected", reasons="Budget fragile"
    )
    committee.publish_session(session, actor=users["national"])
    open_session = CommitteeSession.objects.create(
        call=call, title="Comité ouvert", date=datetime.date(2026, 7, 1)
    )
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
    pending = request_registration(event, email="a-confirmer@exemple.fr", name="À confirmer")
    ptce = PtceFactory()
    PtceContactFactory(ptce=ptce, user=owner)
    offer = SupportOfferFactory(slug="atelier-matrice")
    other_offer = SupportOfferFactory(slug="atelier-matrice-2")
    spare_reviewer = UserFactory(reviewer=True, region_id=ARA)  # for assignments
    enrolment = EnrolmentFactory(offer=offer, ptce=ptce, enrolled_by=owner)
    laureate = _laureate_world(users)
    return SimpleNamespace(
        **laureate,
        users=users,
        call=call,
        draft=draft,
        draft_member=draft.members.first(),
        draft_attachment=draft_attachment,
        submitted=submitted,
        submitted_attachment=submitted_attachment,
        assignment=assignment,
        correction=correction,
        message=message,
        decided=decided,
        simulation=simulation,
        session=session,
        open_session=open_session,
        invitation_token=token,
        document=document,
        event=event,
        registration=registration,
        registration_token=registration_token(registration),
        confirmation_token=confirmation_token(pending.registration),
        ptce=ptce,
        offer=offer,
        other_offer=other_offer,
        spare_reviewer=spare_reviewer,
        enrolment=enrolment,
    )


def _laureate_world(users):
    """Objects of the routes merged with the laureates' follow-up, local dynamics, reviewer
    tools and webhooks."""
    from dynamics.factories import LocalDynamicFactory
    from laureates.factories import funded_award
    from reviews import instructor
    from reviews.models import ConflictOfInterest, ConflictSource
    from webhooks import services as webhook_services
    from webhooks.factories import WebhookEndpointFactory
    from webhooks.models import EventType

    owner = users["owner"]
    # A phase-2 award of the owner's pole in Auvergne-Rhône-Alpes, with its agreement, reports
    # and tranches; the conflicted reviewer declared a conflict on the winning file.
    award = funded_award(owner=owner)
    agreement = award.agreement
    assert agreement.ptce.main_region_id == ARA
    assert award.ptce.contacts.filter(user=owner).exists()  # create_award links the owner
    for role in ["reviewer_conflict", *CONFLICT_ROLES]:
        ConflictOfInterest.objects.create(
            application=award.application,
            reviewer=users[role],
            source=ConflictSource.DECLARED,
            reason="Administratrice d’un membre du groupement",
        )
    # Accepted and listed, declared with the owner's e-mail (who may turn it into a draft).
    dynamic = LocalDynamicFactory(accepted=True, contact_email=owner.email)
    pending_dynamic = LocalDynamicFactory()
    endpoint = WebhookEndpointFactory(created_by=users["national"])
    event = webhook_services.emit(
        EventType.PTCE_CHANGED,
        f"ptce:{award.ptce.uuid}",
        lambda: {"name": award.ptce.name},
        endpoints=[endpoint],
    )
    return {
        "award": award,
        "agreement": agreement,
        "report": agreement.reports.order_by("due_on", "pk").first(),
        "payment": agreement.payments.order_by("position").first(),
        "dynamic": dynamic,
        "pending_dynamic": pending_dynamic,
        "saved_view": instructor.save_view(users["reviewer"], "Mes dossiers", {}),
        "endpoint": endpoint,
        "delivery": event.deliveries.get(),
        "failed_email": _failed_email(),
    }


def _failed_email():
    """A message of the outbox that failed for good (outbox screens, resend action)."""
    from django.utils import timezone

    from core.models import OutboundEmail

    return OutboundEmail.objects.create(
        to=["candidate@example.org"],
        subject="Dossier déposé",
        body="Bonjour",
        status=OutboundEmail.Status.FAILED,
        attempts=7,
        next_attempt_at=timezone.now(),
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )


class KeepFilesStorage(FileSystemStorage):
    """Storage of the matrix: deleting is a no-op, so a POST that deletes an attachment
    (rolled back in the database) does not remove the file that other routes read."""

    def delete(self, name):
        return None

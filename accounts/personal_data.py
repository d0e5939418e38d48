"""Personal data of a person (SPEC §9, RGPD): export of everything the platform holds about
them, and erasure on request. The rule is in docs/personal-data.md:

- kept, with the account anonymised: submitted files (and their frozen snapshots, receipts,
  status history) — the administrative record of a public funding procedure, deleted at the end
  of the call's retention period — and the audit log (append-only, hash-chained);
- removed: drafts (never submitted) with their uploaded files, co-editing rights, pending
  invitations, authenticator devices, the person's name and contact details on the account and
  on event registrations.
"""

import io
import json
import uuid
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from core import audit

ACCOUNT_FIELDS = [
    "email",
    "first_name",
    "last_name",
    "organisation",
    "siret",
    "role",
    "date_joined",
    "email_confirmed_at",
    "last_login",
]
APPLICATION_SKIP = {"id", "owner", "co_editors", "communes", "epcis", "linked_application"}


def _applications(user):
    from django.db.models import Q

    from applications.models import Application

    return (
        Application.objects.filter(Q(owner=user) | Q(co_editors=user))
        .distinct()
        .select_related("call")
        .order_by("created_at")
    )


def _application_data(application, user) -> dict:
    data = {
        key: value
        for key, value in model_to_dict(application).items()
        if key not in APPLICATION_SKIP and not hasattr(value, "url")
    }
    data.update(
        uuid=str(application.uuid),
        call=application.call.title,
        my_role="titulaire" if application.owner_id == user.pk else "co-rédacteur",
        communes=sorted(application.communes.values_list("code", flat=True)),
        epcis=sorted(application.epcis.values_list("code", flat=True)),
        members=[
            {k: v for k, v in model_to_dict(m).items() if k not in {"id", "application"}}
            for m in application.members.order_by("order")
        ],
        budget=[
            {"kind": b.kind, "category": b.category, "year": b.year, "amount": b.amount}
            for b in application.budget_lines.order_by("kind", "category", "year")
        ],
        attachments=[
            {
                "kind": a.kind,
                "name": a.original_name,
                "size": a.size,
                "sha256": a.sha256,
                "uploaded_at": getattr(a, "uploaded_at", None),
            }
            for a in application.attachments.order_by("pk")
        ],
        submissions=[
            {
                "version": s.version,
                "reference": s.reference,
                "submitted_at": s.submitted_at,
                "sha256": s.sha256,
                "snapshot": s.data,
            }
            for s in application.submissions.order_by("version")
        ],
    )
    return data


def export_data(user) -> dict:
    """Everything the platform holds about ``user``, as JSON-ready data."""
    from core.models import AuditLog
    from events.models import Registration

    return {
        "exported_at": timezone.now(),
        "account": {field: getattr(user, field) for field in ACCOUNT_FIELDS},
        "applications": [_application_data(a, user) for a in _applications(user)],
        "event_registrations": [
            {
                "event": r.event.title,
                "starts_at": r.event.starts_at,
                "name": r.name,
                "email": r.email,
                "organisation": r.organisation,
                "status": r.status,
                "registered_at": r.created_at,
                "attended_at": r.attended_at,
            }
            for r in Registration.objects.filter(user=user).select_related("event")
        ],
        "activity": [
            {"at": e.created_at, "action": e.action, "object": e.object_label}
            for e in AuditLog.objects.filter(actor=user).order_by("sequence")
        ],
    }


def export_json(user) -> bytes:
    audit.record("personal_data.exported", actor=user, obj=user, after={"format": "json"})
    return json.dumps(
        export_data(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    ).encode()


def attachments_zip(user) -> bytes:
    """A zip of the files the person uploaded or may see in their files, and their receipts."""
    buffer = io.BytesIO()
    used = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for application in _applications(user):
            folder = application.reference or f"brouillon-{application.uuid}"
            files = [(f"{a.kind}-{a.original_name}", a.file) for a in application.attachments.all()]
            files += [
                (f"accuse-reception-v{s.version}.pdf", s.receipt)
                for s in application.submissions.all()
                if s.receipt
            ]
            for name, field in files:
                path = f"{folder}/{name}"
                while path in used:
                    path = path.replace("/", "/copie-", 1)
                used.add(path)
                try:
                    with field.open("rb") as handle:
                        archive.writestr(path, handle.read())
                except FileNotFoundError:
                    archive.writestr(path + ".absent.txt", "Fichier introuvable dans le stockage.")
    audit.record("personal_data.exported", actor=user, obj=user, after={"format": "zip"})
    return buffer.getvalue()


def can_erase(user) -> bool:
    """Staff accounts are closed by an administrator, not through this page."""
    return not user.is_staff_role


def erase(user) -> dict:
    """Erase ``user``'s personal data following the rule above; returns what was done."""
    from django_otp import devices_for_user

    from applications import services
    from applications.choices import ApplicationStatus
    from applications.models import Application, CoEditorInvitation
    from events.models import Registration

    with transaction.atomic():
        drafts = list(Application.objects.filter(owner=user, status=ApplicationStatus.DRAFT))
        for draft in drafts:
            for attachment in draft.attachments.all():
                services.delete_attachment(attachment)
            draft.delete()
        kept = list(
            Application.objects.filter(owner=user)
            .exclude(status=ApplicationStatus.DRAFT)
            .values_list("reference", flat=True)
        )
        co_edited = Application.co_editors.through.objects.filter(user=user).delete()[0]
        CoEditorInvitation.objects.filter(email__iexact=user.email, accepted_at=None).delete()
        Registration.objects.filter(user=user).update(
            name="Personne supprimée",
            email=f"supprime-{uuid.uuid4().hex}@anonyme.invalid",
            organisation="",
            user=None,
        )
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        user.email = f"supprime-{uuid.uuid4().hex}@anonyme.invalid"
        user.first_name = user.last_name = user.organisation = user.siret = ""
        if hasattr(user, "proconnect_sub"):
            user.proconnect_sub = None if user._meta.get_field("proconnect_sub").null else ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        summary = {
            "drafts_deleted": len(drafts),
            "files_kept": sorted(r for r in kept if r),
            "co_editing_removed": co_edited,
        }
        audit.record("personal_data.erased", actor=user, obj=user, after=summary)
    return summary

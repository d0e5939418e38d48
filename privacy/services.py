"""Personal data of a candidate (RGPD, SPEC §9): everything the platform holds about them in
one zip (JSON + their files), and the erasure of their account.

Erasure keeps what the programme must keep as evidence — submitted files, their immutable
submissions, decisions, messages, the audit log (whose hash chain stays verifiable) — and
removes the rest: drafts with their pieces, co-editing rights, pending invitations, event
registrations, PTCE contact rights, second factors, sessions, and the account's personal
fields (the account row stays, emptied and disabled, because submitted files and audit
entries point to it). See docs/personal-data.md.
"""

import contextlib
import json
import tempfile
import zipfile
from pathlib import PurePosixPath

from django.contrib.sessions.models import Session
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
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
    "last_login",
    "email_confirmed_at",
]
# Above this size the zip is written to a temporary file on disk, not kept in memory.
SPOOL_BYTES = 8 * 1024 * 1024


def _rows(queryset) -> list[dict]:
    return [
        {"modèle": row["model"], "id": row["pk"], **row["fields"]}
        for row in serializers.serialize("python", queryset)
    ]


def visible_files(user):
    from applications.models import Application

    return Application.objects.filter(Q(owner=user) | Q(co_editors=user)).distinct()


def collect(user) -> dict:
    """Every record about ``user``: the account, the files they own or co-edit (with
    members, budget, pieces, submissions, messages), registrations, contacts, their own
    audit entries."""
    from applications.models import Attachment, BudgetLine, Member, Submission
    from events.models import Registration
    from laureates.models_support import PtceContact
    from reviews.models import Message

    files = list(visible_files(user).order_by("created_at"))
    ids = [f.pk for f in files]
    return {
        "généré_le": timezone.now(),
        "compte": {field: getattr(user, field) for field in ACCOUNT_FIELDS},
        "dossiers": _rows(visible_files(user).order_by("created_at")),
        "membres": _rows(Member.objects.filter(application__in=ids)),
        "budget": _rows(BudgetLine.objects.filter(application__in=ids)),
        "pièces": _rows(Attachment.objects.filter(application__in=ids)),
        "dépôts": _rows(Submission.objects.filter(application__in=ids)),
        "messages": _rows(Message.objects.filter(application__in=ids)),
        "inscriptions_événements": _rows(
            Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email))
        ),
        "contacts_ptce": _rows(PtceContact.objects.filter(user=user)),
        "journal": [
            {"le": e.created_at, "action": e.action, "objet": e.object_label}
            for e in audit.AuditLog.objects.filter(actor=user).order_by("sequence")
        ],
    }


def _arcname(*parts) -> str:
    safe = [str(p).replace("/", "_").replace("\\", "_").lstrip(".") or "_" for p in parts]
    return str(PurePosixPath(*safe))


def export_zip(user):
    """A file object (at position 0) holding ``donnees.json`` and every piece of the files
    the user owns or co-edits, and the attachments of the files' messages. Audited."""
    from applications.models import Attachment
    from reviews.models import Message

    data = collect(user)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned open)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "donnees.json",
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        files = visible_files(user)
        for piece in Attachment.objects.filter(application__in=files).select_related("application"):
            folder = piece.application.reference or str(piece.application.uuid)
            _add_file(
                archive, piece.file, _arcname("pieces", folder, f"{piece.pk}-{piece.original_name}")
            )
        for message in Message.objects.filter(application__in=files).exclude(attachment=""):
            folder = message.application.reference or str(message.application.uuid)
            name = f"{message.pk}-{message.attachment_name or 'piece'}"
            _add_file(archive, message.attachment, _arcname("messages", folder, name))
    audit.record("personal_data.exported", actor=user, obj=user, label=f"compte n° {user.pk}")
    spool.seek(0)
    return spool


def _add_file(archive, field_file, arcname):
    try:
        with field_file.open("rb") as source, archive.open(arcname, "w") as target:
            for chunk in iter(lambda: source.read(64 * 1024), b""):
                target.write(chunk)
    except OSError:  # file missing from storage: say so in the zip rather than fail
        archive.writestr(arcname + ".absent.txt", "Fichier introuvable dans le stockage.\n")


def can_erase(user) -> bool:
    return bool(user and user.is_authenticated and not user.is_staff_role)


def erase(user) -> dict:
    """Erase ``user``'s personal data (see the module's docstring). Returns a summary."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from applications.choices import ApplicationStatus
    from applications.models import Application, Attachment, CoEditorInvitation
    from events.models import Registration
    from laureates.models_support import PtceContact

    if not can_erase(user):
        raise PermissionError("Les comptes des agents sont gérés par l’administration.")
    email = user.email
    with transaction.atomic():
        drafts = Application.objects.filter(owner=user, status=ApplicationStatus.DRAFT)
        paths = [
            (a.file.storage, a.file.name) for a in Attachment.objects.filter(application__in=drafts)
        ]
        drafts_deleted = drafts.count()
        for draft in drafts:
            draft.delete()
        kept = list(Application.objects.filter(owner=user).values_list("reference", flat=True))
        Application.objects.filter(owner=user, contact_email__iexact=email).update(
            contact_name="", contact_email="", contact_phone=""
        )
        for application in Application.objects.filter(co_editors=user):
            application.co_editors.remove(user)
        CoEditorInvitation.objects.filter(email__iexact=email).delete()
        registrations = Registration.objects.filter(Q(user=user) | Q(email__iexact=email))
        registrations_deleted = registrations.count()
        registrations.delete()
        PtceContact.objects.filter(user=user).delete()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        sessions_deleted = delete_sessions(user)
        _forget_login_attempts(email)
        user.email = f"compte-supprime-{user.pk}@anonyme.invalid"
        user.first_name = user.last_name = user.organisation = user.siret = ""
        if hasattr(user, "proconnect_sub"):
            user.proconnect_sub = None if user._meta.get_field("proconnect_sub").null else ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        summary = {
            "brouillons_supprimés": drafts_deleted,
            "dossiers_conservés": [ref for ref in kept if ref],
            "inscriptions_supprimées": registrations_deleted,
            "sessions_fermées": sessions_deleted,
        }
        audit.record(
            "personal_data.erased",
            actor=None,
            obj=user,
            label=f"compte n° {user.pk}",
            after=summary,
        )
        transaction.on_commit(lambda: _delete_files(paths))
    return summary


def _delete_files(paths):
    for storage, name in paths:
        with contextlib.suppress(OSError):
            storage.delete(name)


def delete_sessions(user) -> int:
    """Delete every open session of ``user`` (sessions are stored in the database)."""
    doomed = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=doomed).delete()
    return len(doomed)


def _forget_login_attempts(email):
    try:
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    except ImportError:  # pragma: no cover
        return
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=email).delete()

"""Retention of personal data (RGPD, issue 19): what is purged, after how long.

Categories (the table with durations is in docs/personal-data.md):

- ``drafts``: drafts untouched for ``DRAFT_MONTHS`` (24), deleted with members, budget and
  pieces (files too);
- ``outbox_bodies``: text, HTML and attachments of sent or failed e-mails after
  ``OUTBOX_BODY_DAYS`` (90); the row (recipients, subject, dates, status) is kept;
- ``access_logs``: the staff access log after ``ACCESS_LOG_DAYS`` (365);
- ``attachments``: pieces of non-selected files (rejected, withdrawn, closed) once the call's
  ``retention_years`` have passed since the file's last status change;
- ``inactive_accounts_warning`` then ``inactive_accounts``: candidate accounts without
  sign-in for ``INACTIVE_ACCOUNT_YEARS`` (3) get a warning e-mail, and are anonymised
  (``privacy.services.erase``) if still without sign-in ``INACTIVE_WARNING_DAYS`` (30) later.

Kept whatever their age: submitted files and their immutable submissions, receipts,
decisions, awards, the audit log (its chain still verifies: nothing here touches it except
appending). The durations live in ``settings.PTCE_RETENTION``.

Each batch of ``BATCH_SIZE`` rows is purged in its own transaction together with its audit
entry (``retention.purged``): an interrupted run leaves whole batches done or not done, never
a half-deleted draft, and the next run picks up what is left (the selection is by date, so a
re-run is idempotent). Files are removed from storage once their rows' transaction commits.
"""

import contextlib
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.db.models.deletion import ProtectedError
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from core import audit

DEFAULTS = {
    "DRAFT_MONTHS": 24,
    "OUTBOX_BODY_DAYS": 90,
    "ACCESS_LOG_DAYS": 365,
    "INACTIVE_ACCOUNT_YEARS": 3,
    "INACTIVE_WARNING_DAYS": 30,
    "BATCH_SIZE": 200,
}
NON_SELECTED = ("rejected", "withdrawn", "closed")


def policy() -> dict:
    return {**DEFAULTS, **getattr(settings, "PTCE_RETENTION", {})}


def months_ago(now: datetime.datetime, months: int) -> datetime.datetime:
    month_index = now.year * 12 + now.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    day = min(now.day, _days_in_month(year, month))
    return now.replace(year=year, month=month, day=day)


def _days_in_month(year: int, month: int) -> int:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (following - datetime.timedelta(days=1)).day


@dataclass
class Line:
    category: str
    label: str
    count: int
    oldest: datetime.datetime | None


# --- selections (what is due now) ----------------------------------------------------------


def due_drafts(now):
    from applications.models import Application

    limit = months_ago(now, policy()["DRAFT_MONTHS"])
    queryset = Application.objects.filter(status="draft", updated_at__lt=limit).filter(
        # never a file something kept points to (awards, decisions, submissions protect it)
        awards__isnull=True,
        committee_decisions__isnull=True,
        submissions__isnull=True,
    )
    return queryset, "updated_at"


def due_outbox_bodies(now):
    from core.models import OutboundEmail, OutboundEmailAttachment

    limit = now - datetime.timedelta(days=policy()["OUTBOX_BODY_DAYS"])
    has_attachment = Exists(OutboundEmailAttachment.objects.filter(email=OuterRef("pk")))
    queryset = OutboundEmail.objects.filter(
        status__in=[OutboundEmail.Status.SENT, OutboundEmail.Status.FAILED],
        created_at__lt=limit,
    ).filter(~Q(body="") | ~Q(html_body="") | has_attachment)
    return queryset, "created_at"


def due_access_logs(now):
    from privacy.models import AccessLog

    limit = now - datetime.timedelta(days=policy()["ACCESS_LOG_DAYS"])
    return AccessLog.objects.filter(at__lt=limit), "at"


def due_attachments(now):
    """Pieces of non-selected files whose last status change is older than the call's
    ``retention_years``."""
    from applications.models import Application, Attachment
    from calls.models import Call

    applications = Application.objects.filter(status__in=NON_SELECTED).annotate(
        decided_at=Coalesce(Max("status_changes__at"), "updated_at")
    )
    expired = Q(pk__in=[])
    for call_id, years in Call.objects.values_list("pk", "retention_years"):
        limit = months_ago(now, 12 * years)
        ids = applications.filter(call_id=call_id, decided_at__lt=limit).values("pk")
        expired |= Q(application__in=ids)
    return Attachment.objects.filter(expired), "uploaded_at"


def _last_seen():
    return Coalesce("last_login", "date_joined")


def due_account_warnings(now):
    from accounts.models import Role, User

    limit = months_ago(now, 12 * policy()["INACTIVE_ACCOUNT_YEARS"])
    queryset = (
        User.objects.filter(role=Role.CANDIDATE, is_active=True)
        .annotate(last_seen=_last_seen())
        .filter(last_seen__lt=limit, inactivity_warning__isnull=True)
    )
    return queryset, "last_seen"


def due_account_erasures(now):
    from accounts.models import Role, User

    limit = now - datetime.timedelta(days=policy()["INACTIVE_WARNING_DAYS"])
    queryset = (
        User.objects.filter(role=Role.CANDIDATE, is_active=True)
        .annotate(last_seen=_last_seen())
        .filter(
            inactivity_warning__sent_at__lt=limit,
            last_seen__lt=F("inactivity_warning__sent_at"),
        )
    )
    return queryset, "last_seen"


# --- purges (one transaction per batch, each audited) --------------------------------------


def _purge_drafts(ids):
    from applications.models import Application, Attachment

    files = [(a.file.storage, a.file.name) for a in Attachment.objects.filter(application__in=ids)]
    deleted, kept = [], []
    for draft in Application.objects.filter(pk__in=ids):
        uuid = str(draft.uuid)
        try:
            with transaction.atomic():
                draft.delete()
            deleted.append(uuid)
        except ProtectedError:
            kept.append(draft.pk)
    transaction.on_commit(lambda: _delete_files(files))
    return len(deleted), {"dossiers": deleted}, kept


def _purge_outbox_bodies(ids):
    from core.models import OutboundEmail, OutboundEmailAttachment

    OutboundEmailAttachment.objects.filter(email__in=ids).delete()
    count = OutboundEmail.objects.filter(pk__in=ids).update(body="", html_body="")
    return count, {"courriels": list(ids)}, []


def _purge_access_logs(ids):
    from privacy.models import AccessLog

    count, _ = AccessLog.objects.filter(pk__in=ids).delete()
    return count, {}, []


def _purge_attachments(ids):
    from applications.models import Attachment

    pieces = list(Attachment.objects.filter(pk__in=ids).select_related("application"))
    files = [(a.file.storage, a.file.name) for a in pieces]
    references = sorted({a.application.reference or str(a.application.uuid) for a in pieces})
    Attachment.objects.filter(pk__in=ids).delete()
    transaction.on_commit(lambda: _delete_files(files))
    return len(pieces), {"dossiers": references}, []


def _warn_accounts(ids):
    from accounts.models import User
    from core.outbox import queue_templated_email
    from privacy.models import InactivityWarning

    now = timezone.now()
    rules = policy()
    delete_on = timezone.localdate(now) + datetime.timedelta(days=rules["INACTIVE_WARNING_DAYS"])
    users = list(User.objects.filter(pk__in=ids))
    for user in users:
        InactivityWarning.objects.create(user=user, sent_at=now)
        queue_templated_email(
            user.email,
            "account_inactive_warning",
            {
                "user": user,
                "inactive_years": rules["INACTIVE_ACCOUNT_YEARS"],
                "delete_on": delete_on,
                "login": settings.SITE_URL + reverse("accounts:login"),
            },
            dedup_key=f"account_inactive_warning:{user.pk}:{now.date().isoformat()}",
        )
    return len(users), {"comptes": [u.pk for u in users]}, []


def _erase_accounts(ids):
    from accounts.models import User
    from privacy.models import InactivityWarning
    from privacy.services import erase

    erased = []
    for user in User.objects.filter(pk__in=ids):
        erase(user)  # audited as personal_data.erased
        InactivityWarning.objects.filter(user=user).delete()
        erased.append(user.pk)
    return len(erased), {"comptes": erased}, []


def _delete_files(files):
    for storage, name in files:
        with contextlib.suppress(OSError):
            storage.delete(name)


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    select: object
    purge: object
    action: str = "retention.purged"


CATEGORIES = [
    Category("drafts", "Brouillons non modifiés", due_drafts, _purge_drafts),
    Category(
        "outbox_bodies", "Contenu des courriels envoyés", due_outbox_bodies, _purge_outbox_bodies
    ),
    Category("access_logs", "Journal des accès des agents", due_access_logs, _purge_access_logs),
    Category("attachments", "Pièces des dossiers non retenus", due_attachments, _purge_attachments),
    Category(
        "inactive_accounts_warning",
        "Comptes inactifs à avertir",
        due_account_warnings,
        _warn_accounts,
        "retention.inactivity_warned",
    ),
    Category(
        "inactive_accounts",
        "Comptes inactifs anonymisés après avertissement",
        due_account_erasures,
        _erase_accounts,
    ),
]


def _cancel_stale_warnings():
    """A warned person who signed in since keeps their account: the warning is dropped."""
    from privacy.models import InactivityWarning

    return InactivityWarning.objects.filter(user__last_login__gt=F("sent_at")).delete()[0]


def report(now=None) -> list[Line]:
    """What a run would purge now: one line per category (count, oldest date). No writes."""
    now = now or timezone.now()
    lines = []
    for category in CATEGORIES:
        queryset, date_field = category.select(now)
        count = queryset.count()
        oldest = queryset.order_by(date_field).values_list(date_field, flat=True).first()
        lines.append(Line(category.key, category.label, count, oldest if count else None))
    return lines


def apply(now=None, *, only: list[str] | None = None) -> list[Line]:
    """Purge every category due at ``now``; returns what was purged (the oldest date is the
    one seen before purging)."""
    now = now or timezone.now()
    batch_size = policy()["BATCH_SIZE"]
    _cancel_stale_warnings()
    done = []
    for category in CATEGORIES:
        if only and category.key not in only:
            continue
        queryset, date_field = category.select(now)
        oldest = queryset.order_by(date_field).values_list(date_field, flat=True).first()
        total, skipped = 0, []
        while True:
            ids = list(
                category.select(now)[0]
                .exclude(pk__in=skipped)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            with transaction.atomic():
                count, details, kept = category.purge(ids)
                if not count:  # only rows that must stay (protected): nothing to record
                    if not kept:
                        break
                    skipped += kept
                    continue
                audit.record(
                    category.action,
                    label=category.label,
                    after={"catégorie": category.key, "nombre": count, **details},
                )
            total += count
            skipped += kept
        done.append(Line(category.key, category.label, total, oldest if total else None))
    return done

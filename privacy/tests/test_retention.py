"""Retention of personal data (issue 19 §4): dry-run report, purge per category, kept
records, audit chain, interrupted purge, inactive accounts warned then anonymised."""

import datetime
import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.factories import UserFactory
from applications.factories import complete_application
from applications.models import Application, Attachment, Member, StatusChange, Submission
from core import audit
from core.models import AuditLog, OutboundEmail, OutboundEmailAttachment
from core.outbox import queue_email
from privacy import retention
from privacy.models import AccessLog, InactivityWarning
from reviews.factories import call_with_grid, submitted_file
from tests.security.matrix_world import attach

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LONG_AGO = NOW - datetime.timedelta(days=3 * 365 + 40)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


def _age(queryset, **fields):
    queryset.update(**fields)


@pytest.fixture
def world():
    """Two of each category: one expired, one fresh; plus records that are always kept."""
    call = call_with_grid(retention_years=2)
    owner = UserFactory(last_login=NOW)
    old_draft = complete_application(owner=owner, call=call)
    old_piece = attach(old_draft, owner)
    new_draft = complete_application(owner=owner, call=call)
    _age(Application.objects.filter(pk=old_draft.pk), updated_at=NOW - datetime.timedelta(days=800))

    old_mail = queue_email("a@exemple.fr", "Ancien", "corps ancien", html_body="<p>x</p>")
    OutboundEmailAttachment.objects.create(
        email=old_mail, filename="a.pdf", content=b"x", mimetype="application/pdf"
    )
    new_mail = queue_email("b@exemple.fr", "Récent", "corps récent")
    pending_old = OutboundEmail.objects.create(
        to=["c@exemple.fr"], subject="En attente", body="garder", next_attempt_at=NOW
    )
    OutboundEmail.objects.filter(pk__in=[old_mail.pk, new_mail.pk]).update(status="sent")
    _age(
        OutboundEmail.objects.filter(pk__in=[old_mail.pk, pending_old.pk]),
        created_at=NOW - datetime.timedelta(days=200),
    )

    old_log = AccessLog.objects.create(user_label="agent@x.fr", action="a", route="r", path="/")
    AccessLog.objects.create(user_label="agent@x.fr", action="b", route="r", path="/")
    _age(AccessLog.objects.filter(pk=old_log.pk), at=NOW - datetime.timedelta(days=400))

    rejected = submitted_file(call=call)
    rejected_piece = attach(rejected, rejected.owner)
    Application.objects.filter(pk=rejected.pk).update(status="rejected")
    StatusChange.objects.filter(application=rejected).update(at=NOW - datetime.timedelta(days=1200))
    StatusChange.objects.create(
        application=rejected,
        from_status="reviewed",
        to_status="rejected",
        at=NOW - datetime.timedelta(days=3 * 365),
    )
    recent_rejected = submitted_file(call=call)
    attach(recent_rejected, recent_rejected.owner)
    Application.objects.filter(pk=recent_rejected.pk).update(status="rejected")
    StatusChange.objects.create(
        application=recent_rejected, from_status="reviewed", to_status="rejected", at=NOW
    )
    accepted = submitted_file(call=call)
    attach(accepted, accepted.owner)
    Application.objects.filter(pk=accepted.pk).update(status="accepted")
    StatusChange.objects.create(
        application=accepted,
        from_status="reviewed",
        to_status="accepted",
        at=NOW - datetime.timedelta(days=5 * 365),
    )
    for person in (rejected.owner, recent_rejected.owner, accepted.owner):
        person.last_login = NOW
        person.save()
    audit.record("test.before_retention", label="avant")
    return {
        "old_draft": old_draft,
        "old_piece": old_piece,
        "new_draft": new_draft,
        "old_mail": old_mail,
        "new_mail": new_mail,
        "pending_old": pending_old,
        "rejected": rejected,
        "rejected_piece": rejected_piece,
        "accepted": accepted,
    }


def _counts(lines):
    return {line.category: line.count for line in lines}


def test_dry_run_reports_counts_and_changes_nothing(world):
    audit_before = AuditLog.objects.count()
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Simulation" in text
    assert _counts(retention.report()) == {
        "drafts": 1,
        "outbox_bodies": 1,
        "access_logs": 1,
        "attachments": 1,
        "inactive_accounts_warning": 0,
        "inactive_accounts": 0,
    }
    drafts_line = next(line for line in text.splitlines() if line.startswith("drafts"))
    expected = timezone.localtime(NOW - datetime.timedelta(days=800)).strftime("%d/%m/%Y")
    assert " 1 " in drafts_line and expected in drafts_line
    assert Application.objects.filter(pk=world["old_draft"].pk).exists()
    assert OutboundEmail.objects.get(pk=world["old_mail"].pk).body == "corps ancien"
    assert AccessLog.objects.count() == 2
    assert Attachment.objects.filter(pk=world["rejected_piece"].pk).exists()
    assert AuditLog.objects.count() == audit_before


def test_real_run_purges_exactly_the_expired_rows_and_keeps_the_rest(
    world, django_capture_on_commit_callbacks
):
    from laureates.factories import funded_award
    from laureates.models import Award

    award = funded_award(decided_at=NOW - datetime.timedelta(days=6 * 365))
    Application.objects.filter(pk=award.application_id).update(
        updated_at=NOW - datetime.timedelta(days=6 * 365)
    )
    piece_path = world["old_piece"].file.path
    rejected_path = world["rejected_piece"].file.path
    submissions = Submission.objects.count()
    audit_before = AuditLog.objects.count()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", stdout=out)
    assert "Purge effectuée" in out.getvalue()

    assert not Application.objects.filter(pk=world["old_draft"].pk).exists()
    assert not Member.objects.filter(application_id=world["old_draft"].pk).exists()
    assert Application.objects.filter(pk=world["new_draft"].pk).exists()
    old_mail = OutboundEmail.objects.get(pk=world["old_mail"].pk)
    assert (old_mail.body, old_mail.html_body, old_mail.subject) == ("", "", "Ancien")
    assert old_mail.to == ["a@exemple.fr"] and not old_mail.attachments.exists()
    assert OutboundEmail.objects.get(pk=world["new_mail"].pk).body == "corps récent"
    assert OutboundEmail.objects.get(pk=world["pending_old"].pk).body == "garder"
    assert list(AccessLog.objects.values_list("action", flat=True)) == ["b"]
    assert not Attachment.objects.filter(pk=world["rejected_piece"].pk).exists()
    assert Attachment.objects.filter(application=world["accepted"]).count() == 1
    assert Attachment.objects.filter(application__status="rejected").count() == 1
    # Files go from storage too.

    assert not os.path.exists(piece_path) and not os.path.exists(rejected_path)
    # Submitted files, their submissions and the audit log are kept; the chain verifies.
    assert Application.objects.filter(pk=world["rejected"].pk).exists()
    assert Submission.objects.count() == submissions
    assert audit.verify_chain() == []
    check = StringIO()
    call_command("verify_audit_log", stdout=check)
    assert "Journal d'audit intègre" in check.getvalue()
    # Awards (and the file they decide on) are kept whatever their age.
    assert Award.objects.filter(pk=award.pk).exists()
    assert Application.objects.filter(pk=award.application_id).exists()
    purges = AuditLog.objects.filter(action="retention.purged")
    assert AuditLog.objects.count() == audit_before + 4
    assert sorted(e.after["catégorie"] for e in purges) == [
        "access_logs",
        "attachments",
        "drafts",
        "outbox_bodies",
    ]
    drafts_entry = purges.get(after__catégorie="drafts")
    assert drafts_entry.after["nombre"] == 1
    assert drafts_entry.after["dossiers"] == [str(world["old_draft"].uuid)]
    # Idempotent: a second run finds nothing.
    assert set(_counts(retention.apply()).values()) == {0}
    assert AuditLog.objects.count() == audit_before + 4


def test_interrupted_purge_leaves_whole_batches_and_a_rerun_completes(world, settings, monkeypatch):
    settings.PTCE_RETENTION = {**settings.PTCE_RETENTION, "BATCH_SIZE": 2}
    call = world["old_draft"].call
    owner = world["old_draft"].owner
    for _ in range(4):
        draft = complete_application(owner=owner, call=call)
        attach(draft, owner)
    Application.objects.filter(status="draft").exclude(pk=world["new_draft"].pk).update(
        updated_at=NOW - datetime.timedelta(days=800)
    )
    assert _counts(retention.report())["drafts"] == 5

    real_purge = retention._purge_drafts
    calls = {"n": 0}

    def failing_purge(ids):
        calls["n"] += 1
        result = real_purge(ids)
        if calls["n"] == 2:
            raise RuntimeError("panne au milieu de la purge")
        return result

    monkeypatch.setattr(
        retention,
        "CATEGORIES",
        [
            retention.Category(c.key, c.label, c.select, failing_purge) if c.key == "drafts" else c
            for c in retention.CATEGORIES
        ],
    )
    with pytest.raises(RuntimeError):
        retention.apply(only=["drafts"])
    # The first batch is gone with its audit entry; the second was rolled back whole.
    assert _counts(retention.report())["drafts"] == 3
    for draft in Application.objects.filter(status="draft"):
        assert draft.members.count() == 3
        if draft.pk != world["new_draft"].pk:
            assert draft.attachments.count() == 1
    assert AuditLog.objects.filter(action="retention.purged").count() == 1
    assert audit.verify_chain() == []

    monkeypatch.undo()
    settings.PTCE_RETENTION = {**settings.PTCE_RETENTION, "BATCH_SIZE": 2}
    done = _counts(retention.apply(only=["drafts"]))
    assert done["drafts"] == 3
    assert list(Application.objects.filter(status="draft")) == [world["new_draft"]]
    assert sum(e.after["nombre"] for e in AuditLog.objects.filter(action="retention.purged")) == 5
    assert audit.verify_chain() == []


def test_inactive_account_is_warned_then_anonymised_if_still_inactive(mailoutbox):
    sleeper = UserFactory(email="dort@exemple.fr", first_name="Dominique", last_login=LONG_AGO)
    returning = UserFactory(email="revient@exemple.fr", last_login=LONG_AGO)
    active = UserFactory(email="actif@exemple.fr", last_login=NOW)
    staff = UserFactory(email="agent@exemple.fr", role="national_cell", last_login=LONG_AGO)
    kept_file = submitted_file(owner=sleeper)

    lines = _counts(retention.apply())
    assert lines["inactive_accounts_warning"] == 2
    assert lines["inactive_accounts"] == 0
    assert set(InactivityWarning.objects.values_list("user__email", flat=True)) == {
        "dort@exemple.fr",
        "revient@exemple.fr",
    }
    warning = OutboundEmail.objects.get(template="account_inactive_warning", to=["dort@exemple.fr"])
    assert "Bonjour Dominique" in warning.body
    assert "depuis plus de 3 ans" in warning.body
    # Running again the same day sends nothing more.
    assert _counts(retention.apply())["inactive_accounts_warning"] == 0
    assert OutboundEmail.objects.filter(template="account_inactive_warning").count() == 2

    # One of them signs in during the grace period: their warning is dropped.
    returning.last_login = NOW + datetime.timedelta(days=2)
    returning.save()
    later = NOW + datetime.timedelta(days=31)
    assert _counts(retention.report(later))["inactive_accounts"] == 1
    lines = _counts(retention.apply(later))
    assert lines["inactive_accounts"] == 1
    sleeper.refresh_from_db()
    assert sleeper.email == f"compte-supprime-{sleeper.pk}@anonyme.invalid"
    assert not sleeper.is_active
    returning.refresh_from_db()
    assert returning.is_active and returning.email == "revient@exemple.fr"
    assert not InactivityWarning.objects.exists()
    active.refresh_from_db()
    staff.refresh_from_db()
    assert active.is_active and staff.is_active
    assert Application.objects.filter(pk=kept_file.pk).exists()
    assert AuditLog.objects.filter(
        action="personal_data.erased", object_id=str(sleeper.pk)
    ).exists()
    assert audit.verify_chain() == []


def test_retention_is_a_daily_periodic_job():
    from core import periodic

    jobs = {job.name: job for job in periodic.registered_jobs()}
    assert jobs["privacy.apply_retention"].every == datetime.timedelta(days=1)
    assert jobs["privacy.apply_retention"].task_path == "privacy.tasks.apply_retention"


def test_months_ago_clamps_the_day():
    when = datetime.datetime(2026, 3, 31, 12, tzinfo=datetime.UTC)
    assert retention.months_ago(when, 1) == datetime.datetime(2026, 2, 28, 12, tzinfo=datetime.UTC)
    assert retention.months_ago(when, 24).year == 2024
    leap = datetime.datetime(2028, 2, 29, tzinfo=datetime.UTC)
    assert retention.months_ago(leap, 36) == datetime.datetime(2025, 2, 28, tzinfo=datetime.UTC)

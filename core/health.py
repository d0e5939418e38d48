"""Readiness of the platform: ``GET /sante/pret/`` and ``manage.py check_readiness``.

``/sante/`` (core.views.health) only says the process answers and reaches the database
(liveness). Readiness says whether the whole platform works: database, migrations applied,
a task worker alive (its heartbeat), e-mails leaving the outbox, tasks not piling up.

Each check is a small function returning a dict with ``ok`` (bool) and a few figures — never
personal data: the answer is public. ``CHECKS`` lists them in order; another component (backups)
appends its own with :func:`register_check`. A check that raises is reported ``ok: false``
with the exception's class name only (no message: it could name a host or a person).
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

WORKER = "worker"
HEARTBEAT_TASK = "core.tasks.worker_heartbeat"
INLINE_TASK_BACKENDS = {"django_tasks.backends.immediate.ImmediateBackend"}

Check = Callable[[], dict]
CHECKS: list[tuple[str, Check]] = []


def register_check(name: str, check: Check) -> None:
    """Append (or replace) the check ``name``; it runs after those already registered."""
    for index, (existing, _) in enumerate(CHECKS):
        if existing == name:
            CHECKS[index] = (name, check)
            return
    CHECKS.append((name, check))


def heartbeat_timeout() -> int:
    """Seconds after which a worker without heartbeat counts as stopped."""
    return int(settings.PTCE_WORKER_HEARTBEAT_TIMEOUT)


def record_heartbeat(name: str = WORKER, now=None):
    """Store the time of a sign of life of ``name`` (called by the periodic task)."""
    from core.models import Heartbeat

    now = now or timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": now})
    return now


def forget_old_heartbeat_results(now=None) -> int:
    """The heartbeat task runs 1 440 times a day: its own successful results older than an hour
    are deleted (the ``Heartbeat`` row is what counts). Returns how many."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    deleted, _ = DBTaskResult.objects.filter(
        task_path=HEARTBEAT_TASK,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__lt=now - timedelta(hours=1),
    ).delete()
    return deleted


def _age_seconds(moment, now) -> int | None:
    return None if moment is None else max(0, int((now - moment).total_seconds()))


def check_database() -> dict:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def unapplied_migrations() -> list[str]:
    """``app.migration`` names the migration executor would apply (empty: up to date)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_migrations() -> dict:
    unapplied = unapplied_migrations()
    return {"ok": not unapplied, "unapplied": len(unapplied), "names": unapplied[:20]}


def tasks_need_a_worker() -> bool:
    """False when tasks run inline (tests): then no worker is expected."""
    return settings.TASKS["default"]["BACKEND"] not in INLINE_TASK_BACKENDS


def check_worker() -> dict:
    from core.models import Heartbeat

    timeout = heartbeat_timeout()
    if not tasks_need_a_worker():
        return {"ok": True, "heartbeat_age_seconds": None, "timeout_seconds": timeout}
    beat_at = Heartbeat.objects.filter(name=WORKER).values_list("beat_at", flat=True).first()
    age = _age_seconds(beat_at, timezone.now())
    return {
        "ok": age is not None and age <= timeout,
        "heartbeat_age_seconds": age,
        "timeout_seconds": timeout,
    }


def check_outbox() -> dict:
    from django.db.models import Count, Min

    from core.models import OutboundEmail

    waiting = OutboundEmail.objects.filter(
        status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.SENDING]
    ).aggregate(count=Count("pk"), oldest=Min("created_at"))
    age = _age_seconds(waiting["oldest"], timezone.now())
    max_age = int(settings.PTCE_OUTBOX_MAX_PENDING_AGE)
    return {
        "ok": age is None or age <= max_age,
        "pending": waiting["count"],
        "oldest_pending_age_seconds": age,
        "max_age_seconds": max_age,
    }


def check_tasks() -> dict:
    """Queue depth and failed tasks: reported, never a reason to be not ready (a failed task
    is looked at by a person; the job itself is retried or re-run by its periodic sweep)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    since = timezone.now() - timedelta(hours=24)
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    return {
        "ok": True,
        "queued": DBTaskResult.objects.ready().count(),
        "failed": failed.count(),
        "failed_last_24h": failed.filter(finished_at__gte=since).count(),
    }


register_check("database", check_database)
register_check("migrations", check_migrations)
register_check(WORKER, check_worker)
register_check("outbox", check_outbox)
register_check("tasks", check_tasks)


def readiness() -> dict:
    """Run every check; ``ready`` is true when each one is ``ok``."""
    results = {}
    for name, check in list(CHECKS):
        try:
            results[name] = check()
        except Exception as error:
            results[name] = {"ok": False, "error": type(error).__name__}
    ready = all(result["ok"] for result in results.values())
    return {"status": "ok" if ready else "not_ready", "ready": ready, "checks": results}

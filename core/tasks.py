"""Background tasks of the socle (run by ``manage.py db_worker``)."""

from django_tasks import task

from core import outbox


@task()
def send_outbound_email(email_id: int) -> str:
    return outbox.send_email_now(email_id)


@task()
def send_due_emails() -> int:
    return outbox.send_due_emails()


@task()
def requeue_stalled_tasks() -> int:
    from core.taskrecovery import requeue_stalled

    return requeue_stalled()


@task()
def write_audit_head() -> dict:
    """Copy the audit chain head to the logs and to storage (core/audit_heads.py)."""
    from core.audit_heads import write_head

    return write_head()


@task()
def worker_heartbeat() -> str:
    """Periodic (every minute): a task worker says it is alive (readiness probe)."""
    from core.health import forget_old_heartbeat_results, record_heartbeat

    now = record_heartbeat()
    forget_old_heartbeat_results(now)
    return now.isoformat()


@task()
def scheduled_backup() -> dict:
    from core.backup_schedule import run_backup

    run = run_backup()
    return {"ok": run.ok, "message": run.message}


@task()
def backup_restore_check() -> dict:
    from core.backup_schedule import run_restore_check

    run = run_restore_check()
    return {"ok": run.ok, "message": run.message}

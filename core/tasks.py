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
def scheduled_backup() -> dict:
    from core.backup_schedule import run_backup

    run = run_backup()
    return {"ok": run.ok, "message": run.message}


@task()
def backup_restore_check() -> dict:
    from core.backup_schedule import run_restore_check

    run = run_restore_check()
    return {"ok": run.ok, "message": run.message}

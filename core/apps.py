from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Socle"

    def ready(self):
        from datetime import timedelta

        from django.contrib import admin

        from core import checks  # noqa: F401  (registers the system checks)
        from core.admin_fr import frenchify

        frenchify(admin.site)

        from core import periodic

        periodic.register(
            "core.send_due_emails", "core.tasks.send_due_emails", timedelta(minutes=2)
        )
        # Tasks of a worker that died mid-task go back to the queue (core/taskrecovery.py).
        periodic.register(
            "core.requeue_stalled_tasks", "core.tasks.requeue_stalled_tasks", timedelta(minutes=5)
        )
        # The audit chain head copied out of the database (core/audit_heads.py).
        periodic.register(
            "core.write_audit_head", "core.tasks.write_audit_head", timedelta(hours=1)
        )
        # Sign of life of the task worker, read by the readiness probe (core/health.py).
        periodic.register(
            "core.worker_heartbeat", "core.tasks.worker_heartbeat", timedelta(minutes=1)
        )
        # Backups to the "backups" storage with rotation, then a restore check on a scratch
        # database (core/backup_schedule.py); their state is a readiness check.
        periodic.register("core.scheduled_backup", "core.tasks.scheduled_backup", timedelta(days=1))
        periodic.register(
            "core.backup_restore_check", "core.tasks.backup_restore_check", timedelta(days=1)
        )
        from core import health
        from core.backup_schedule import backup_status

        health.register_check("backups", backup_status)
        # French search (core/search.py): FTS5 tables and triggers on SQLite after migrate.
        from django.db.models.signals import post_migrate

        from core import search

        post_migrate.connect(search.install_all, sender=self, dispatch_uid="core.search.install")

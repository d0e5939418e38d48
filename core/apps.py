from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Socle"

    def ready(self):
        from datetime import timedelta

        from core import periodic

        periodic.register(
            "core.send_due_emails", "core.tasks.send_due_emails", timedelta(minutes=2)
        )

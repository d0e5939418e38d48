from datetime import timedelta

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from core import periodic
        from webhooks import triggers

        triggers.connect()
        # Retries when the task backend cannot defer, and deliveries whose task was lost.
        periodic.register(
            "webhooks.deliver_due", "webhooks.tasks.deliver_due_webhooks", timedelta(minutes=1)
        )

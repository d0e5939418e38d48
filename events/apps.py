from datetime import timedelta

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Animation du réseau"

    def ready(self):
        from core import periodic

        periodic.register(
            "events.reminders", "events.tasks.send_event_reminders", timedelta(minutes=5)
        )
        periodic.register(
            "events.release_holds", "events.tasks.release_event_holds", timedelta(minutes=5)
        )

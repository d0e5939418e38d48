from datetime import timedelta

from django.apps import AppConfig


class LaureatesConfig(AppConfig):
    name = "laureates"
    verbose_name = "Lauréats et suivi"

    def ready(self):
        from core import periodic

        periodic.register(
            "laureates.report_reminders",
            "laureates.tasks.send_report_reminders",
            timedelta(hours=6),
        )
        from core import search
        from laureates.search import PTCE_INDEX

        search.register(PTCE_INDEX)
        from laureates.priority import on_reference_changed
        from territories.reference import reference_changed

        reference_changed.connect(
            on_reference_changed, dispatch_uid="laureates.on_reference_changed"
        )

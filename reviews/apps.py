from datetime import timedelta

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Instruction et sélection"

    def ready(self):
        from applications.states import status_changed
        from reviews.services import on_reference_loaded, on_status_changed
        from territories.reference import reference_loaded

        status_changed.connect(on_status_changed, dispatch_uid="reviews.on_status_changed")
        reference_loaded.connect(on_reference_loaded, dispatch_uid="reviews.on_reference_loaded")

        # Staff search over the files (core/search.py; SQLite: FTS5 table and triggers).
        from core import search
        from reviews.search import FILE_INDEX

        search.register(FILE_INDEX)

        from core import periodic

        periodic.register(
            "reviews.deadline_reminders",
            "reviews.tasks.send_deadline_reminders",
            timedelta(days=1),
        )

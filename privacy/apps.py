from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = "Données personnelles"

    def ready(self):
        from datetime import timedelta

        from core import periodic

        # Retention of personal data (privacy/retention.py), once a day.
        periodic.register(
            "privacy.apply_retention", "privacy.tasks.apply_retention", timedelta(days=1)
        )

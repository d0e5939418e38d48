from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Répertoire des entreprises (SIRENE)"

    def ready(self):
        from datetime import timedelta

        from core import periodic

        periodic.register(
            "registry.recheck_pending_sirets",
            "registry.tasks.recheck_pending_sirets",
            timedelta(hours=6),
        )

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Annuaire, carte et données ouvertes"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from directory.api_http import invalidate_counts
        from laureates.models import Ptce, PtceLabel

        # A new generation of the API's cached list counts whenever the directory changes.
        for model in (Ptce, PtceLabel):
            post_save.connect(invalidate_counts, sender=model, dispatch_uid=f"api-count-{model}")
            post_delete.connect(invalidate_counts, sender=model, dispatch_uid=f"api-del-{model}")
        # And when reference data changes the PTCE's priority flags (« priority=rural »).
        from territories.reference import reference_loaded

        reference_loaded.connect(invalidate_counts, dispatch_uid="api-count-reference")
        from directory.exports import forget_territory_names
        from territories.models import Department, Region

        # Names of régions and départements kept by the API list (directory.exports).
        for model in (Region, Department):
            for signal in (post_save, post_delete):
                signal.connect(forget_territory_names, sender=model, dispatch_uid=f"names-{model}")

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Charge un jeu de démonstration réaliste (comptes par rôle, appels, dossiers…). "
        "Idempotent : le relancer ne duplique rien."
    )

    def handle(self, *args, **options):
        from territories.models import Region

        if not Region.objects.exists():
            raise CommandError(
                "Le référentiel géographique est vide : lancez d'abord manage.py import_cog."
            )
        for app in settings.PROJECT_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{app}.demo":
                    raise
                continue
            with transaction.atomic():
                module.load(self.stdout)

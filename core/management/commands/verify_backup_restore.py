import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, verify_restore


class Command(BaseCommand):
    help = (
        "Vérifie la base configurée (une base de contrôle restaurée) contre le manifeste d’une "
        "sauvegarde : nombre de lignes de chaque table, chaîne et tête du journal d’audit. "
        "Lancée par la vérification de restauration planifiée (core/backup_schedule.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("manifest", type=Path)

    def handle(self, *args, manifest, **options):
        try:
            figures = verify_restore(json.loads(manifest.read_text()))
        except (BackupError, OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(figures))

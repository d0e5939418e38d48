from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Sauvegarde la base (API de sauvegarde SQLite ou pg_dump) et les fichiers déposés."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, default=Path(settings.BASE_DIR) / "var" / "backups"
        )

    def handle(self, *args, output, **options):
        try:
            folder = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde créée : {folder}"))

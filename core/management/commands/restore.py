from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde dans la base configurée (son contenu est remplacé), puis "
        "vérifie les effectifs de chaque table et la chaîne du journal d'audit."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="Confirme le remplacement du contenu de la base."
        )

    def handle(self, *args, folder, yes, **options):
        if not yes:
            raise CommandError("La restauration remplace la base actuelle : relancez avec --yes.")
        try:
            summary = restore_backup(folder)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restauration vérifiée : {summary['tables']} tables, {summary['rows']} lignes, "
                "journal d'audit intègre."
            )
        )

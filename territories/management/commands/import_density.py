from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territories.reference import ReferenceError, import_density


class Command(BaseCommand):
    help = (
        "Importe la grille communale de densité de l’Insee (classeur .xlsx officiel ou export "
        "CSV) : degré de densité de chaque commune et communes rurales selon la définition de "
        "l’Insee. Remplace le chargement précédent ; idempotent ; tout ou rien. Formats : "
        "docs/priority-territories.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Fichier .xlsx ou .csv de l’Insee.")
        parser.add_argument(
            "--niveaux",
            type=int,
            choices=[3, 4, 7],
            default=None,
            help="Grille suivie par la colonne DENS quand le fichier ne le dit pas.",
        )

    def handle(self, *args, file, niveaux, **options):
        try:
            report = import_density(file, levels=niveaux)
        except ReferenceError as error:
            raise CommandError(f"Import annulé, base inchangée. {error}") from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Grille de densité importée."))

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territories.reference import ReferenceError, import_qpv


class Command(BaseCommand):
    help = (
        "Importe la liste des quartiers prioritaires de la politique de la ville (QPV) avec "
        "leurs communes (CSV officiel ou .xlsx). Remplace le chargement précédent ; "
        "idempotent ; tout ou rien. Formats : docs/priority-territories.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Fichier .csv ou .xlsx de la liste des QPV.")

    def handle(self, *args, file, **options):
        try:
            report = import_qpv(file)
        except ReferenceError as error:
            raise CommandError(f"Import annulé, base inchangée. {error}") from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Liste des QPV importée."))

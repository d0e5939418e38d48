from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from laureates.importer import import_rows, read_csv


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Importe une liste historique de PTCE (CSV, format dans docs/import-ptce.md). "
        "Simulation par défaut : ajoutez --wet-run pour enregistrer."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier CSV (UTF-8 ou Windows-1252, « ; » ou « , »)")
        parser.add_argument(
            "--wet-run", action="store_true", help="enregistre réellement les changements"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            rows = read_csv(path.read_bytes())
        except ValueError as error:
            raise CommandError(str(error)) from None
        try:
            with transaction.atomic():
                report = import_rows(rows)
                if not options["wet_run"]:
                    raise _DryRun
        except _DryRun:
            pass
        mode = "Import enregistré" if options["wet_run"] else "Simulation (rien n’est enregistré)"
        self.stdout.write(f"{mode} — {path.name} : {len(report.rows)} lignes lues")
        self.stdout.write(
            f"  créés : {report.count('created')}, mis à jour : {report.count('updated')}, "
            f"inchangés : {report.count('unchanged')}, ignorés : {report.count('rejected')}, "
            f"à vérifier : {len(report.flagged)}"
        )
        for row in report.flagged:
            for note in row.notes:
                self.stdout.write(f"  ligne {row.line} ({row.name or 'sans nom'}) : {note}")
        if not options["wet_run"]:
            self.stdout.write("Relancez avec --wet-run pour enregistrer.")

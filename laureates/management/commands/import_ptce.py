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
        imported = report.imported
        placed = sum(1 for row in imported if row.placed)
        if imported:
            self.stdout.write(
                f"  placés sur la géographie officielle : {placed} sur {len(imported)} "
                f"({round(100 * report.placement_rate)} %)"
            )
        self.stdout.write("Correspondances trouvées :")
        for row in imported:
            where = " ; ".join(row.matches) if row.matches else "aucun lieu reconnu"
            self.stdout.write(f"  ligne {row.line} ({row.name}) : {where}")
            if row.tags:
                tags = ", ".join(f"« {tag} »" for tag in row.tags)
                self.stdout.write(f"    mots-clés libres conservés : {tags}")
        if report.flagged:
            self.stdout.write("Points à vérifier :")
        for row in report.flagged:
            for note in row.notes:
                self.stdout.write(f"  ligne {row.line} ({row.name or 'sans nom'}) : {note}")
        if not options["wet_run"]:
            self.stdout.write("Relancez avec --wet-run pour enregistrer.")

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territories.importer import DEFAULT_SNAPSHOT, SnapshotError, import_snapshot


class Command(BaseCommand):
    help = (
        "Importe le référentiel géographique (régions, départements, EPCI, communes) depuis "
        "l'instantané du projet. Idempotent : un second passage ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", type=Path, default=DEFAULT_SNAPSHOT, help="Instantané .json.gz à importer."
        )

    def handle(self, *args, file, **options):
        started = time.perf_counter()
        try:
            report = import_snapshot(file)
        except SnapshotError as error:
            raise CommandError(f"Import annulé, base inchangée. {error}") from None
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Source : {report.source}")
        for table, counts in report.tables.items():
            self.stdout.write(
                f"  {table} : {counts.created} créé(s), {counts.updated} modifié(s), "
                f"{counts.retired} retiré(s) du référentiel, {counts.unchanged} inchangé(s)"
            )
        if report.changed:
            self.stdout.write(self.style.SUCCESS(f"Référentiel importé en {elapsed:.1f} s."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Référentiel déjà à jour : rien à changer ({elapsed:.1f} s).")
            )

"""Load the official SIRENE stock files into the local register (see docs/registry.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core import audit
from registry.importer import ImportAborted, SireneImport
from registry.models import ImportRun


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


class Command(BaseCommand):
    help = (
        "Importe les fichiers stock SIRENE de l’Insee (StockUniteLegale, StockEtablissement ; "
        "CSV, CSV zippé ou Parquet). Chargement dans des tables temporaires puis bascule "
        "atomique : en cas d’erreur, les données précédentes restent en service."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unites-legales", type=Path, help="fichier StockUniteLegale")
        parser.add_argument("--etablissements", type=Path, help="fichier StockEtablissement")
        parser.add_argument("--limit", type=int, help="ne lire que les N premières lignes")
        parser.add_argument(
            "--only-ess",
            action="store_true",
            help="ne garder que les unités légales ESS (et leurs établissements)",
        )
        parser.add_argument(
            "--on-error",
            choices=["abort", "skip"],
            default="abort",
            help="ligne invalide ou SIREN/SIRET en double : annuler l’import (abort, par "
            "défaut) ou ignorer la ligne et la signaler (skip). Un en-tête faux, un fichier "
            "tronqué ou illisible annulent toujours l’import.",
        )
        parser.add_argument(
            "--encoding",
            default="auto",
            help="encodage des CSV (auto par défaut : UTF-8, sinon Windows-1252 détecté)",
        )

    def handle(self, *args, **options):
        units = options["unites_legales"]
        establishments = options["etablissements"]
        if not units and not establishments:
            raise CommandError("Indiquez --unites-legales FICHIER et/ou --etablissements FICHIER.")
        run = ImportRun.objects.create(
            legal_units_file=str(units or ""), establishments_file=str(establishments or "")
        )

        def progress(label, rows, seconds):
            speed = rows / seconds if seconds else 0
            self.stdout.write(
                f"  {label} : {_number(rows)} lignes chargées ({_number(int(speed))} lignes/s)"
            )

        importer = SireneImport(
            units_path=units,
            establishments_path=establishments,
            limit=options["limit"],
            only_ess=options["only_ess"],
            on_error=options["on_error"],
            encoding=options["encoding"],
            progress=progress,
        )
        try:
            report = importer.run()
        except ImportAborted as error:
            run.status = ImportRun.Status.FAILED
            run.finished_at = timezone.now()
            run.report = "\n".join([str(error), *error.problems])
            run.save()
            for line in error.problems:
                self.stderr.write(f"  {line}")
            raise CommandError(
                f"Import annulé, aucune donnée modifiée (les données précédentes restent en "
                f"service) : {error}"
            ) from None
        lines = [*report.notes]
        for file in report.files:
            lines.append(
                f"{file.label} : {_number(file.kept)} lignes importées, "
                f"{_number(file.skipped)} ignorées, {_number(file.filtered)} écartées "
                f"(--only-ess), {file.seconds:.1f} s ({_number(int(file.rows_per_second))} "
                "lignes/s)"
            )
            lines.extend(f"  {problem}" for problem in file.problems)
            if file.skipped > len(file.problems):
                lines.append(f"  … et {file.skipped - len(file.problems)} autres lignes ignorées")
        run.status = ImportRun.Status.DONE
        run.finished_at = timezone.now()
        run.legal_units = report.count("StockUniteLegale")
        run.establishments = report.count("StockEtablissement")
        run.skipped = report.skipped
        run.report = "\n".join(lines)
        run.save()
        audit.record(
            "registry.import",
            obj=run,
            after={
                "legal_units": run.legal_units,
                "establishments": run.establishments,
                "skipped": run.skipped,
            },
        )
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Import terminé en {report.seconds:.1f} s."))

"""Write synthetic SIRENE stock files (official layout, valid checksums) for tests and benches."""

from pathlib import Path

from django.core.management.base import BaseCommand

from registry.generator import generate


class Command(BaseCommand):
    help = (
        "Génère des fichiers StockUniteLegale / StockEtablissement fictifs (colonnes officielles, "
        "clés SIREN/SIRET valides), reproductibles avec --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, required=True, help="nombre d’unités légales")
        parser.add_argument("--out", type=Path, required=True, help="dossier de sortie")
        parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
        parser.add_argument("--ess-share", type=float, default=0.1, help="part d’unités ESS")
        parser.add_argument("--seed", type=int, default=2014)
        parser.add_argument(
            "--establishments-per-unit",
            type=float,
            default=1.3,
            help="établissements par unité légale (0 : pas de fichier StockEtablissement)",
        )

    def handle(self, *args, **options):
        files = generate(
            options["out"],
            options["rows"],
            fmt=options["format"],
            seed=options["seed"],
            ess_share=options["ess_share"],
            establishments_per_unit=options["establishments_per_unit"],
        )
        self.stdout.write(f"{files.units} : {files.rows} unités légales")
        if files.establishments:
            self.stdout.write(f"{files.establishments} : {files.establishment_rows} établissements")

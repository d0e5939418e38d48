from django.core.management.base import BaseCommand
from django.utils import timezone

from core.formatting import format_integer
from privacy import retention


class Command(BaseCommand):
    help = (
        "Applique les durées de conservation des données personnelles "
        "(docs/personal-data.md) ; --dry-run affiche ce qui serait purgé sans rien changer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Rapport seul, aucun effacement."
        )

    def handle(self, *args, dry_run, **options):
        lines = retention.report() if dry_run else retention.apply()
        title = "Simulation (rien n’est modifié)" if dry_run else "Purge effectuée"
        self.stdout.write(title)
        self.stdout.write(f"{'catégorie':<28} {'nombre':>8}  plus ancien")
        for line in lines:
            oldest = timezone.localtime(line.oldest).strftime("%d/%m/%Y") if line.oldest else "—"
            self.stdout.write(
                f"{line.category:<28} {format_integer(line.count):>8}  {oldest}  ({line.label})"
            )

import json

from django.core.management.base import BaseCommand, CommandError

from core.health import readiness


class Command(BaseCommand):
    help = (
        "Vérifie que la plateforme est prête (base, migrations, travailleur, boîte d'envoi, "
        "tâches) : affiche le même JSON que /sante/pret/, code de sortie 1 si elle ne l'est pas."
    )

    def handle(self, *args, **options):
        result = readiness()
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
        if not result["ready"]:
            failing = ", ".join(name for name, check in result["checks"].items() if not check["ok"])
            raise CommandError(f"Plateforme non prête : {failing}.")

from django.core.management.base import BaseCommand, CommandError

from core.audit import verify_chain
from core.models import AuditLog


class Command(BaseCommand):
    help = "Vérifie la chaîne de hachage du journal d'audit (modification ou suppression)."

    def handle(self, *args, **options):
        problems = verify_chain()
        count = AuditLog.objects.count()
        if problems:
            for problem in problems:
                self.stderr.write(f"Entrée n° {problem.sequence} : {problem.message}")
            raise CommandError(
                f"Journal d'audit altéré : {len(problems)} anomalie(s) sur {count} entrée(s)."
            )
        self.stdout.write(self.style.SUCCESS(f"Journal d'audit intègre : {count} entrée(s)."))

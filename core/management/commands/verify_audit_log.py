from django.core.management.base import BaseCommand, CommandError

from core.audit import verify_all
from core.audit_heads import count_recorded_heads
from core.models import AuditLog

SHOWN = 20


def _where(problem, template: str, without_entry: str = "") -> str:
    """Problems of the recorded heads' storage are not about one entry (sequence 0)."""
    return template.format(problem.sequence) if problem.sequence else without_entry


class Command(BaseCommand):
    help = (
        "Vérifie le journal d'audit : sceaux HMAC et chaînage des entrées (modification, "
        "suppression, chaîne reconstruite sans la clé) et têtes enregistrées hors de la base."
    )

    def handle(self, *args, **options):
        problems = verify_all()
        count = AuditLog.objects.count()
        if problems:
            for problem in problems[:SHOWN]:
                self.stderr.write(_where(problem, "Entrée n° {} : ") + problem.message)
            if len(problems) > SHOWN:
                self.stderr.write(f"… et {len(problems) - SHOWN} autre(s) anomalie(s).")
            first = problems[0]
            raise CommandError(
                f"Journal d'audit altéré : {len(problems)} anomalie(s) sur {count} entrée(s) ; "
                + _where(first, "première anomalie à l'entrée n° {} : ", "première anomalie : ")
                + f"{first.message}."
            )
        heads = count_recorded_heads()
        self.stdout.write(
            self.style.SUCCESS(
                f"Journal d'audit intègre : {count} entrée(s), "
                f"{heads} tête(s) enregistrée(s) concordante(s)."
            )
        )

import time

from django.core.management.base import BaseCommand

from core.periodic import enqueue_due_jobs, registered_jobs


class Command(BaseCommand):
    help = "Met en file les tâches périodiques (relances, envois en attente…) à leur échéance."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Un seul passage puis sortie.")
        parser.add_argument("--interval", type=int, default=30, help="Secondes entre passages.")

    def handle(self, *args, once=False, interval=30, **options):
        names = ", ".join(job.name for job in registered_jobs()) or "aucune"
        self.stdout.write(f"Tâches périodiques : {names}")
        while True:
            for name in enqueue_due_jobs():
                self.stdout.write(f"Mise en file : {name}")
            if once:
                return
            time.sleep(interval)

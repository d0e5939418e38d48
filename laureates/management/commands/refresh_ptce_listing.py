"""``manage.py refresh_ptce_listing``: recompute the open-data listing columns of every PTCE
(members, communes and labels as the API and the open-data files show them; see
laureates/listing.py). Idempotent; for a repair after rows were written outside the services."""

from django.core.management.base import BaseCommand

from laureates.listing import refresh_listing


class Command(BaseCommand):
    help = (
        "Recalcule, pour chaque PTCE, le nombre de membres, les codes des communes et les "
        "labels que montrent l’API et les données ouvertes."
    )

    def handle(self, *args, **options):
        count = refresh_listing()
        self.stdout.write(f"{count} PTCE recalculés.")

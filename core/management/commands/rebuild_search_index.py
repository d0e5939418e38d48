"""``manage.py rebuild_search_index``: rebuild every full-text index (core/search.py).

SQLite: recreate the FTS5 tables and triggers if missing and re-index every record.
PostgreSQL: recompute every search vector. Idempotent; safe to run at any time."""

from django.core.management.base import BaseCommand
from django.db import connection

from core import search


class Command(BaseCommand):
    help = "Reconstruit les index de recherche plein texte (SQLite : FTS5 ; PostgreSQL : tsvector)."

    def handle(self, *args, **options):
        for index in search.registered():
            index.install(connection, force_rebuild=True)
            count = index.model.objects.count()
            self.stdout.write(f"Index « {index.model._meta.verbose_name} » : {count} fiches.")

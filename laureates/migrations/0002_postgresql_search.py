"""PostgreSQL only: the unaccent extension and a GIN index on the search vector.

SQLite searches the normalised ``search_text`` column instead (see directory.queries)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS laureates_ptce_search_vector_gin "
        "ON laureates_ptce USING GIN (search_vector)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS laureates_ptce_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("laureates", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]

"""Staff search on the shared French full-text layer (core/search.py, reviews.search).

PostgreSQL only: the unaccent extension, a GIN index on the new search vector and the vectors of
the existing files (weight B, as ``FILE_INDEX.refresh`` writes them). SQLite: the FTS5 table and
its triggers are installed after ``migrate`` by ``core.search.install_all``."""

import django.contrib.postgres.search
from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS reviews_reviewsummary_search_vector_gin "
        "ON reviews_reviewsummary USING GIN (search_vector)"
    )
    schema_editor.execute(
        "UPDATE reviews_reviewsummary SET search_vector = "
        "setweight(to_tsvector('french'::regconfig, COALESCE(unaccent(search_text), '')), 'B')"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS reviews_reviewsummary_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0008_assignment_due_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewsummary",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False,
                help_text="PostgreSQL : index plein texte de search_text (reviews.search).",
                null=True,
                verbose_name="index de recherche",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        # Entries written before the key keep their plain SHA-256 seal, labelled as such.
        migrations.AddField(
            model_name="auditlog",
            name="algorithm",
            field=models.CharField(default="sha256", max_length=40, verbose_name="algorithme"),
            preserve_default=False,
        ),
    ]

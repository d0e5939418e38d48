from django.db import migrations


def load_defaults(apps, schema_editor):
    """The shipped texts (mailing/defaults/*.txt) become the stored templates, version 1."""
    from mailing.catalogue import KINDS, default_text

    EmailTemplate = apps.get_model("mailing", "EmailTemplate")
    EmailTemplateVersion = apps.get_model("mailing", "EmailTemplateVersion")
    for kind in KINDS:
        subject, body = default_text(kind.key)
        template, created = EmailTemplate.objects.get_or_create(
            key=kind.key, call=None, defaults={"subject": subject, "body": body}
        )
        if created:
            EmailTemplateVersion.objects.create(
                template=template, number=1, subject=subject, body=body, note="texte d’origine"
            )


class Migration(migrations.Migration):
    dependencies = [("mailing", "0001_email_templates")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]

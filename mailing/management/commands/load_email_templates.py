from django.core.management.base import BaseCommand

from mailing.catalogue import KINDS, default_text
from mailing.models import EmailTemplate, EmailTemplateVersion


class Command(BaseCommand):
    help = (
        "Recrée, à partir des textes d’origine (mailing/defaults/), les modèles de courriels "
        "communs manquants. Ne modifie jamais un modèle existant. Simulation sans --wet-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Enregistrer vraiment.")

    def handle(self, *args, wet_run=False, **options):
        existing = set(
            EmailTemplate.objects.filter(call__isnull=True).values_list("key", flat=True)
        )
        missing = [kind for kind in KINDS if kind.key not in existing]
        for kind in missing:
            self.stdout.write(f"à créer : {kind.key} ({kind.name})")
            if wet_run:
                subject, body = default_text(kind.key)
                template = EmailTemplate.objects.create(key=kind.key, subject=subject, body=body)
                EmailTemplateVersion.objects.create(
                    template=template, number=1, subject=subject, body=body, note="texte d’origine"
                )
        verb = "créé(s)" if wet_run else "à créer (simulation, ajoutez --wet-run)"
        self.stdout.write(
            f"{len(missing)} modèle(s) {verb} ; {len(existing)} déjà présent(s), inchangé(s)."
        )

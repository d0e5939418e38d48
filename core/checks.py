"""System checks of the socle (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_audit_key(app_configs, **kwargs):
    """ptce.W040: the audit chain needs its own secret key outside development and tests."""
    if settings.AUDIT_KEY and settings.AUDIT_KEY != settings.AUDIT_DEV_KEY:
        if len(settings.AUDIT_KEY) >= 32:
            return []
        return [
            Warning(
                "PTCE_AUDIT_KEY est trop courte (moins de 32 caractères).",
                hint="Générez-la avec : python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'",
                id="ptce.W041",
            )
        ]
    return [
        Warning(
            "PTCE_AUDIT_KEY n'est pas définie : le journal d'audit n'est pas scellé par une clé "
            "secrète (les écritures auditées sont refusées hors développement).",
            hint="Définissez PTCE_AUDIT_KEY (secrets.token_urlsafe(48)), hors de la base et du "
            "dépôt ; voir docs/deploy.md, « Journal d'audit ».",
            id="ptce.W040",
        )
    ]

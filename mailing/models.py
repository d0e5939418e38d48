from django.conf import settings
from django.db import models

from mailing.catalogue import KINDS


class EmailTemplate(models.Model):
    """The text of one e-mail, for every call (``call`` empty) or overriding it for one call.

    ``version`` is the optimistic-lock counter: a save carrying an older number is refused.
    """

    key = models.CharField("courriel", max_length=60, choices=[(k.key, k.name) for k in KINDS])
    call = models.ForeignKey(
        "calls.Call",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="email_templates",
        verbose_name="appel",
    )
    subject = models.CharField("objet", max_length=255)
    body = models.TextField("texte")
    version = models.PositiveIntegerField("version", default=1)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="modifié par",
    )

    class Meta:
        verbose_name = "modèle de courriel"
        verbose_name_plural = "modèles de courriels"
        ordering = ["key", "call_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(call__isnull=True), name="mailing_one_global"
            ),
            models.UniqueConstraint(fields=["key", "call"], name="mailing_one_per_call"),
        ]

    def __str__(self):
        label = self.get_key_display()
        return f"{label} — {self.call}" if self.call_id else label


class EmailTemplateVersion(models.Model):
    """Every saved text of a template (who, when), kept for the history and restore."""

    template = models.ForeignKey(
        EmailTemplate,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name="modèle",
    )
    number = models.PositiveIntegerField("numéro")
    subject = models.CharField("objet", max_length=255)
    body = models.TextField("texte")
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="enregistrée par",
    )
    note = models.CharField("remarque", max_length=200, blank=True)

    class Meta:
        verbose_name = "version de modèle de courriel"
        verbose_name_plural = "versions de modèles de courriels"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="mailing_version_unique")
        ]

    def __str__(self):
        return f"{self.template} v{self.number}"

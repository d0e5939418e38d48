"""Access log of personal data (RGPD, SPEC §9): who among the staff opened a file, downloaded
a piece or an export, and when. Append-only: the admin site shows it read-only."""

from django.conf import settings
from django.db import models


class AccessLog(models.Model):
    at = models.DateTimeField("le", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="personne",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_label = models.CharField("personne (texte)", max_length=255)
    action = models.CharField("accès", max_length=120)
    route = models.CharField("page", max_length=120)
    path = models.CharField("adresse", max_length=500)
    object_id = models.CharField("objet", max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "accès à des données personnelles"
        verbose_name_plural = "accès à des données personnelles"

    def __str__(self):
        return f"{self.user_label} — {self.action} ({self.at:%d/%m/%Y %H:%M})"


class InactivityWarning(models.Model):
    """A candidate account without sign-in for years got the warning e-mail: it is anonymised
    if still inactive ``INACTIVE_WARNING_DAYS`` later (privacy/retention.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        on_delete=models.CASCADE,
        related_name="inactivity_warning",
    )
    sent_at = models.DateTimeField("averti le")

    class Meta:
        verbose_name = "avertissement d’inactivité"
        verbose_name_plural = "avertissements d’inactivité"

    def __str__(self):
        return f"compte n° {self.user_id} averti le {self.sent_at:%d/%m/%Y}"

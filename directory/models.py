"""API access tokens for staff-only resources of /api/v1/ (the public API needs none)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A bearer token given to one staff member for scripts (never stored in clear: only its
    SHA-256 is kept; the token is shown once, when issued). It acts with its owner's rights."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="titulaire",
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField("usage", max_length=100, help_text="Ex. « tableau de bord DREETS ».")
    prefix = models.CharField("début du jeton", max_length=12, editable=False)
    token_hash = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name="empreinte du jeton"
    )
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "jeton d’API"
        verbose_name_plural = "jetons d’API"

    def __str__(self):
        return f"{self.prefix}… ({self.name})"

    def is_valid(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

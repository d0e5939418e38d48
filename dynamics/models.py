"""Local dynamics (SPEC §7.1): cooperation initiatives that are not (yet) PTCE."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from laureates.models import Theme


class DynamicStage(models.TextChoices):
    IDEA = "idea", "Idée : premiers échanges entre acteurs"
    GATHERING = "gathering", "Émergence : partenaires réunis autour d’un projet"
    STRUCTURING = "structuring", "Structuration : gouvernance et projets en cours de définition"
    ACTIVE = "active", "Coopération active : projets communs engagés"


class ModerationStatus(models.TextChoices):
    PENDING = "pending", "En attente de modération"
    ACCEPTED = "accepted", "Acceptée"
    REFUSED = "refused", "Refusée"


class LocalDynamicQuerySet(models.QuerySet):
    def public(self):
        """Accepted dynamics whose declarant agreed to appear in the directory."""
        return self.filter(status=ModerationStatus.ACCEPTED, consent_directory=True)


class LocalDynamic(models.Model):
    """A « dynamique territoriale » declared through the public form, moderated by the national
    cell. Contact details are personal data: only the e-mail is shown publicly, and only when
    the declarant agreed (``consent_public_contact``)."""

    uuid = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField("adresse courte", max_length=120, unique=True)
    name = models.CharField("nom de la dynamique", max_length=200)
    description = models.TextField("description courte")
    themes = models.JSONField("thématiques", default=list, blank=True)
    themes_key = models.CharField(max_length=255, blank=True, editable=False)
    stage = models.CharField("stade d’avancement", max_length=15, choices=DynamicStage)
    communes = models.ManyToManyField(
        "territories.Commune", verbose_name="communes", related_name="local_dynamics", blank=True
    )
    epcis = models.ManyToManyField(
        "territories.Epci", verbose_name="EPCI", related_name="local_dynamics", blank=True
    )
    main_region = models.ForeignKey(
        "territories.Region",
        verbose_name="région principale",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="local_dynamics",
    )
    main_department = models.ForeignKey(
        "territories.Department",
        verbose_name="département principal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="local_dynamics",
    )
    population_covered = models.PositiveIntegerField("population couverte", null=True, blank=True)
    contact_name = models.CharField("personne à contacter", max_length=150)
    contact_email = models.EmailField("adresse électronique du contact")
    contact_phone = models.CharField("téléphone du contact", max_length=30, blank=True)
    consent_directory = models.BooleanField("accepte de figurer dans l’annuaire", default=False)
    consent_public_contact = models.BooleanField(
        "accepte que l’adresse de contact soit publiée", default=False
    )
    consent_invitations = models.BooleanField(
        "accepte de recevoir les invitations du réseau", default=False
    )
    status = models.CharField(
        "modération", max_length=10, choices=ModerationStatus, default=ModerationStatus.PENDING
    )
    refusal_reason = models.TextField("motif du refus", blank=True)
    moderated_at = models.DateTimeField("modérée le", null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modérée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField("déclarée le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    objects = LocalDynamicQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "dynamique territoriale"
        verbose_name_plural = "dynamiques territoriales"
        indexes = [models.Index(fields=["status", "consent_directory", "name"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.themes = [theme for theme in Theme.values if theme in (self.themes or [])]
        self.themes_key = "".join(f"|{theme}|" for theme in self.themes)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "themes", "themes_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("dynamics:detail", args=[self.slug])

    @property
    def theme_labels(self) -> list[str]:
        return [Theme(theme).label for theme in self.themes if theme in Theme.values]

    @property
    def is_public(self) -> bool:
        return self.status == ModerationStatus.ACCEPTED and self.consent_directory

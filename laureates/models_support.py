"""Support services (bouquet de services, SPEC §6.2): partners, offers, enrolments of PTCE,
and the people allowed to act for a PTCE (``PtceContact``).

State changes of enrolments go through ``laureates.support_services`` only."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

__all__ = [
    "Enrolment",
    "EnrolmentStatus",
    "OfferAudience",
    "OfferFormat",
    "PtceContact",
    "SupportOffer",
    "SupportPartner",
]


class OfferFormat(models.TextChoices):
    INDIVIDUAL = "individual", "Accompagnement individuel"
    COLLECTIVE = "collective", "Accompagnement collectif"


class OfferAudience(models.TextChoices):
    PHASE_1 = "phase_1", "Lauréats de la phase 1 (PTCE émergents)"
    PHASE_2 = "phase_2", "Lauréats de la phase 2 (financement)"
    ALL = "all", "Tous les PTCE"


class EnrolmentStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Inscription confirmée"
    WAITING = "waiting", "Liste d’attente"
    CANCELLED = "cancelled", "Annulée"


class PtceContact(models.Model):
    """A person allowed to act for a PTCE (enrol it in support offers, cancel)."""

    ptce = models.ForeignKey(
        "laureates.Ptce", on_delete=models.CASCADE, related_name="contacts", verbose_name="PTCE"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ptce_contacts",
        verbose_name="compte",
    )
    created_at = models.DateTimeField("ajouté le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "contact du PTCE"
        verbose_name_plural = "contacts des PTCE"
        constraints = [models.UniqueConstraint(fields=["ptce", "user"], name="unique_ptce_contact")]

    def __str__(self):
        return f"{self.user} – {self.ptce}"


class SupportPartner(models.Model):
    name = models.CharField("nom", max_length=200, unique=True)
    website = models.URLField("site internet", max_length=500, blank=True)
    description = models.TextField("présentation", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "partenaire d’accompagnement"
        verbose_name_plural = "partenaires d’accompagnement"

    def __str__(self):
        return self.name


class SupportOffer(models.Model):
    partner = models.ForeignKey(
        SupportPartner, verbose_name="partenaire", on_delete=models.PROTECT, related_name="offers"
    )
    slug = models.SlugField("adresse courte", max_length=120, unique=True)
    title = models.CharField("intitulé", max_length=255)
    description = models.TextField("description")
    format = models.CharField("format", max_length=12, choices=OfferFormat)
    capacity = models.PositiveIntegerField(
        "nombre de places",
        null=True,
        blank=True,
        help_text="Nombre de PTCE accueillis. Laisser vide : places illimitées.",
    )
    on_request = models.BooleanField(
        "sur demande", default=False, help_text="Pas de dates fixes : organisé à la demande."
    )
    starts_on = models.DateField("date de début", null=True, blank=True)
    ends_on = models.DateField("date de fin", null=True, blank=True)
    duration_days = models.DecimalField(
        "durée (jours)",
        max_digits=4,
        decimal_places=1,
        default=1,
        help_text="Jours d’accompagnement comptés par PTCE présent.",
    )
    sessions = models.PositiveSmallIntegerField("nombre de séances", default=1)
    audience = models.CharField(
        "public", max_length=10, choices=OfferAudience, default=OfferAudience.ALL
    )
    is_published = models.BooleanField("publiée au catalogue", default=False)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    class Meta:
        ordering = ["partner__name", "title"]
        verbose_name = "offre d’accompagnement"
        verbose_name_plural = "offres d’accompagnement"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="support_offer_dates_in_order",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("laureates:support_offer", args=[self.slug])

    @property
    def is_past(self) -> bool:
        """A dated session whose last day is over (shown « passée », no places offered)."""
        from django.utils import timezone

        last_day = self.ends_on or self.starts_on
        return bool(not self.on_request and last_day and last_day < timezone.localdate())

    def clean(self):
        if self.on_request and (self.starts_on or self.ends_on):
            raise ValidationError("Une offre « sur demande » n’a pas de dates.")
        if not self.on_request and not self.starts_on:
            raise ValidationError(
                {"starts_on": "Indiquez une date de début, ou cochez « sur demande »."}
            )
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "La date de fin précède la date de début."})


class Enrolment(models.Model):
    """One PTCE enrolled in one offer (one row per pair; a cancelled row is reused when the
    PTCE enrols again)."""

    offer = models.ForeignKey(
        SupportOffer, on_delete=models.CASCADE, related_name="enrolments", verbose_name="offre"
    )
    ptce = models.ForeignKey(
        "laureates.Ptce",
        on_delete=models.CASCADE,
        related_name="support_enrolments",
        verbose_name="PTCE",
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="inscrit par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField("statut", max_length=10, choices=EnrolmentStatus)
    attended = models.BooleanField("présent", default=False)
    attendance_recorded_at = models.DateTimeField("présence notée le", null=True, blank=True)
    queued_at = models.DateTimeField("demande reçue le", default=timezone.now)
    confirmed_at = models.DateTimeField("confirmée le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    class Meta:
        ordering = ["queued_at", "pk"]
        verbose_name = "inscription à une offre"
        verbose_name_plural = "inscriptions aux offres"
        constraints = [
            models.UniqueConstraint(fields=["offer", "ptce"], name="unique_enrolment_per_ptce")
        ]
        indexes = [models.Index(fields=["offer", "status", "queued_at"])]

    def __str__(self):
        return f"{self.ptce} – {self.offer}"

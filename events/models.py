"""Network animation: series, events (episodes), speakers, dial-in numbers, invitations and
registrations. Date-times are stored in UTC and entered/shown in Europe/Paris."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone


class EventKind(models.TextChoices):
    ROUND_TABLE = "round_table", "Table ronde"
    WEBINAR = "webinar", "Webinaire"
    NATIONAL_DAY = "national_day", "Journée nationale"
    WORKSHOP = "workshop", "Atelier"


class EventFormat(models.TextChoices):
    ONLINE = "online", "En visioconférence"
    ON_SITE = "on_site", "Sur place"
    HYBRID = "hybrid", "Hybride (sur place et en visioconférence)"


class EventStatus(models.TextChoices):
    PUBLISHED = "published", "Publié"
    CANCELLED = "cancelled", "Annulé"


class Series(models.Model):
    title = models.CharField("intitulé", max_length=255)
    slug = models.SlugField("adresse courte", max_length=100, unique=True)
    description = models.TextField("présentation", blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = "saison (série d’événements)"
        verbose_name_plural = "saisons (séries d’événements)"

    def __str__(self):
        return self.title


class EventQuerySet(models.QuerySet):
    def visible(self):
        """Events shown on public pages (published and cancelled ones, never drafts)."""
        return self.select_related("series", "commune")

    def upcoming(self, now=None):
        return self.visible().filter(ends_at__gte=now or timezone.now()).order_by("starts_at")

    def past(self, now=None):
        return self.visible().filter(ends_at__lt=now or timezone.now()).order_by("-starts_at")


def new_uid() -> str:
    return f"{uuid.uuid4()}@plateforme-ptce"


class Event(models.Model):
    series = models.ForeignKey(
        Series,
        verbose_name="saison",
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
    )
    episode_number = models.PositiveSmallIntegerField("numéro d’épisode", null=True, blank=True)
    episode_title = models.CharField(
        "titre de l’épisode",
        max_length=255,
        blank=True,
        help_text="Par exemple : Un AMI qui vous veut du bien (sans guillemets).",
    )
    title = models.CharField("intitulé", max_length=255)
    slug = models.SlugField("adresse courte", max_length=120, unique=True)
    kind = models.CharField("type", max_length=20, choices=EventKind)
    description = models.TextField(
        "présentation", blank=True, help_text="Paragraphes séparés par une ligne vide."
    )
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    format = models.CharField("format", max_length=10, choices=EventFormat)
    # Online access
    join_url = models.URLField("lien direct de connexion", max_length=500, blank=True)
    meeting_number = models.CharField("numéro de la réunion", max_length=50, blank=True)
    video_address = models.CharField(
        "adresse pour rejoindre par système vidéo", max_length=255, blank=True
    )
    video_ip_instructions = models.CharField(
        "consigne d’appel par adresse IP",
        max_length=500,
        blank=True,
        help_text="Par exemple : Vous pouvez également composer 62.109.219.4 et saisir le "
        "numéro de votre réunion.",
    )
    access_code = models.CharField("code d’accès", max_length=50, blank=True)
    # Venue
    venue_name = models.CharField("lieu", max_length=255, blank=True)
    venue_address = models.CharField("adresse du lieu", max_length=500, blank=True)
    commune = models.ForeignKey(
        "territories.Commune",
        verbose_name="commune",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    programme = models.TextField("programme", blank=True)
    audience = models.TextField("public visé", blank=True)
    call = models.ForeignKey(
        "calls.Call",
        verbose_name="appel lié",
        on_delete=models.SET_NULL,
        related_name="events",
        null=True,
        blank=True,
    )
    replay_url = models.URLField("lien du replay", max_length=500, blank=True)
    capacity = models.PositiveIntegerField(
        "nombre de places",
        null=True,
        blank=True,
        validators=[MinValueValidator(1, "Le nombre de places est d’au moins 1.")],
        help_text="Laisser vide pour un nombre de places illimité.",
    )
    registration_open = models.BooleanField("inscriptions ouvertes", default=True)
    access_details_for_registered_only = models.BooleanField(
        "modalités d’accès réservées aux inscrits",
        default=False,
        help_text="Le lien, les numéros et le code ne sont montrés qu’aux personnes inscrites "
        "(lien personnel et courriels).",
    )
    organiser_name = models.CharField("organisateur", max_length=255)
    organiser_email = models.EmailField("adresse de l’organisateur")
    uid = models.CharField("identifiant iCalendar", max_length=255, unique=True, default=new_uid)
    sequence = models.PositiveIntegerField("version iCalendar (SEQUENCE)", default=0)
    status = models.CharField(
        "statut", max_length=10, choices=EventStatus, default=EventStatus.PUBLISHED
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="créé le")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="modifié le")

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = "événement"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
                violation_error_message="La fin de l’événement doit suivre son début.",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1),
                name="event_capacity_positive",
                violation_error_message="Le nombre de places est d’au moins 1 (vide : illimité).",
            ),
        ]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["ends_at"])]

    def __str__(self):
        return self.full_title

    def get_absolute_url(self):
        return reverse("events:detail", args=[self.slug])

    @property
    def full_title(self) -> str:
        """« PTCE Saison 3 : la relance — Épisode 1 « … » : <title> » (plain text)."""
        parts = []
        if self.series_id:
            parts.append(self.series.title)
        if self.episode_number:
            episode = f"Épisode {self.episode_number}"
            if self.episode_title:
                episode += f" « {self.episode_title} »"
            parts.append(episode)
        head = " — ".join(parts)
        return f"{head} : {self.title}" if head else self.title

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "La fin de l’événement doit suivre son début."
        if self.capacity is not None and self.capacity < 1:
            errors["capacity"] = "Le nombre de places est d’au moins 1 (vide : illimité)."
        if self.format in (EventFormat.ONLINE, EventFormat.HYBRID) and not self.join_url:
            errors["join_url"] = "Un événement en visioconférence a un lien de connexion."
        if self.format in (EventFormat.ON_SITE, EventFormat.HYBRID) and not (
            self.venue_address and self.commune_id
        ):
            errors["venue_address"] = "Un événement sur place a une adresse et une commune."
        if errors:
            raise ValidationError(errors)

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_online(self) -> bool:
        return self.format in (EventFormat.ONLINE, EventFormat.HYBRID)

    @property
    def is_on_site(self) -> bool:
        return self.format in (EventFormat.ON_SITE, EventFormat.HYBRID)

    def has_ended(self, now=None) -> bool:
        return (now or timezone.now()) >= self.ends_at

    @property
    def has_access_details(self) -> bool:
        return bool(
            self.join_url
            or self.meeting_number
            or self.video_address
            or self.access_code
            or self.dial_in_numbers.exists()
        )


class Speaker(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="speakers", verbose_name="événement"
    )
    name = models.CharField("nom", max_length=255)
    title = models.CharField(
        "fonction",
        max_length=255,
        blank=True,
        help_text="Telle qu’elle doit s’afficher, par exemple : Président d’ESS France.",
    )
    organisation = models.CharField("organisation", max_length=255, blank=True)
    place = models.CharField(
        "lieu", max_length=255, blank=True, help_text="Commune et région, par exemple."
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        ordering = ["event", "order", "pk"]
        verbose_name = "intervenant"

    def __str__(self):
        return self.name

    @property
    def details(self) -> str:
        """« PDG du groupe Archer – Romans – Auvergne-Rhône-Alpes »: the function as written
        (the organisation is added only when the function does not already name it), then
        the place."""
        head = self.title
        if self.organisation and self.organisation.lower() not in head.lower():
            head = f"{head}, {self.organisation}" if head else self.organisation
        return " – ".join(part for part in (head, self.place) if part)


class DialInNumber(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="dial_in_numbers", verbose_name="événement"
    )
    number = models.CharField("numéro", max_length=40)
    label = models.CharField("libellé", max_length=100, blank=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        ordering = ["event", "order", "pk"]
        verbose_name = "numéro d’appel"
        verbose_name_plural = "numéros d’appel"

    def __str__(self):
        return f"{self.number} {self.label}".strip()


class Invitation(models.Model):
    """One address invited to one event (kept to send updates and cancellations)."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="invitations", verbose_name="événement"
    )
    email = models.EmailField("adresse")
    audience = models.CharField("public", max_length=255)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name="invité par",
    )
    invited_at = models.DateTimeField(default=timezone.now, verbose_name="invité le")

    class Meta:
        ordering = ["event", "email"]
        verbose_name = "invitation"
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], name="unique_invitation_email")
        ]

    def __str__(self):
        return self.email


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", "Adresse à confirmer"
    CONFIRMED = "confirmed", "Inscription confirmée"
    WAITING = "waiting", "Liste d’attente"
    CANCELLED = "cancelled", "Inscription annulée"


class Registration(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrations", verbose_name="événement"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name="compte",
    )
    email = models.EmailField("adresse électronique")
    name = models.CharField("nom et prénom", max_length=255)
    organisation = models.CharField("organisation", max_length=255, blank=True)
    status = models.CharField("statut", max_length=10, choices=RegistrationStatus)
    created_at = models.DateTimeField("inscrit le", default=timezone.now)
    promoted_at = models.DateTimeField("sorti de la liste d’attente le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    # A registration whose address is not confirmed yet (status PENDING): the link sent to the
    # address is valid until ``confirm_before``; ``holds_place`` says whether a place was free
    # when it was asked (it is then kept for that person until the deadline, see
    # ``events.services.places_left``). Past the deadline the request is released.
    confirm_before = models.DateTimeField("adresse à confirmer avant le", null=True, blank=True)
    holds_place = models.BooleanField("place réservée jusqu’à la confirmation", default=False)
    attended_at = models.DateTimeField("présence constatée le", null=True, blank=True)
    day_reminder_sent_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name="rappel de la veille envoyé le"
    )
    hour_reminder_sent_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name="rappel de l’heure précédente envoyé le"
    )

    class Meta:
        ordering = ["event", "created_at", "pk"]
        verbose_name = "inscription"
        constraints = [
            models.UniqueConstraint(
                "event", Lower("email"), name="unique_registration_email_per_event"
            )
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def is_confirmed(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED

    @property
    def is_pending(self) -> bool:
        return self.status == RegistrationStatus.PENDING

"""PTCE records of the directory: identity, territory, themes, lifecycle, labels and members."""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone

from applications.choices import MemberCategory
from calls.models import Phase
from territories.text import normalise


class PtceStatus(models.TextChoices):
    EMERGING = "emerging", "Émergent"
    FUNDED = "funded", "Financé"
    ACTIVE = "active", "Actif"
    INACTIVE = "inactive", "Inactif"


class Theme(models.TextChoices):
    """Fields of activity of a pole (SPEC §4.2), as shown in the directory filters."""

    CIRCULAR_ECONOMY = "circular_economy", "Économie circulaire et réemploi"
    FOOD = "food", "Alimentation et agriculture"
    MOBILITY = "mobility", "Mobilité"
    CARE = "care", "Services à la personne et santé"
    CONSTRUCTION = "construction", "Bâtiment, habitat et éco-construction"
    CULTURE = "culture", "Culture et industries créatives"
    DIGITAL = "digital", "Numérique"
    ENERGY = "energy", "Transition énergétique"
    EMPLOYMENT = "employment", "Emploi, insertion et formation"
    TOURISM = "tourism", "Tourisme durable"
    TEXTILE = "textile", "Textile et industrie"
    WOOD = "wood", "Filière bois et forêt"


class Ptce(models.Model):
    """A pole listed in the public directory (labelled by a call, or imported from history)."""

    uuid = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField("adresse courte", max_length=120, unique=True)
    name = models.CharField("nom", max_length=255)
    description = models.TextField("description", blank=True)
    lead_organisation_name = models.CharField("structure porteuse", max_length=255, blank=True)
    lead_organisation_siret = models.CharField(
        "SIRET de la structure porteuse", max_length=14, blank=True
    )
    contact_email = models.EmailField("adresse de contact publique", blank=True)
    website = models.URLField("site internet", max_length=500, blank=True)
    communes = models.ManyToManyField(
        "territories.Commune", verbose_name="communes", related_name="ptces", blank=True
    )
    epcis = models.ManyToManyField(
        "territories.Epci", verbose_name="EPCI", related_name="ptces", blank=True
    )
    main_region = models.ForeignKey(
        "territories.Region",
        verbose_name="région principale",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ptces",
    )
    main_department = models.ForeignKey(
        "territories.Department",
        verbose_name="département principal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ptces",
    )
    population_covered = models.PositiveIntegerField("population couverte", null=True, blank=True)
    themes = models.JSONField("thématiques", default=list, blank=True)
    tags = models.JSONField(
        "mots-clés libres",
        default=list,
        blank=True,
        help_text="Thématiques hors du vocabulaire contrôlé, conservées telles qu’écrites "
        "(imports historiques).",
    )
    themes_key = models.CharField(
        max_length=255, blank=True, editable=False, verbose_name="clé des thématiques"
    )
    status = models.CharField(
        "statut", max_length=10, choices=PtceStatus, default=PtceStatus.EMERGING
    )
    status_changed_at = models.DateTimeField("dernier changement de statut", null=True, blank=True)
    # Priority territories of the pole (issue 17), derived from its communes and the official
    # reference data by ``laureates.priority.refresh_priority_flags``: None while the density
    # grid (resp. the QPV list) is not loaded or the pole has no commune.
    is_rural = models.BooleanField(
        "territoire rural",
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="Au moins la moitié des communes du territoire sont rurales (grille de densité "
        "de l’Insee) ; vide = donnée non chargée ou territoire inconnu.",
    )
    has_qpv = models.BooleanField(
        "territoire avec un QPV",
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="Au moins une commune du territoire a un quartier prioritaire de la politique "
        "de la ville ; vide = donnée non chargée ou territoire inconnu.",
    )
    # What the open-data record shows of the pole's members, communes and labels, kept with
    # the search text by ``laureates.services.refresh_search`` (see ``laureates.listing``).
    member_count = models.PositiveIntegerField("nombre de membres", default=0, editable=False)
    commune_codes = models.TextField(
        "codes des communes", blank=True, default="", editable=False, help_text="Séparés par « | »."
    )
    label_summary = models.TextField(
        "labels", blank=True, default="", editable=False, help_text="« AMI 2021 phase 1 | … »."
    )
    first_label_year = models.PositiveSmallIntegerField(
        "année du premier label", null=True, blank=True, editable=False
    )
    source_url = models.URLField("source", max_length=500, blank=True)
    needs_review = models.BooleanField("à vérifier", default=False)
    review_note = models.TextField("points à vérifier", blank=True)
    search_name = models.CharField(
        max_length=255,
        blank=True,
        editable=False,
        db_index=True,
        verbose_name="nom normalisé (recherche)",
    )
    search_text = models.TextField(blank=True, editable=False, verbose_name="texte de recherche")
    search_vector = SearchVectorField(null=True, editable=False, verbose_name="index de recherche")
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "PTCE"
        verbose_name_plural = "PTCE"
        indexes = [models.Index(fields=["status", "name"]), models.Index(fields=["name", "id"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.derive_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "themes_key", "search_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("directory:detail", args=[self.slug])

    def derive_fields(self) -> None:
        """Columns computed from others (on ``save``; call it before ``bulk_create``)."""
        self.themes = [theme for theme in Theme.values if theme in (self.themes or [])]
        self.themes_key = "".join(f"|{theme}|" for theme in self.themes)
        self.search_name = normalise(self.name)

    @property
    def theme_labels(self) -> list[str]:
        return [Theme(theme).label for theme in self.themes if theme in Theme.values]


class PtceStatusChange(models.Model):
    """One step of a pole's lifecycle; written only by ``laureates.services.change_ptce_status``
    (and by imports, for the initial status)."""

    ptce = models.ForeignKey(
        Ptce, on_delete=models.CASCADE, related_name="status_changes", verbose_name="PTCE"
    )
    from_status = models.CharField("ancien statut", max_length=10, choices=PtceStatus, blank=True)
    to_status = models.CharField("nouveau statut", max_length=10, choices=PtceStatus)
    changed_at = models.DateTimeField("date", default=timezone.now)
    reason = models.TextField("motif", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    actor_label = models.CharField("auteur", max_length=255, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = "changement de statut"
        verbose_name_plural = "changements de statut"

    def __str__(self):
        return f"{self.ptce} : {self.from_status or '—'} → {self.to_status}"


class PtceLabel(models.Model):
    """A label obtained through a call, e.g. « AAP 2013 » or « AMI 2021 » phase 1."""

    ptce = models.ForeignKey(
        Ptce, on_delete=models.CASCADE, related_name="labels", verbose_name="PTCE"
    )
    title = models.CharField("appel", max_length=120, help_text="Ex. « AAP 2013 », « AMI 2021 ».")
    year = models.PositiveSmallIntegerField("année")
    phase = models.CharField("phase", max_length=10, choices=Phase, blank=True)
    call = models.ForeignKey(
        "calls.Call",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="appel",
    )

    class Meta:
        ordering = ["year", "title", "phase"]
        verbose_name = "label"
        constraints = [
            models.UniqueConstraint(
                fields=["ptce", "title", "year", "phase"], name="unique_ptce_label"
            )
        ]

    def __str__(self):
        if self.phase:
            return f"{self.title} – {Phase(self.phase).label}"
        return self.title

    @property
    def short_label(self) -> str:
        """« AMI 2021 phase 1 », « AAP 2013 »."""
        return short_label(self.title, self.phase)


def short_label(title: str, phase: str) -> str:
    """A label's short name from its call title and phase: « AMI 2021 phase 1 », « AAP 2013 »."""
    number = {Phase.EMERGENCE: "1", Phase.FUNDING: "2"}.get(phase)
    return f"{title} phase {number}" if number else title


class PtceMember(models.Model):
    """An organisation taking part in the pole. Shown publicly only with its consent."""

    ptce = models.ForeignKey(
        Ptce, on_delete=models.CASCADE, related_name="members", verbose_name="PTCE"
    )
    name = models.CharField("organisation", max_length=255)
    category = models.CharField("catégorie (article 9)", max_length=20, choices=MemberCategory)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    role = models.CharField("rôle dans le pôle", max_length=255, blank=True)
    is_public = models.BooleanField(
        "accepte d’apparaître dans l’annuaire public",
        default=False,
        help_text="Sans ce consentement, le membre n’apparaît dans aucune page ni export publics.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "membre"

    def __str__(self):
        return self.name


class AwardStatus(models.TextChoices):
    GRANTED = "granted", "Attribué"
    CANCELLED = "cancelled", "Annulé"


class Award(models.Model):
    """A committee decision in favour of a file, once published (SPEC §5.5): a phase-1 label or
    a phase-2 award with its amount, linked to the pole of the directory."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="awards"
    )
    ptce = models.ForeignKey(
        Ptce,
        verbose_name="pôle",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="awards",
    )
    call = models.ForeignKey(
        "calls.Call", verbose_name="appel", on_delete=models.PROTECT, related_name="awards"
    )
    phase = models.CharField("phase", max_length=10, choices=Phase)
    amount = models.DecimalField(
        "montant accordé", max_digits=12, decimal_places=2, null=True, blank=True
    )
    decided_at = models.DateTimeField("décidé le")
    status = models.CharField(
        "état", max_length=10, choices=AwardStatus, default=AwardStatus.GRANTED
    )

    class Meta:
        ordering = ["-decided_at", "pk"]
        verbose_name = "décision de soutien"
        verbose_name_plural = "décisions de soutien"
        constraints = [
            models.UniqueConstraint(fields=["application", "phase"], name="unique_award_per_phase")
        ]

    def __str__(self):
        return f"{self.application_id} — {self.get_phase_display()}"


from laureates.models_followup import *  # noqa: E402,F401,F403
from laureates.models_support import *  # noqa: E402,F401,F403

"""Application files (dossiers de candidature), their members, territory, budget, attachments,
frozen submissions and status history. Business rules live in ``services.py`` and
``states.py``; this module only describes the data."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from applications.choices import (
    ApplicationStatus,
    BudgetKind,
    LegalForm,
    Maturity,
    MemberCategory,
    MemberKind,
    PhaseRequest,
)
from calls.choices import AttachmentKind, Phase

MAX_AMOUNT = 100_000_000  # euros: beyond this a typed amount is a typing error


class ApplicationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The files ``user`` may see (the same rule as ``permissions.can_view_application``).

        Owner and co-editors see their files; national cell and admins every submitted file;
        regional reviewers and cell leads the submitted files of their région; nobody else.
        Staff never see a file on which they have a conflict of interest
        (``reviews.conflicts.conflict_q``).
        """
        from accounts.permissions import (
            is_authenticated,
            is_national,
            is_regional_for,
        )

        if not is_authenticated(user):
            return self.none()
        own = Q(owner=user) | Q(
            pk__in=Application.co_editors.through.objects.filter(user=user).values("application_id")
        )
        from reviews.conflicts import conflict_q

        submitted = ~Q(status=ApplicationStatus.DRAFT)
        if is_national(user):
            return self.filter(own | (submitted & ~conflict_q(user)))
        if is_regional_for(user, user.region_id):
            return self.filter(own | (submitted & Q(region_id=user.region_id) & ~conflict_q(user)))
        return self.filter(own)


class Application(models.Model):
    """One file filed to one call for one phase (a draft may ask for both phases)."""

    uuid = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(
        "calls.Call", verbose_name="appel", on_delete=models.PROTECT, related_name="applications"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="titulaire",
        on_delete=models.PROTECT,
        related_name="owned_applications",
    )
    co_editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="co-rédacteurs",
        blank=True,
        related_name="co_edited_applications",
    )
    requested_phases = models.CharField(
        "phases demandées", max_length=10, choices=PhaseRequest, default=PhaseRequest.EMERGENCE
    )
    phase = models.CharField(
        "phase", max_length=10, choices=Phase, blank=True, help_text="Fixée au dépôt."
    )
    linked_application = models.ForeignKey(
        "self",
        verbose_name="dossier de phase 1 déposé ensemble",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_files",
    )
    duplicated_from = models.ForeignKey(
        "self",
        verbose_name="copié depuis",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    status = models.CharField(
        "état du dossier",
        max_length=25,
        choices=ApplicationStatus,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    reference = models.CharField("référence", max_length=20, unique=True, null=True, blank=True)
    round = models.ForeignKey(
        "calls.Round",
        verbose_name="relève",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    region = models.ForeignKey(
        "territories.Region",
        verbose_name="région d’instruction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    submitted_at = models.DateTimeField("déposé le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Input of a step saved with invalid fields, exactly as typed (key: step slug, or
    # « membre-<pk> » for the edit form of one member): the valid fields are saved, these raw
    # values are shown again with their errors until the step is saved without error.
    pending_input = models.JSONField("saisies à corriger", default=dict, blank=True)

    # 1. Lead organisation (structure porteuse)
    lead_siret = models.CharField("SIRET", max_length=14, blank=True, db_index=True)
    lead_name = models.CharField("raison sociale", max_length=255, blank=True)
    lead_legal_form = models.CharField(
        "forme juridique", max_length=20, choices=LegalForm, blank=True
    )
    lead_is_ess = models.BooleanField(
        "structure de l’économie sociale et solidaire", null=True, blank=True
    )
    lead_category = models.CharField(
        "catégorie de la structure porteuse (article 9)",
        max_length=20,
        choices=MemberCategory,
        blank=True,
    )
    lead_legal_category = models.CharField(
        "catégorie juridique Insee", max_length=4, blank=True, help_text="Ex. 9220 (association)."
    )
    lead_address = models.CharField("adresse", max_length=255, blank=True)
    lead_postal_code = models.CharField("code postal", max_length=5, blank=True)
    lead_city = models.CharField("commune", max_length=255, blank=True)
    lead_commune = models.ForeignKey(
        "territories.Commune",
        verbose_name="commune du siège",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    representative_name = models.CharField("représentant légal", max_length=255, blank=True)
    representative_title = models.CharField("qualité du représentant", max_length=255, blank=True)
    contact_name = models.CharField("personne à contacter", max_length=255, blank=True)
    contact_email = models.EmailField("adresse électronique du contact", blank=True)
    contact_phone = models.CharField("téléphone du contact", max_length=30, blank=True)

    # 3. Territory
    communes = models.ManyToManyField(
        "territories.Commune", verbose_name="communes", blank=True, related_name="+"
    )
    epcis = models.ManyToManyField(
        "territories.Epci", verbose_name="EPCI", blank=True, related_name="+"
    )

    # 4. Project
    pole_name = models.CharField("nom du pôle", max_length=255, blank=True)
    diagnosis = models.TextField("diagnostic territorial", blank=True)
    strategy = models.TextField("stratégie commune de mutualisation et de coopération", blank=True)
    projects = models.TextField("projets économiques et sociaux", blank=True)
    innovation = models.TextField("innovation sociale ou technologique", blank=True)
    sustainable_development = models.TextField("développement local durable", blank=True)
    governance = models.TextField("gouvernance", blank=True)
    jobs_existing_fte = models.DecimalField(
        "emplois existants (ETP)",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100000)],
    )
    jobs_planned_fte = models.DecimalField(
        "emplois prévus (ETP)",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100000)],
    )
    themes = models.JSONField("thématiques", default=list, blank=True)
    maturity = models.CharField("maturité", max_length=15, choices=Maturity, blank=True)
    previous_state_support = models.BooleanField(
        "déjà soutenu par l’État lors d’un appel précédent", null=True, blank=True
    )
    previous_state_support_details = models.TextField("précisions sur ce soutien", blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "dossier de candidature"
        verbose_name_plural = "dossiers de candidature"

    def __str__(self):
        name = self.pole_name or self.lead_name or "Dossier sans nom"
        return f"{self.reference} — {name}" if self.reference else name

    @property
    def is_editable(self) -> bool:
        from applications.choices import EDITABLE_STATUSES

        return self.status in EDITABLE_STATUSES

    @property
    def asks_funding(self) -> bool:
        if self.phase:
            return self.phase == Phase.FUNDING
        return self.requested_phases in (PhaseRequest.FUNDING, PhaseRequest.BOTH)

    @property
    def display_name(self) -> str:
        return self.pole_name or self.lead_name or "Dossier sans nom"


class Member(models.Model):
    """An organisation (with SIRET) or a natural person taking part in the grouping."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="members")
    kind = models.CharField("nature", max_length=20, choices=MemberKind)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    name = models.CharField("nom ou raison sociale", max_length=255)
    category = models.CharField("catégorie (article 9)", max_length=20, choices=MemberCategory)
    role = models.CharField("rôle dans le pôle", max_length=500, blank=True)
    group_mostly_non_ess = models.BooleanField(
        "appartient à un groupe majoritairement hors ESS", default=False
    )
    commitment_letter = models.ForeignKey(
        "Attachment",
        verbose_name="lettre d’engagement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["application", "order", "pk"]
        verbose_name = "membre"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "siret"],
                condition=~Q(siret=""),
                name="unique_member_siret_per_application",
            )
        ]

    def __str__(self):
        return self.name


class BudgetLine(models.Model):
    """An expense by category and year, or a resource by funder and year."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    kind = models.CharField("nature", max_length=10, choices=BudgetKind)
    category = models.CharField("catégorie ou financeur", max_length=30)
    year = models.PositiveSmallIntegerField(
        "année du projet", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    amount = models.DecimalField(
        "montant (€)",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT)],
    )

    class Meta:
        ordering = ["application", "kind", "category", "year"]
        verbose_name = "ligne budgétaire"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "category", "year"], name="unique_budget_cell"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_amount_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.category} année {self.year} : {self.amount}"


def attachment_path(instance, filename):
    """Storage names never reuse what the user typed: ``candidatures/<uuid>/<random>.<ext>``."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"candidatures/{instance.application.uuid}/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField("type de pièce", max_length=20, choices=AttachmentKind)
    file = models.FileField("fichier", upload_to=attachment_path, max_length=255)
    original_name = models.CharField("nom du fichier", max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField("taille (octets)")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "kind", "uploaded_at"]
        verbose_name = "pièce justificative"
        verbose_name_plural = "pièces justificatives"

    def __str__(self):
        return self.original_name


class ImmutableError(Exception):
    pass


class Submission(models.Model):
    """What was submitted, frozen: the JSON snapshot and its SHA-256. Never updated, except to
    attach the PDF receipt once the background task has rendered it."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="submissions"
    )
    version = models.PositiveSmallIntegerField("version")
    reference = models.CharField("référence", max_length=20)
    submitted_at = models.DateTimeField("déposé le")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField("contenu déposé")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    receipt = models.FileField("accusé de réception", max_length=255, blank=True)

    class Meta:
        ordering = ["application", "version"]
        verbose_name = "version déposée"
        verbose_name_plural = "versions déposées"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "version"], name="unique_submission_version"
            )
        ]

    def __str__(self):
        return f"{self.reference} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            update_fields = set(kwargs.get("update_fields") or ())
            if not update_fields or not update_fields <= {"receipt"}:
                raise ImmutableError("Une version déposée ne peut pas être modifiée.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Une version déposée ne peut pas être supprimée.")


class StatusChange(models.Model):
    """The status history shown to candidates as a timeline (mirrors the audit log)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=25, choices=ApplicationStatus)
    to_status = models.CharField(max_length=25, choices=ApplicationStatus)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["application", "at", "pk"]
        verbose_name = "changement d’état"

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class ReferenceCounter(models.Model):
    """One row per year, locked while a reference is drawn: no gaps, no duplicates."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "compteur de références"

    def __str__(self):
        return f"{self.year} : {self.last_number}"


class CoEditorInvitation(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField("adresse invitée")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "invitation de co-rédacteur"

    def __str__(self):
        return self.email

"""Review data: routing history, assignments, conflicts of interest, evaluations and scores,
per-file figures, correction requests and messages (SPEC §5.1–5.3).

Business rules live in ``reviews/services.py`` (and the pure ``scoring.py``); this module only
describes the data.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reviews.choices import CommitteeDecision, Opinion


class RoutingChange(models.Model):
    """Each time a file is sent to a régional cell: automatically at submission (``by`` is
    empty) or manually re-routed by the national cell (with a reason)."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="routing_changes"
    )
    from_region = models.ForeignKey(
        "territories.Region",
        verbose_name="région précédente",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_region = models.ForeignKey(
        "territories.Region",
        verbose_name="région d’instruction",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField("motif", blank=True)
    at = models.DateTimeField("le")

    class Meta:
        ordering = ["application", "at", "pk"]
        verbose_name = "orientation du dossier"
        verbose_name_plural = "orientations des dossiers"

    def __str__(self):
        return f"{self.application_id} → {self.to_region_id}"


class Assignment(models.Model):
    """A reviewer asked to score a file (by a cell lead or the national cell)."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="évaluateur",
        on_delete=models.PROTECT,
        related_name="review_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="attribué par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("attribué le", auto_now_add=True)
    due_on = models.DateField("à rendre le", null=True, blank=True)

    class Meta:
        ordering = ["application", "at", "pk"]
        verbose_name = "attribution"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="unique_assignment_per_reviewer"
            )
        ]

    def __str__(self):
        return f"{self.application_id} → {self.reviewer_id}"


class ConflictSource(models.TextChoices):
    DECLARED = "declared", "Déclaré par l’évaluateur"
    AUTOMATIC = "automatic", "Détecté automatiquement"


class ConflictOfInterest(models.Model):
    """A staff member who must not see nor score a file. Declared by the reviewer, or found
    automatically (their organisation is the lead or a member of the grouping)."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="conflicts"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="évaluateur",
        on_delete=models.CASCADE,
        related_name="review_conflicts",
    )
    source = models.CharField("origine", max_length=10, choices=ConflictSource)
    reason = models.TextField("motif")
    at = models.DateTimeField("déclaré le", auto_now_add=True)

    class Meta:
        ordering = ["application", "at", "pk"]
        verbose_name = "conflit d’intérêts"
        verbose_name_plural = "conflits d’intérêts"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="unique_conflict_per_reviewer"
            )
        ]

    def __str__(self):
        return f"{self.application_id} × {self.reviewer_id}"


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Transmise"


class Evaluation(models.Model):
    """One reviewer's scores on one file against the call's grid. ``weighted_total`` and
    ``eliminated`` are computed by ``reviews.scoring`` when the evaluation is submitted."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="evaluations"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="évaluateur",
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    status = models.CharField(
        "état", max_length=10, choices=EvaluationStatus, default=EvaluationStatus.DRAFT
    )
    general_comment = models.TextField("appréciation générale", blank=True)
    weighted_total = models.DecimalField(
        "note pondérée", max_digits=6, decimal_places=2, null=True, blank=True
    )
    eliminated = models.BooleanField("critère éliminatoire non atteint", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField("transmise le", null=True, blank=True)

    class Meta:
        ordering = ["application", "submitted_at", "pk"]
        verbose_name = "évaluation"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="unique_evaluation_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="submitted_evaluation_has_date",
            ),
        ]

    def __str__(self):
        return f"Évaluation {self.application_id} par {self.reviewer_id}"

    @property
    def is_submitted(self) -> bool:
        return self.status == EvaluationStatus.SUBMITTED


class Score(models.Model):
    """The mark and comment given on one criterion of the grid."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        "calls.Criterion", verbose_name="critère", on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField("note", max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        ordering = ["evaluation", "criterion__order", "criterion_id"]
        verbose_name = "note"
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"], name="unique_score_per_criterion"
            )
        ]

    def __str__(self):
        return f"{self.criterion_id} : {self.value}"


class ReviewSummary(models.Model):
    """Per-file figures kept up to date from the submitted evaluations (``reviews.scoring``),
    and the territory flags the reviewer list filters on: one row per routed file, so the
    list stays one query whatever its filters."""

    application = models.OneToOneField(
        "applications.Application",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="review_summary",
    )
    review_count = models.PositiveSmallIntegerField("nombre d’évaluations", default=0)
    mean = models.DecimalField("moyenne", max_digits=6, decimal_places=2, null=True, blank=True)
    median = models.DecimalField("médiane", max_digits=6, decimal_places=2, null=True, blank=True)
    std_dev = models.DecimalField(
        "écart-type", max_digits=6, decimal_places=2, null=True, blank=True
    )
    disagreement = models.BooleanField("désaccord", default=False)
    eliminated = models.BooleanField("critère éliminatoire", default=False)
    department = models.ForeignKey(
        "territories.Department",
        verbose_name="département principal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_rural = models.BooleanField("territoire rural", default=False)
    is_qpv = models.BooleanField("quartier prioritaire", default=False)
    is_overseas = models.BooleanField("outre-mer", default=False)
    search_text = models.TextField(
        "texte de recherche",
        blank=True,
        default="",
        help_text="Référence, pôle, porteur, SIRET/SIREN et membres, sans accents ni majuscules "
        "(reviews.identity).",
    )
    search_vector = SearchVectorField(
        "index de recherche",
        null=True,
        editable=False,
        help_text="PostgreSQL : index plein texte de search_text (reviews.search).",
    )
    commune_count = models.PositiveIntegerField("communes du territoire", default=0)
    rural_count = models.PositiveIntegerField(
        "communes rurales", null=True, blank=True, help_text="Vide : grille de densité non chargée."
    )
    qpv_count = models.PositiveIntegerField(
        "communes avec un QPV", null=True, blank=True, help_text="Vide : liste des QPV non chargée."
    )
    density_unknown_count = models.PositiveIntegerField(
        "communes absentes de la grille de densité", default=0
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "chiffres d’instruction"
        verbose_name_plural = "chiffres d’instruction"

    def __str__(self):
        return f"Chiffres {self.application_id}"

    @property
    def is_priority(self) -> bool:
        return self.is_rural or self.is_qpv or self.is_overseas

    @property
    def priority(self):
        """The figures as stored at the last refresh (``territories.priority``)."""
        from territories.priority import PriorityFigures

        return PriorityFigures(
            communes=self.commune_count,
            rural=self.rural_count,
            qpv=self.qpv_count,
            density_unknown=self.density_unknown_count,
        )


class CorrectionSection(models.TextChoices):
    """Steps of the candidate file a correction request may reopen (slugs of
    ``applications.services.STEPS``)."""

    LEAD = "structure", "Structure porteuse"
    MEMBERS = "membres", "Membres du pôle"
    TERRITORY = "territoire", "Territoire"
    PROJECT = "projet", "Projet"
    BUDGET = "budget", "Budget"
    ATTACHMENTS = "pieces", "Pièces justificatives"


class CorrectionRequest(models.Model):
    """Reviewers ask the candidate for corrections on some sections, with a deadline."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="correction_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandé par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sections = models.JSONField("sections à corriger", default=list)
    message = models.TextField("demande")
    deadline = models.DateField("date limite")
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    answered_at = models.DateTimeField("nouveau dépôt le", null=True, blank=True)
    answered_version = models.PositiveSmallIntegerField("version déposée", null=True, blank=True)

    class Meta:
        ordering = ["application", "created_at", "pk"]
        verbose_name = "demande de compléments"
        verbose_name_plural = "demandes de compléments"

    def __str__(self):
        return f"Demande {self.pk} sur {self.application_id}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    @property
    def is_overdue(self) -> bool:
        """Open and past its deadline (the deadline day itself is still allowed)."""
        return self.is_open and self.deadline < timezone.localdate()

    def section_labels(self) -> list[str]:
        labels = dict(CorrectionSection.choices)
        return [labels.get(section, section) for section in self.sections]


def message_attachment_path(instance, filename):
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"messages/{instance.application.uuid}/{uuid.uuid4().hex}.{extension}"


class Message(models.Model):
    """An exchange on one file between the candidate side and the reviewers."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_staff = models.BooleanField("envoyé par l’instruction")
    body = models.TextField("message")
    attachment = models.FileField(
        "pièce jointe", upload_to=message_attachment_path, max_length=255, blank=True
    )
    attachment_name = models.CharField("nom de la pièce jointe", max_length=120, blank=True)
    attachment_content_type = models.CharField(max_length=100, blank=True)
    attachment_size = models.PositiveBigIntegerField(null=True, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField("envoyé le", auto_now_add=True)

    class Meta:
        ordering = ["application", "created_at", "pk"]
        verbose_name = "message"

    def __str__(self):
        return f"Message {self.pk} sur {self.application_id}"


class RegionalOpinion(models.Model):
    """The régional cell's opinion on a file (SPEC §5.4), validated by the cell lead.

    ``version`` is the optimistic lock: every save checks the version the person loaded and
    increments it, so two people editing at once never overwrite each other silently."""

    application = models.OneToOneField(
        "applications.Application",
        on_delete=models.CASCADE,
        related_name="regional_opinion",
    )
    opinion = models.CharField("avis", max_length=12, choices=Opinion)
    reasons = models.TextField("motifs")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="rédigé par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="validé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    version = models.PositiveIntegerField("version", default=1)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "avis régional"
        verbose_name_plural = "avis régionaux"

    def __str__(self):
        return f"Avis {self.get_opinion_display()} sur {self.application_id}"

    @property
    def is_validated(self) -> bool:
        return self.validated_at is not None


class Simulation(models.Model):
    """A named allocation simulation of the national cell (SPEC §5.5): the parameters given to
    ``reviews.allocation`` and its result (``AllocationResult.to_dict()``), kept as run."""

    call = models.ForeignKey(
        "calls.Call", verbose_name="appel", on_delete=models.CASCADE, related_name="simulations"
    )
    name = models.CharField("nom", max_length=120)
    parameters = models.JSONField("paramètres")
    result = models.JSONField("résultat")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créée par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "simulation d’enveloppe"
        verbose_name_plural = "simulations d’enveloppe"

    def __str__(self):
        return self.name


class SessionStatus(models.TextChoices):
    OPEN = "open", "Ouverte"
    CLOSED = "closed", "Close"


class CommitteeSession(models.Model):
    """A selection committee meeting (SPEC §5.5). Its decisions stay pending until the national
    cell publishes the session (``published_at``)."""

    call = models.ForeignKey(
        "calls.Call", verbose_name="appel", on_delete=models.PROTECT, related_name="sessions"
    )
    title = models.CharField("intitulé", max_length=200)
    date = models.DateField("date de la séance")
    place = models.CharField("lieu", max_length=200, blank=True)
    members_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="membres présents", blank=True, related_name="+"
    )
    simulation = models.ForeignKey(
        Simulation,
        verbose_name="simulation de référence",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        "état", max_length=10, choices=SessionStatus, default=SessionStatus.OPEN
    )
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="publiée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "séance du comité"
        verbose_name_plural = "séances du comité"

    def __str__(self):
        return f"{self.title} ({self.date:%d/%m/%Y})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Decision(models.Model):
    """The committee's decision on one file in one session (pending until published)."""

    session = models.ForeignKey(
        CommitteeSession, on_delete=models.CASCADE, related_name="decisions"
    )
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="committee_decisions"
    )
    decision = models.CharField("décision", max_length=12, choices=CommitteeDecision)
    amount = models.DecimalField(
        "montant accordé", max_digits=12, decimal_places=2, null=True, blank=True
    )
    reasons = models.TextField("motifs", blank=True)
    waiting_position = models.PositiveSmallIntegerField(
        "rang sur la liste d’attente", null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisie par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField("saisie le", auto_now=True)

    class Meta:
        ordering = ["session", "application__reference"]
        verbose_name = "décision du comité"
        verbose_name_plural = "décisions du comité"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "application"], name="unique_decision_per_session"
            )
        ]

    def __str__(self):
        return f"{self.get_decision_display()} — {self.application_id}"


class SavedView(models.Model):
    """A named set of filters of the reviewer list, kept per person (SPEC §5.6). ``query``
    holds only known filter parameters, cleaned by ``reviews.instructor.clean_query``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="propriétaire",
        on_delete=models.CASCADE,
        related_name="saved_review_views",
    )
    name = models.CharField("nom", max_length=80)
    query = models.CharField("filtres", max_length=1000, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        ordering = ["user", "name"]
        verbose_name = "vue enregistrée"
        verbose_name_plural = "vues enregistrées"
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="unique_saved_view_name")
        ]

    def __str__(self):
        return self.name


class FileIdentifier(models.Model):
    """A SIREN (and SIRET when known) of a file's lead or members, as submitted: what the
    pending-duplicates signal joins on (``reviews.identity``)."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="identifiers"
    )
    siren = models.CharField("SIREN", max_length=9, db_index=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)

    class Meta:
        verbose_name = "identifiant d’un dossier"
        verbose_name_plural = "identifiants des dossiers"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "siren", "siret"], name="unique_file_identifier"
            )
        ]

    def __str__(self):
        return self.siret or self.siren

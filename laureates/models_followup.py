"""Follow-up of phase-2 laureates (SPEC §6): the funding agreement (convention), its payment
tranches and the reports (bilans) it requires.

Every change goes through ``laureates.followup`` (checked, locked, audited)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = [
    "Agreement",
    "Payment",
    "PaymentTrigger",
    "Report",
    "ReportKind",
    "ReportStatus",
]


class PaymentTrigger(models.TextChoices):
    """What must have happened before a tranche may be paid."""

    SIGNATURE = "signature", "Signature de la convention"
    INTERIM_REPORT = "interim_report", "Bilan intermédiaire accepté"
    FINAL_REPORT = "final_report", "Bilan final accepté"
    YEARLY = "yearly", "Bilan annuel de l’année précédente accepté"


class ReportKind(models.TextChoices):
    INTERIM = "interim", "Bilan intermédiaire"
    YEARLY = "yearly", "Bilan annuel"
    FINAL = "final", "Bilan final"


class ReportStatus(models.TextChoices):
    EXPECTED = "expected", "À transmettre"
    SUBMITTED = "submitted", "Transmis, en cours d’examen"
    CHANGES_REQUESTED = "changes_requested", "Compléments demandés"
    ACCEPTED = "accepted", "Accepté"


class Agreement(models.Model):
    """The funding agreement of a phase-2 award, generated from the call's payment schedule
    template. ``schedule`` keeps the template as it was when the agreement was drawn up."""

    award = models.OneToOneField(
        "laureates.Award",
        verbose_name="décision",
        on_delete=models.PROTECT,
        related_name="agreement",
    )
    ptce = models.ForeignKey(
        "laureates.Ptce", verbose_name="PTCE", on_delete=models.PROTECT, related_name="agreements"
    )
    amount = models.DecimalField("montant de la subvention", max_digits=12, decimal_places=2)
    starts_on = models.DateField("début de la période de soutien")
    duration_months = models.PositiveSmallIntegerField("durée (mois)")
    schedule = models.JSONField("échéancier retenu", default=list)
    signed_on = models.DateField("signée le", null=True, blank=True)
    signature_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="signature enregistrée par",
    )
    acknowledged_at = models.DateTimeField("prise de connaissance par le lauréat", null=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="prise de connaissance par",
    )
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = "convention"

    def __str__(self):
        return f"Convention {self.reference} – {self.ptce}"

    @property
    def reference(self) -> str:
        return f"CONV-{self.starts_on.year}-{self.pk:04d}" if self.pk else "CONV"

    @property
    def is_signed(self) -> bool:
        return self.signed_on is not None

    @property
    def ends_on(self):
        from laureates.followup import add_months

        return add_months(self.starts_on, self.duration_months)


class Report(models.Model):
    """A report (bilan) due under an agreement, with its narrative and indicators."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="reports", verbose_name="convention"
    )
    kind = models.CharField("type", max_length=10, choices=ReportKind)
    year = models.PositiveSmallIntegerField("année de la convention", default=0)
    due_on = models.DateField("à transmettre au plus tard le")
    status = models.CharField(
        "état", max_length=20, choices=ReportStatus, default=ReportStatus.EXPECTED
    )
    narrative = models.TextField("bilan qualitatif", blank=True)
    indicators = models.JSONField("indicateurs", default=dict, blank=True)
    submitted_at = models.DateTimeField("transmis le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="transmis par",
    )
    submission_count = models.PositiveSmallIntegerField("transmissions", default=0)
    reviewed_at = models.DateTimeField("examiné le", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="examiné par",
    )
    review_comment = models.TextField("observations de la cellule nationale", blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "bilan"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "kind", "year"], name="unique_report")
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.title} – {self.agreement.ptce}"

    @property
    def title(self) -> str:
        label = ReportKind(self.kind).label
        return f"{label} (année {self.year})" if self.kind == ReportKind.YEARLY else label

    @property
    def is_editable(self) -> bool:
        return self.status in (ReportStatus.EXPECTED, ReportStatus.CHANGES_REQUESTED)

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_editable and self.due_on < today


class Payment(models.Model):
    """One tranche of the schedule: planned amount and date, then what was actually paid."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="payments", verbose_name="convention"
    )
    position = models.PositiveSmallIntegerField("rang")
    label = models.CharField("tranche", max_length=255)
    share = models.DecimalField("part (%)", max_digits=6, decimal_places=3)
    trigger = models.CharField("condition", max_length=20, choices=PaymentTrigger)
    prerequisite_report = models.ForeignKey(
        Report,
        verbose_name="bilan préalable",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    planned_amount = models.DecimalField("montant prévu", max_digits=12, decimal_places=2)
    planned_on = models.DateField("date prévue")
    paid_amount = models.DecimalField(
        "montant versé", max_digits=12, decimal_places=2, null=True, blank=True
    )
    paid_on = models.DateField("versé le", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enregistré par",
    )
    recorded_at = models.DateTimeField("saisi le", null=True, blank=True)

    class Meta:
        ordering = ["agreement", "position"]
        verbose_name = "versement"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "position"], name="unique_tranche")
        ]

    def __str__(self):
        return f"{self.label} – {self.planned_amount} €"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None

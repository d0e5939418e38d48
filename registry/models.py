"""Local copy of the SIRENE register (legal units and establishments) and its bookkeeping.

The two register tables are loaded in bulk by ``manage.py import_sirene`` (see
``registry.importer``): their columns are deliberately few and plain so that a million rows load
in seconds. SIREN/SIRET are the primary keys; ``Establishment.siren`` is an indexed column, not a
foreign key, because the two stock files are independent and are swapped in as a whole.
"""

from django.db import models


class State(models.TextChoices):
    ACTIVE = "A", "Actif"
    CEASED = "C", "Cessé"
    CLOSED = "F", "Fermé"


class LegalUnit(models.Model):
    """One line of ``StockUniteLegale``."""

    siren = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField("dénomination", max_length=255, blank=True)
    legal_category = models.CharField("catégorie juridique", max_length=4, blank=True)
    naf = models.CharField("activité principale (NAF/APE)", max_length=6, blank=True)
    is_ess = models.BooleanField("économie sociale et solidaire", null=True)
    state = models.CharField("état administratif", max_length=1, choices=State.choices)
    state_since = models.DateField("date de début de l’état", null=True)
    creation_date = models.DateField("date de création", null=True)
    head_office_nic = models.CharField("NIC du siège", max_length=5, blank=True)

    class Meta:
        verbose_name = "unité légale"
        verbose_name_plural = "unités légales"

    def __str__(self):
        return f"{self.siren} {self.name}"


class Establishment(models.Model):
    """One line of ``StockEtablissement``."""

    siret = models.CharField("SIRET", max_length=14, primary_key=True)
    siren = models.CharField("SIREN", max_length=9, db_index=True)
    name = models.CharField("enseigne ou dénomination usuelle", max_length=255, blank=True)
    is_head_office = models.BooleanField("siège", default=False)
    state = models.CharField("état administratif", max_length=1, choices=State.choices)
    state_since = models.DateField("date de début de l’état", null=True)
    creation_date = models.DateField("date de création", null=True)
    naf = models.CharField("activité principale (NAF/APE)", max_length=6, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    commune_code = models.CharField("code commune", max_length=5, blank=True, db_index=True)

    class Meta:
        verbose_name = "établissement"
        verbose_name_plural = "établissements"

    def __str__(self):
        return self.siret


class ImportRun(models.Model):
    """One run of ``import_sirene``: what was read, kept, skipped, and whether it was applied."""

    class Status(models.TextChoices):
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "Échec"

    started_at = models.DateTimeField(auto_now_add=True, verbose_name="commencé le")
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name="terminé le")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.RUNNING, verbose_name="état"
    )
    legal_units_file = models.CharField(
        max_length=500, blank=True, verbose_name="fichier des unités légales"
    )
    establishments_file = models.CharField(
        max_length=500, blank=True, verbose_name="fichier des établissements"
    )
    legal_units = models.PositiveIntegerField(default=0, verbose_name="unités légales")
    establishments = models.PositiveIntegerField(default=0, verbose_name="établissements")
    skipped = models.PositiveIntegerField(default=0, verbose_name="lignes ignorées")
    report = models.TextField(blank=True, verbose_name="compte rendu")

    class Meta:
        verbose_name = "import SIRENE"
        verbose_name_plural = "imports SIRENE"
        ordering = ["-started_at"]

    def __str__(self):
        return f"Import SIRENE du {self.started_at:%d/%m/%Y %H:%M} ({self.get_status_display()})"


class PendingVerification(models.Model):
    """A SIRET accepted as « à vérifier » because no source knew it; re-checked periodically."""

    siret = models.CharField("SIRET", max_length=14, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="créée le")
    last_checked_at = models.DateTimeField(
        null=True, blank=True, verbose_name="dernière vérification le"
    )
    attempts = models.PositiveIntegerField(default=0, verbose_name="tentatives")
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name="résolue le")
    resolved_source = models.CharField(
        max_length=10, blank=True, verbose_name="source de la résolution"
    )
    reason = models.CharField(max_length=255, blank=True, verbose_name="motif")

    class Meta:
        verbose_name = "SIRET à vérifier"
        verbose_name_plural = "SIRET à vérifier"
        indexes = [
            models.Index(fields=["resolved_at", "last_checked_at"], name="registry_pending_due")
        ]

    def __str__(self):
        return self.siret


class OnlineCacheEntry(models.Model):
    """Answer of the online company-search API, kept until ``expires_at`` (shared by servers)."""

    key = models.CharField(max_length=20, unique=True)
    payload = models.JSONField()
    fetched_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "réponse en cache de l’API Recherche d’entreprises"
        verbose_name_plural = "réponses en cache de l’API Recherche d’entreprises"

    def __str__(self):
        return self.key

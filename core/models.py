from django.conf import settings
from django.db import models


class AuditChainHead(models.Model):
    """Single row serialising writers of the audit chain (locked with SELECT … FOR UPDATE)."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return f"tête de chaîne n° {self.last_sequence}"


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Le journal d'audit est en ajout seul.")

    def delete(self):
        raise PermissionError("Le journal d'audit est en ajout seul.")


class AuditLog(models.Model):
    """Append-only record of who did what, when, before and after; each entry sealed with
    HMAC-SHA-256 under a key kept out of the database and chained to the previous one."""

    sequence = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="auteur",
    )
    actor_label = models.CharField("auteur (texte)", max_length=255, blank=True)
    action = models.CharField("action", max_length=100, db_index=True)
    object_type = models.CharField("type d'objet", max_length=100, blank=True)
    object_id = models.CharField("identifiant", max_length=64, blank=True, db_index=True)
    object_label = models.CharField("objet", max_length=255, blank=True)
    before = models.JSONField("avant", null=True, blank=True)
    after = models.JSONField("après", null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # "hmac-sha256:<key id>" (core/audit.py), or "sha256" for entries written before the key.
    algorithm = models.CharField("algorithme", max_length=40)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        verbose_name = "entrée du journal d'audit"
        verbose_name_plural = "journal d'audit"

    def __str__(self):
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Le journal d'audit est en ajout seul.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Le journal d'audit est en ajout seul.")


class OutboundEmail(models.Model):
    """An e-mail waiting in (or sent from) the outbox. Rows are the source of truth."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        SENDING = "sending", "En cours d'envoi"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "Échec définitif"

    created_at = models.DateTimeField(auto_now_add=True)
    to = models.JSONField("destinataires")
    subject = models.CharField("objet", max_length=255)
    body = models.TextField("texte")
    html_body = models.TextField("HTML", blank=True)
    template = models.CharField("modèle", max_length=100, blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative", db_index=True)
    last_error = models.TextField("dernière erreur", blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    dedup_key = models.CharField(
        "clé d'unicité",
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        help_text="Empêche d'envoyer deux fois le même message (ex. un accusé de réception).",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "courriel sortant"
        verbose_name_plural = "boîte d'envoi"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"


class OutboundEmailAttachment(models.Model):
    email = models.ForeignKey(OutboundEmail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    mimetype = models.CharField(max_length=100)
    content = models.BinaryField(null=True, blank=True)
    storage_path = models.CharField(
        max_length=500,
        blank=True,
        help_text="Fichier produit plus tard (ex. PDF) dans le stockage.",
    )

    class Meta:
        verbose_name = "pièce jointe de courriel"

    def __str__(self):
        return self.filename


class PeriodicJobRun(models.Model):
    """When each periodic job last ran (shared by every scheduler process)."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.name


class Heartbeat(models.Model):
    """Last sign of life of a background component (``worker``: the periodic
    ``core.worker_heartbeat`` task, run by a task worker every minute). Read by the readiness
    probe ``/sante/pret/`` (core/health.py)."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField("dernier signe de vie")

    class Meta:
        verbose_name = "signe de vie"
        verbose_name_plural = "signes de vie"

    def __str__(self):
        return f"{self.name} : {self.beat_at:%Y-%m-%d %H:%M:%S}"


class BackupRun(models.Model):
    """One scheduled backup or restore check (core/backup_schedule.py), for the readiness
    probe and the operators: when, whether it worked, what it produced or why it failed."""

    class Kind(models.TextChoices):
        BACKUP = "backup", "Sauvegarde"
        RESTORE_CHECK = "restore_check", "Vérification de restauration"

    kind = models.CharField("type", max_length=20, choices=Kind)
    started_at = models.DateTimeField("commencée le")
    finished_at = models.DateTimeField("terminée le")
    ok = models.BooleanField("réussie")
    name = models.CharField("archive", max_length=255, blank=True)
    size = models.PositiveBigIntegerField("taille (octets)", null=True, blank=True)
    message = models.TextField("message", blank=True)

    class Meta:
        ordering = ["-finished_at", "-pk"]
        verbose_name = "sauvegarde planifiée"
        verbose_name_plural = "sauvegardes planifiées"
        indexes = [models.Index(fields=["kind", "finished_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} du {self.finished_at:%d/%m/%Y %H:%M}"

"""Enumerations of calls, importable without the ORM (the eligibility engine uses them)."""

from django.db import models


class Phase(models.TextChoices):
    EMERGENCE = "emergence", "Phase 1 « PTCE émergents » (label)"
    FUNDING = "funding", "Phase 2 « financement »"


class Instrument(models.TextChoices):
    AMI = "ami", "Appel à manifestation d’intérêt"
    AAP = "aap", "Appel à projets"


class PublicationState(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    PUBLISHED = "published", "Publié"
    ARCHIVED = "archived", "Archivé"


class PriorityTerritory(models.TextChoices):
    RURAL = "rural", "Territoires ruraux"
    QPV = "qpv", "Quartiers prioritaires de la politique de la ville"
    OVERSEAS = "overseas", "Outre-mer"


class AttachmentKind(models.TextChoices):
    STATUTES = "statutes", "Statuts"
    BUDGET = "budget", "Budget prévisionnel"
    COMMITMENT_LETTER = "commitment_letter", "Lettre d’engagement"
    ACTIVITY_REPORT = "activity_report", "Rapport d’activité"
    OTHER = "other", "Autre pièce"

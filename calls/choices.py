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


# Payment schedule triggers as staff choose them (stored in the call's template; the agreement
# turns « year_N » into the yearly report of year N-1, see laureates.followup).
SCHEDULE_TRIGGERS = [
    ("signature", "À la signature de la convention"),
    ("interim_report", "Après le bilan intermédiaire accepté"),
    ("final_report", "Après le bilan final accepté"),
    ("year_1", "Première année"),
    ("year_2", "Deuxième année (bilan de la première année accepté)"),
    ("year_3", "Troisième année (bilan de la deuxième année accepté)"),
    ("year_4", "Quatrième année (bilan de la troisième année accepté)"),
]

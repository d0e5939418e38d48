"""Enumerations of the review domain, shared by the pure modules and (later) the models."""

from django.db import models


class Opinion(models.TextChoices):
    """A regional cell's opinion on a file (SPEC §5.4)."""

    FAVOURABLE = "favourable", "Favorable"
    RESERVED = "reserved", "Réservé"
    UNFAVOURABLE = "unfavourable", "Défavorable"


class CommitteeDecision(models.TextChoices):
    """What a committee session decides for a file (SPEC §5.5)."""

    ACCEPTED = "accepted", "Retenu"
    REJECTED = "rejected", "Non retenu"
    WAITING_LIST = "waiting_list", "Liste d’attente"

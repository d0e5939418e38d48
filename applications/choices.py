"""Enumerations shared by application files, the eligibility engine and reviews."""

from django.db import models


class MemberCategory(models.TextChoices):
    """Article 9 categories of a PTCE member (law n° 2014-856, art. 9)."""

    ESS_ENTERPRISE = "ess_enterprise", "Entreprise de l’économie sociale et solidaire"
    OTHER_ENTERPRISE = "other_enterprise", "Autre entreprise"
    LOCAL_AUTHORITY = "local_authority", "Collectivité territoriale ou groupement"
    RESEARCH_CENTRE = "research_centre", "Centre de recherche"
    HIGHER_EDUCATION = "higher_education", "Établissement d’enseignement supérieur et de recherche"
    TRAINING_BODY = "training_body", "Organisme de formation"
    OTHER = "other", "Autre personne physique ou morale"


class MemberKind(models.TextChoices):
    ORGANISATION = "organisation", "Personne morale (organisation)"
    NATURAL_PERSON = "natural_person", "Personne physique"


# Article 9 actors other than enterprises: at least one is required.
OTHER_ARTICLE_9_ACTORS = frozenset(
    {
        MemberCategory.LOCAL_AUTHORITY,
        MemberCategory.RESEARCH_CENTRE,
        MemberCategory.HIGHER_EDUCATION,
        MemberCategory.TRAINING_BODY,
        MemberCategory.OTHER,
    }
)

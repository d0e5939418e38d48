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


class ApplicationStatus(models.TextChoices):
    """States of an application file (GLOSSARY), with the French labels candidates read."""

    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposé"
    CORRECTION_REQUESTED = "correction_requested", "En correction"
    UNDER_REVIEW = "under_review", "En instruction"
    REVIEWED = "reviewed", "Instruit"
    ACCEPTED = "accepted", "Retenu"
    REJECTED = "rejected", "Non retenu"
    WITHDRAWN = "withdrawn", "Retiré"
    CLOSED = "closed", "Classé sans suite"


# States in which the candidate may still change the file.
EDITABLE_STATUSES = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.CORRECTION_REQUESTED})
# States reached once a decision has been taken (nothing more to withdraw).
FINAL_STATUSES = frozenset(
    {
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
        ApplicationStatus.CLOSED,
    }
)


class PhaseRequest(models.TextChoices):
    """What a draft asks for; at submission it becomes one application per phase."""

    EMERGENCE = "emergence", "Phase 1 « PTCE émergents » (label)"
    FUNDING = "funding", "Phase 2 « financement » (pôle déjà labellisé en phase 1)"
    BOTH = "both", "Phases 1 et 2 déposées ensemble"


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", "Association loi 1901"
    COOPERATIVE = "cooperative", "Coopérative (SCOP, SCIC, SCA…)"
    MUTUAL = "mutual", "Mutuelle"
    FOUNDATION = "foundation", "Fondation ou fonds de dotation"
    COMMERCIAL_COMPANY = "commercial_company", "Société commerciale"
    PUBLIC_BODY = "public_body", "Personne morale de droit public"
    OTHER = "other", "Autre forme"


class Maturity(models.TextChoices):
    EMERGING = "emerging", "Émergent"
    CONSOLIDATING = "consolidating", "En consolidation"


class Theme(models.TextChoices):
    CIRCULAR_ECONOMY = "circular_economy", "Économie circulaire"
    FOOD = "food", "Alimentation"
    MOBILITY = "mobility", "Mobilité"
    CARE = "care", "Soin et accompagnement"
    CONSTRUCTION = "construction", "Bâtiment et habitat"
    CULTURE = "culture", "Culture"
    DIGITAL = "digital", "Numérique"
    ENERGY = "energy", "Énergie"
    EMPLOYMENT = "employment", "Emploi et insertion"
    TOURISM = "tourism", "Tourisme"
    OTHER = "other", "Autre"


class BudgetKind(models.TextChoices):
    EXPENSE = "expense", "Dépense"
    RESOURCE = "resource", "Ressource"


class ExpenseCategory(models.TextChoices):
    STAFF = "staff", "Frais de personnel"
    OPERATING = "operating", "Fonctionnement"
    SERVICES = "services", "Prestations extérieures"
    INVESTMENT = "investment", "Investissement"
    IN_KIND = "in_kind_expense", "Contributions en nature (valorisation)"
    OTHER = "other_expense", "Autres dépenses"


class Funder(models.TextChoices):
    STATE = "state", "Subvention demandée à l’État (présent appel)"
    LOCAL_AUTHORITIES = "local_authorities", "Collectivités territoriales"
    BANQUE_DES_TERRITOIRES = "banque_des_territoires", "Banque des Territoires"
    EU_FUNDS = "eu_funds", "Fonds européens"
    OWN_RESOURCES = "own_resources", "Fonds propres"
    IN_KIND = "in_kind", "Contributions en nature"
    OTHER = "other_resource", "Autres ressources"


SELF_FINANCING_FUNDERS = frozenset({Funder.OWN_RESOURCES, Funder.IN_KIND})

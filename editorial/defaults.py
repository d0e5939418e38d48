"""Shipped texts of the letters and public pages: the defaults used when nobody has edited a
text (or an edited text was deleted). Staff edit them in /gestion/courriers/ and
/gestion/pages/; these values never change at run time.
"""

from pathlib import Path

from django.db import models

ISSUER = "Ministère chargé de l’économie sociale et solidaire — Programme PTCE"
SIGNATORY_NAME = "La cellule nationale PTCE"
SIGNATORY_TITLE = "Pour le ministre, par délégation"
CONTACT = (
    "Cellule nationale du programme PTCE — Ministère chargé de l’économie sociale et "
    "solidaire, 139 rue de Bercy, 75012 Paris — contact@ptce.beta.gouv.fr — 01 44 87 17 17"
)
APPEAL = (
    "Cette décision peut faire l’objet d’un recours gracieux auprès de l’autorité signataire "
    "ou d’un recours contentieux devant le tribunal administratif dans un délai de deux mois "
    "à compter de sa notification."
)


class LetterKind(models.TextChoices):
    ACCEPTANCE = "acceptance", "Lettre d’acceptation"
    REFUSAL = "refusal", "Lettre de refus"
    WAITING_LIST = "waiting_list", "Lettre de liste d’attente"
    RECEIPT = "receipt", "Accusé de réception"
    AGREEMENT = "agreement", "Convention de financement"
    MINUTES = "minutes", "Procès-verbal du comité"


_DECISION_FIELDS = {
    "reference": "référence du dossier (PTCE-2026-0042)",
    "appel": "titre de l’appel",
    "porteur": "structure porteuse",
    "date": "date de la lettre (1er décembre 2026)",
}

PLACEHOLDERS: dict[str, dict[str, str]] = {
    LetterKind.ACCEPTANCE: _DECISION_FIELDS | {"montant": "montant accordé (80 000 €)"},
    LetterKind.REFUSAL: dict(_DECISION_FIELDS),
    LetterKind.WAITING_LIST: _DECISION_FIELDS | {"position": "rang sur la liste d’attente"},
    LetterKind.RECEIPT: {
        "reference": "référence du dossier",
        "appel": "titre de l’appel",
        "phase": "phase du dossier",
        "date_depot": "date et heure du dépôt",
    },
    LetterKind.AGREEMENT: {
        "reference": "numéro de la convention",
        "appel": "titre de l’appel",
        "porteur": "structure porteuse",
        "montant": "montant de la subvention",
    },
    LetterKind.MINUTES: {"appel": "titre de l’appel", "date": "date de la séance"},
}

LETTERS: dict[str, dict[str, str]] = {
    LetterKind.ACCEPTANCE: {
        "body": (
            "Nous avons le plaisir de vous informer que le comité de sélection a retenu votre "
            "dossier {{ reference }}, déposé dans le cadre de l’appel « {{ appel }} »."
        ),
        "appeal": "",
        "closing": (
            "Nous vous prions d’agréer, Madame, Monsieur, l’expression de nos salutations "
            "distinguées."
        ),
    },
    LetterKind.REFUSAL: {
        "body": (
            "Nous avons le regret de vous informer que le comité de sélection n’a pas retenu "
            "votre dossier {{ reference }}, déposé dans le cadre de l’appel « {{ appel }} »."
        ),
        "appeal": APPEAL,
        "closing": (
            "Nous vous prions d’agréer, Madame, Monsieur, l’expression de nos salutations "
            "distinguées."
        ),
    },
    LetterKind.WAITING_LIST: {
        "body": (
            "Le comité de sélection a inscrit votre dossier {{ reference }}, déposé dans le "
            "cadre de l’appel « {{ appel }} », sur la liste d’attente en position "
            "{{ position }}.\n\nIl pourra être retenu si des crédits se libèrent ; nous "
            "reviendrons vers vous dès qu’une décision définitive sera prise."
        ),
        "appeal": "",
        "closing": (
            "Nous vous prions d’agréer, Madame, Monsieur, l’expression de nos salutations "
            "distinguées."
        ),
    },
    LetterKind.RECEIPT: {
        "body": (
            "Votre dossier {{ reference }} a bien été déposé le {{ date_depot }} au titre de "
            "l’appel « {{ appel }} » ({{ phase }}). Il sera examiné par la cellule régionale "
            "puis par le comité de sélection ; vous suivez son instruction dans votre espace, "
            "rubrique « Mes dossiers »."
        ),
        "appeal": "",
        "closing": "",
    },
    LetterKind.AGREEMENT: {
        "body": (
            "L’administration peut demander tout justificatif de l’emploi de la subvention. Les "
            "sommes non utilisées conformément à la présente convention donnent lieu à "
            "reversement."
        ),
        "appeal": "",
        "closing": "",
    },
    LetterKind.MINUTES: {
        "body": (
            "Le comité de sélection de l’appel « {{ appel }} » s’est réuni le {{ date }}. Il a "
            "examiné les dossiers instruits et arrêté les décisions ci-dessous."
        ),
        "appeal": "",
        "closing": "",
    },
}
for _kind in LETTERS.values():
    _kind.setdefault("signatory_name", SIGNATORY_NAME)
    _kind.setdefault("signatory_title", SIGNATORY_TITLE)
    _kind.setdefault("contact", CONTACT)
LETTERS[LetterKind.MINUTES]["signatory_name"] = ""
LETTERS[LetterKind.MINUTES]["signatory_title"] = "Présidence du comité"

LETTER_FIELDS = ("body", "appeal", "closing", "signatory_name", "signatory_title", "contact")


class PageKey(models.TextChoices):
    HOME_INTRO = "home_intro", "Accueil — présentation"
    WHO_CAN_APPLY = "who_can_apply", "Accueil — « Qui peut candidater ? »"
    FAQ = "faq", "Questions fréquentes"
    LEGAL_NOTICE = "legal_notice", "Mentions légales"
    ACCESSIBILITY = "accessibility", "Déclaration d’accessibilité"
    PERSONAL_DATA = "personal_data", "Données personnelles"


PAGE_PLACEHOLDERS = {"plateforme": "nom de la plateforme (« Plateforme PTCE »)"}

# The shipped page texts are Markdown files next to this module (editorial/pages/<key>.md).
PAGES_DIR = Path(__file__).resolve().parent / "pages"
PAGES: dict[str, str] = {
    key: (PAGES_DIR / f"{key}.md").read_text(encoding="utf-8").strip() for key in PageKey.values
}

"""Shipped texts of the letters and public pages: the defaults used when nobody has edited a
text (or an edited text was deleted). Staff edit them in /gestion/courriers/ and
/gestion/pages/; these values never change at run time.
"""

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

PAGES: dict[str, str] = {
    PageKey.HOME_INTRO: """Les PTCE regroupent, sur un même territoire, des entreprises de l’économie sociale et solidaire, d’autres entreprises, des collectivités, des centres de recherche et des organismes de formation autour d’une stratégie commune de coopération au service du développement local durable.

Ils sont reconnus par l’article 9 de la loi n° 2014-856 du 31 juillet 2014 relative à l’économie sociale et solidaire. L’État les accompagne au travers d’appels à manifestation d’intérêt : la **phase 1 « PTCE émergents »** ouvre l’accès à un bouquet de services d’accompagnement, la **phase 2** finance les pôles les plus mûrs (par exemple 100 000 € sur deux ans).

Cette plateforme permet de déposer un dossier, de suivre son instruction par les cellules régionales et nationale, de rendre compte de son activité une fois lauréat, et donne à chacun accès à l’annuaire des pôles, à leur carte et aux données ouvertes du programme.""",
    PageKey.WHO_CAN_APPLY: """Un pôle éligible réunit, sur un territoire défini :

- une structure porteuse de droit privé ;
- au moins trois personnes morales, dont au moins une entreprise de l’ESS et au moins une autre entreprise ;
- au moins un autre acteur de l’article 9 : collectivité ou groupement, centre de recherche, établissement d’enseignement supérieur, organisme de formation… ;
- un projet économique et social innovant, porteur de développement local durable.""",
    PageKey.FAQ: """## Qui peut déposer un dossier ?

La structure porteuse du pôle, personne morale de droit privé, au nom des membres du pôle. Créez un compte « porteur de projet » puis ouvrez un dossier depuis la page de l’appel.

## Puis-je modifier mon dossier après le dépôt ?

Non : le dossier déposé est conservé tel quel et son empreinte figure sur l’accusé de réception. Si la cellule régionale demande un complément, vous pourrez répondre depuis votre espace.

## Quelle est la différence entre la phase 1 et la phase 2 ?

La phase 1 « PTCE émergents » ouvre l’accès à un accompagnement ; la phase 2 finance le programme de développement des pôles les plus mûrs.

## Qui contacter ?

La cellule nationale du programme PTCE : contact@ptce.beta.gouv.fr.""",
    PageKey.LEGAL_NOTICE: """## Éditeur

La {{ plateforme }} est éditée par le ministère chargé de l’économie sociale et solidaire, dans le cadre du programme d’appui aux pôles territoriaux de coopération économique (article 9 de la loi n° 2014-856 du 31 juillet 2014).

## Hébergement

Le service est hébergé en France sur une infrastructure choisie par le ministère ; les coordonnées de l’hébergeur sont précisées ici lors de la mise en production.

## Réutilisation des contenus

Les contenus et les données publiés sont réutilisables sous licence ouverte Etalab 2.0, sauf mention contraire. Le référentiel géographique provient du paquet `@etalab/decoupage-administratif` 6.0.0 (licence MIT, © Etalab), lui-même issu du Code officiel géographique de l’Insee.

## Code source

Le code de la plateforme est publié sous licence libre.""",
    PageKey.ACCESSIBILITY: """Le ministère chargé de l’économie sociale et solidaire s’engage à rendre ses services numériques accessibles, conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005.

Cette déclaration d’accessibilité s’applique à la {{ plateforme }}.

## État de conformité

La {{ plateforme }} est **non conforme** avec le référentiel général d’amélioration de l’accessibilité (RGAA) version 4.1 : aucun audit de conformité n’a encore été réalisé.

Le service est construit avec le Système de design de l’État (DSFR) et ses pages sont vérifiées automatiquement avec l’outil axe-core ; ces contrôles ne remplacent pas un audit.

## Retour d’information et contact

Si vous n’arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter l’équipe du programme pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme.

## Voies de recours

Si vous constatez un défaut d’accessibilité vous empêchant d’accéder à un contenu ou à une fonctionnalité du site, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse de notre part, vous êtes en droit de faire parvenir vos doléances ou une demande de saisine au Défenseur des droits.""",
    PageKey.PERSONAL_DATA: """## Responsable de traitement

Le ministère chargé de l’économie sociale et solidaire est responsable du traitement des données personnelles collectées par la {{ plateforme }}.

## Finalités

- gérer les comptes des porteurs de projet et des agents ;
- recevoir, instruire et sélectionner les candidatures aux appels du programme PTCE ;
- suivre les lauréats (conventions, versements, bilans, accompagnement) ;
- publier l’annuaire des PTCE, sans donnée personnelle sans consentement ;
- organiser les événements d’animation du réseau ;
- recevoir et modérer les déclarations de dynamiques territoriales : le nom et le téléphone du contact ne sont jamais publiés, son adresse électronique seulement avec son accord ; sur demande à la cellule nationale, une déclaration est supprimée.

## Base légale

Mission d’intérêt public (article 6-1-e du RGPD) confiée par l’article 9 de la loi n° 2014-856 du 31 juillet 2014.

## Durées de conservation

Les dossiers sont conservés pendant la durée fixée par chaque appel ; les comptes inactifs sont supprimés au terme de cette durée. Le journal d’audit est conservé pour garantir la traçabilité des décisions.

## Vos droits

Vous pouvez accéder à vos données, les rectifier, demander leur effacement ou exercer votre droit à la limitation du traitement. Les accès des agents aux données personnelles sont journalisés.

## Cookies

La plateforme n’utilise que des cookies strictement nécessaires à son fonctionnement (session, protection contre la falsification de requêtes). Aucun outil de mesure d’audience tiers n’est utilisé.""",
}

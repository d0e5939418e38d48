"""Every e-mail the platform sends: its key, French name, who receives it and the placeholders
its template may use (dotted paths, each with a description and a demo value for the preview).

The shipped default texts live in ``mailing/defaults/<key>.txt`` (first line: subject; then a
blank line; then the body). They are loaded into the database by a data migration and by
``manage.py load_email_templates``, and used as they are when a stored template is missing.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"

COMMON = {
    "platform_name": ("Nom de la plateforme", "Plateforme PTCE"),
    "site_url": ("Adresse du site", "https://ptce.example.gouv.fr"),
}
APPLICATION = {
    "application.reference": ("Référence du dossier", "PTCE-2026-0042"),
    "application.display_name": ("Nom du projet", "Pôle coopératif du Cantal"),
    "application.call.title": ("Titre de l’appel", "Appel à projets PTCE 2026"),
    "application.uuid": ("Identifiant technique du dossier (pour les liens)", "0d8c6f1e"),
}
STATUS_CHANGE = {
    **APPLICATION,
    "status_label": ("Nouvel état du dossier", "Classé sans suite"),
    "reason": ("Motif indiqué (peut être vide)", "Dossier incomplet à la date limite"),
}
DYNAMIC = {
    "dynamic.name": ("Nom de la dynamique", "Coopérations du Haut-Allier"),
    "dynamic.contact_name": ("Nom de la personne contact", "Camille Martin"),
}
EVENT = {
    "title": ("Titre de l’événement", "Rencontre nationale des PTCE"),
    "when": ("Date et heure (heure de Paris)", "jeudi 11 mars 2027 de 09 h 30 à 12 h 30"),
    "event_url": ("Page de l’événement", "https://ptce.example.gouv.fr/evenements/rencontre/"),
    "event_details": (
        "Bloc décrivant l’événement (titre, date, lieu, intervenants, accès)",
        "Rencontre nationale des PTCE\njeudi 11 mars 2027 de 09 h 30 à 12 h 30\n"
        "Lieu : Halle aux grains, Aurillac",
    ),
    "signature": (
        "Signature de l’organisateur",
        "Cellule nationale PTCE\nContact : ptce@example.gouv.fr",
    ),
    "event.organiser_name": ("Organisateur", "Cellule nationale PTCE"),
    "event.organiser_email": ("Adresse de l’organisateur", "ptce@example.gouv.fr"),
    "event.description": ("Description de l’événement", "Une matinée d’échanges entre pôles."),
    "event.is_cancelled": ("L’événement est annulé (oui/non)", False),
    "event.registration_open": ("Les inscriptions sont ouvertes (oui/non)", True),
}
REGISTRATION = {
    "registration.name": ("Nom de la personne inscrite", "Camille Martin"),
    "access_link": (
        "Lien vers la page personnelle",
        "https://ptce.example.gouv.fr/inscription/abc/",
    ),
    "cancel_link": ("Lien d’annulation", "https://ptce.example.gouv.fr/inscription/abc/annuler/"),
}
REPORT = {
    "report.title": ("Nom du bilan", "Bilan intermédiaire"),
    "report.due_on": ("Date limite du bilan", datetime.date(2027, 3, 31)),
    "ptce.name": ("Nom du PTCE", "Pôle coopératif du Cantal"),
    "report_url": ("Lien vers le bilan", "https://ptce.example.gouv.fr/laureats/bilans/12/"),
    "space_url": ("Lien vers l’espace lauréat", "https://ptce.example.gouv.fr/laureats/"),
}


@dataclass(frozen=True)
class EmailKind:
    key: str
    name: str
    recipients: str
    placeholders: dict = field(default_factory=dict)
    group: str = ""

    @property
    def all_placeholders(self) -> dict:
        return {**COMMON, **self.placeholders}


KINDS = [
    EmailKind(
        "confirm_email",
        "Confirmation de l’adresse électronique",
        "La personne qui crée un compte",
        {
            "user.first_name": ("Prénom", "Camille"),
            "link": ("Lien d’activation", "https://ptce.example.gouv.fr/compte/confirmer/abc/"),
        },
        "Comptes",
    ),
    EmailKind(
        "account_exists",
        "Inscription demandée avec une adresse déjà inscrite",
        "Le titulaire du compte existant (la page d’inscription répond comme pour une adresse "
        "nouvelle)",
        {
            "user.first_name": ("Prénom", "Camille"),
            "login": ("Lien de connexion", "https://ptce.example.gouv.fr/compte/connexion/"),
            "reset": (
                "Lien « mot de passe oublié »",
                "https://ptce.example.gouv.fr/compte/mot-de-passe/",
            ),
        },
        "Comptes",
    ),
    EmailKind(
        "account_inactive_warning",
        "Compte inactif : suppression annoncée",
        "Le titulaire d’un compte sans connexion depuis plusieurs années",
        {
            "user.first_name": ("Prénom", "Camille"),
            "inactive_years": ("Années sans connexion", 3),
            "delete_on": ("Date de l’anonymisation", datetime.date(2027, 1, 4)),
            "login": ("Lien de connexion", "https://ptce.example.gouv.fr/compte/connexion/"),
        },
        "Comptes",
    ),
    EmailKind(
        "password_reset",
        "Nouveau mot de passe",
        "La personne qui demande un nouveau mot de passe",
        {
            "reset_url": (
                "Lien pour choisir un nouveau mot de passe",
                "https://ptce.example.gouv.fr/compte/mot-de-passe/abc/",
            )
        },
        "Comptes",
    ),
    EmailKind(
        "application_receipt",
        "Accusé de réception du dossier déposé",
        "Le titulaire du dossier et l’adresse de contact",
        {
            **APPLICATION,
            "submission.reference": ("Référence du dépôt", "PTCE-2026-0042"),
            "submission.sha256": ("Empreinte SHA-256 du contenu déposé", "9f86d081884c7d65…"),
            "submitted_at": ("Date et heure du dépôt (Paris)", "5 décembre 2026 à 14 h 03"),
            "joint_filing": ("Phases 1 et 2 déposées ensemble (deux dossiers liés)", False),
            "references": (
                "Référence(s) déposée(s), avec la phase quand deux dossiers sont liés",
                "PTCE-2026-0042",
            ),
        },
        "Candidatures",
    ),
    EmailKind(
        "co_editor_invitation",
        "Invitation à co-rédiger un dossier",
        "La personne invitée",
        {
            **APPLICATION,
            "inviter.full_name": ("Nom de la personne qui invite", "Dominique Bernard"),
            "inviter.email": ("Adresse de la personne qui invite", "dominique@example.org"),
            "path": (
                "Chemin du lien d’invitation (après l’adresse du site)",
                "/dossiers/invitation/abc/",
            ),
        },
        "Candidatures",
    ),
    EmailKind(
        "application_withdrawn",
        "Dossier retiré",
        "Le titulaire et les co-rédacteurs",
        STATUS_CHANGE,
        "Candidatures",
    ),
    EmailKind(
        "application_closed",
        "Dossier classé sans suite",
        "Le titulaire et les co-rédacteurs",
        STATUS_CHANGE,
        "Candidatures",
    ),
    EmailKind(
        "review_assigned",
        "Dossier attribué pour instruction",
        "L’instructeur ou l’instructrice",
        APPLICATION,
        "Instruction",
    ),
    EmailKind(
        "correction_requested",
        "Demande de compléments",
        "Le titulaire et les co-rédacteurs",
        {
            **APPLICATION,
            "correction.section_labels": (
                "Sections à reprendre (liste)",
                ["Budget", "Gouvernance"],
            ),
            "correction.message": (
                "Texte de la demande",
                "Merci de préciser le plan de financement.",
            ),
            "correction.deadline": ("Date limite", datetime.date(2027, 1, 15)),
        },
        "Instruction",
    ),
    EmailKind(
        "review_due_soon",
        "Rappel : évaluation à rendre sous 3 jours",
        "L’évaluateur ou l’évaluatrice du dossier",
        {
            **APPLICATION,
            "assignment.due_on": ("Date à laquelle rendre l’évaluation", datetime.date(2027, 2, 1)),
            "days_left": ("Nombre de jours restants", 3),
        },
        "Instruction",
    ),
    EmailKind(
        "review_overdue",
        "Évaluation en retard",
        "L’évaluateur ou l’évaluatrice du dossier",
        {
            **APPLICATION,
            "assignment.due_on": ("Date à laquelle rendre l’évaluation", datetime.date(2027, 2, 1)),
            "days_late": ("Nombre de jours de retard", 2),
        },
        "Instruction",
    ),
    EmailKind(
        "correction_reminder",
        "Rappel : compléments à déposer sous 3 jours",
        "Le titulaire et les co-rédacteurs",
        {
            **APPLICATION,
            "correction.section_labels": (
                "Sections à reprendre (liste)",
                ["Budget", "Gouvernance"],
            ),
            "correction.deadline": ("Date limite", datetime.date(2027, 1, 15)),
            "days_left": ("Nombre de jours restants", 3),
        },
        "Instruction",
    ),
    EmailKind(
        "correction_answered",
        "Dossier déposé à nouveau après compléments",
        "Les instructeurs du dossier",
        {**APPLICATION, "version": ("Numéro de version", 2)},
        "Instruction",
    ),
    EmailKind(
        "review_message",
        "Nouveau message sur un dossier",
        "Le candidat ou l’équipe d’instruction",
        {
            **APPLICATION,
            "from_staff": ("Message de l’équipe d’instruction (oui/non)", True),
            "message.attachment_name": ("Nom de la pièce jointe (peut être vide)", "budget.pdf"),
        },
        "Instruction",
    ),
    EmailKind(
        "committee_decision",
        "Décision du comité de sélection (lettre jointe)",
        "Le titulaire et les co-rédacteurs",
        {**APPLICATION, "decision_label": ("Décision", "Retenu")},
        "Comité",
    ),
    EmailKind(
        "report_reminder",
        "Rappel de bilan à transmettre ou en retard",
        "Les contacts du PTCE lauréat",
        {
            **REPORT,
            "stage": ("Étape du rappel : before, overdue ou overdue_30", "before"),
            "days_late": ("Nombre de jours de retard", 0),
        },
        "Lauréats",
    ),
    EmailKind(
        "report_reviewed",
        "Bilan examiné (accepté ou compléments demandés)",
        "Les contacts du PTCE lauréat",
        {
            **REPORT,
            "accepted": ("Bilan accepté (oui/non)", True),
            "comment": (
                "Commentaire de la cellule nationale",
                "Merci de joindre les justificatifs.",
            ),
        },
        "Lauréats",
    ),
    EmailKind(
        "support_promoted",
        "Place confirmée sur une offre d’accompagnement",
        "Les contacts du PTCE",
        {
            "ptce.name": ("Nom du PTCE", "Pôle coopératif du Cantal"),
            "offer.title": ("Titre de l’offre", "Atelier modèle économique"),
            "offer.partner.name": ("Partenaire", "France Active"),
            "offer_url": ("Chemin de la page de l’offre", "/accompagnement/atelier/"),
        },
        "Lauréats",
    ),
    EmailKind(
        "dynamic_declared",
        "Déclaration de dynamique reçue",
        "La personne contact",
        {
            **DYNAMIC,
            "dynamic.consent_directory": ("Accepte de figurer dans l’annuaire (oui/non)", True),
        },
        "Dynamiques territoriales",
    ),
    EmailKind(
        "dynamic_accepted",
        "Dynamique territoriale acceptée",
        "La personne contact",
        {
            **DYNAMIC,
            "dynamic.consent_invitations": ("Accepte les invitations (oui/non)", True),
            "public_url": (
                "Page dans l’annuaire (peut être vide)",
                "https://ptce.example.gouv.fr/dynamiques/haut-allier/",
            ),
            "convert_url": (
                "Lien pour créer un brouillon de dossier",
                "https://ptce.example.gouv.fr/dynamiques/abc/candidater/",
            ),
        },
        "Dynamiques territoriales",
    ),
    EmailKind(
        "dynamic_refused",
        "Dynamique territoriale refusée",
        "La personne contact",
        {
            **DYNAMIC,
            "reason": ("Motif du refus", "Le territoire est déjà couvert par un PTCE."),
        },
        "Dynamiques territoriales",
    ),
    EmailKind(
        "event_invitation",
        "Invitation à un événement",
        "Les personnes invitées",
        EVENT,
        "Événements",
    ),
    EmailKind(
        "event_registration_confirmed",
        "Inscription confirmée",
        "La personne inscrite",
        {**EVENT, **REGISTRATION},
        "Événements",
    ),
    EmailKind(
        "event_registration_confirm_address",
        "Adresse à confirmer avant l’inscription",
        "L’adresse indiquée dans le formulaire d’inscription (sans compte à l’adresse "
        "vérifiée) ; ni le nom ni l’organisation saisis n’y figurent",
        {
            **EVENT,
            "confirm_link": (
                "Lien de confirmation",
                "https://ptce.example.gouv.fr/evenements/inscription/abc/confirmer/",
            ),
            "confirm_before": (
                "Date limite de confirmation (heure de Paris)",
                "jeudi 11 mars 2027 à 10 h 30",
            ),
            "place_held": ("Une place est réservée en attendant (oui/non)", True),
        },
        "Événements",
    ),
    EmailKind(
        "event_registration_exists",
        "Inscription demandée pour une adresse déjà inscrite",
        "La personne déjà inscrite (la page répond comme pour une nouvelle inscription)",
        {
            **EVENT,
            "access_link": REGISTRATION["access_link"],
            "cancel_link": REGISTRATION["cancel_link"],
            "waiting": ("Inscrite sur la liste d’attente (oui/non)", False),
        },
        "Événements",
    ),
    EmailKind(
        "event_registration_waiting",
        "Inscription en liste d’attente",
        "La personne inscrite",
        {**EVENT, **REGISTRATION},
        "Événements",
    ),
    EmailKind(
        "event_registration_promoted",
        "Place libérée : inscription confirmée",
        "La personne inscrite",
        {**EVENT, **REGISTRATION},
        "Événements",
    ),
    EmailKind(
        "event_registration_cancelled",
        "Inscription annulée",
        "La personne inscrite",
        {**EVENT, **REGISTRATION},
        "Événements",
    ),
    EmailKind(
        "event_reminder",
        "Rappel avant l’événement",
        "Les personnes inscrites",
        {
            **EVENT,
            **REGISTRATION,
            "when_relative": ("Délai avant le début", "demain"),
        },
        "Événements",
    ),
    EmailKind(
        "event_update",
        "Événement modifié",
        "Les personnes inscrites et invitées",
        {
            **EVENT,
            **REGISTRATION,
            "registration": ("Un destinataire inscrit (oui/non)", True),
            "changes": ("Liste des changements", ["date", "lieu"]),
        },
        "Événements",
    ),
    EmailKind(
        "event_cancelled",
        "Événement annulé",
        "Les personnes inscrites et invitées",
        {
            **EVENT,
            "reason": ("Message d’annulation (peut être vide)", "Report à une date ultérieure."),
        },
        "Événements",
    ),
]

BY_KEY = {kind.key: kind for kind in KINDS}


def get_kind(key: str) -> EmailKind:
    return BY_KEY[key]


def default_text(key: str) -> tuple[str, str]:
    """The shipped (subject, body) of ``key``, read from ``mailing/defaults/<key>.txt``."""
    raw = (DEFAULTS_DIR / f"{key}.txt").read_text(encoding="utf-8")
    subject, _, body = raw.partition("\n\n")
    return subject.strip(), body


def demo_context(key: str) -> dict:
    """Nested demo values built from the declared placeholders (for the preview)."""
    context: dict = {}
    for path, (_label, value) in get_kind(key).all_placeholders.items():
        parts = path.split(".")
        node = context
        for part in parts[:-1]:
            existing = node.get(part)
            if not isinstance(existing, dict):
                existing = {} if not existing else {"__value__": existing}
                node[part] = existing
            node = existing
        if isinstance(node.get(parts[-1]), dict):
            continue
        node[parts[-1]] = value
    return context

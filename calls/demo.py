"""Demo calls: the programme's real history (SPEC §1, only the facts stated there) and one call
open today, marked « (démo) ». Idempotent: keyed by slug, re-running updates in place."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from calls.models import (
    AttachmentKind,
    Call,
    CallDocument,
    CallFaq,
    Instrument,
    Phase,
    PriorityTerritory,
    PublicationState,
    RequiredAttachment,
    Round,
    create_default_grid,
)

PARIS = ZoneInfo("Europe/Paris")
ESS_LAW = (
    "Article 9 de la loi n° 2014-856 du 31 juillet 2014 relative à l’économie sociale et solidaire."
)
DECREE = (
    "Décret n° 2015-431 du 15 avril 2015 (article 3 : conditions d’éligibilité des pôles "
    "territoriaux de coopération économique)."
)
HALF_AND_HALF = [
    {"label": "À la signature de la convention", "share": 50, "trigger": "signature"},
    {"label": "Après le bilan intermédiaire", "share": 50, "trigger": "interim_report"},
]


def paris(year, month, day, hour=0, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


BASE_ATTACHMENTS = [
    (AttachmentKind.STATUTES, "Statuts à jour de la structure porteuse", ""),
    (AttachmentKind.COMMITMENT_LETTER, "Lettres d’engagement des membres du pôle", ""),
]
FUNDING_ATTACHMENTS = [
    (AttachmentKind.BUDGET, "Budget prévisionnel du projet sur la durée du soutien", Phase.FUNDING),
    (
        AttachmentKind.ACTIVITY_REPORT,
        "Dernier rapport d’activité de la structure porteuse",
        Phase.FUNDING,
    ),
]

CALLS = [
    {
        "slug": "aap-ptce-2013",
        "title": "Appel à projets PTCE 2013",
        "instrument": Instrument.AAP,
        "year": 2013,
        "summary": "Premier appel à projets de l’État et de la Caisse des Dépôts en faveur "
        "des pôles territoriaux de coopération économique.",
        "description": (
            "Appel à projets conduit par l’État et la Caisse des Dépôts, doté de 3 M€ sur trois "
            "ans, avec des soutiens de 72 000 € à 290 000 € par lauréat.\n\n"
            "Environ 180 dossiers ont été déposés ; 23 pôles ont été retenus."
        ),
        "legal_basis": "",
        "has_emergence_phase": False,
        "has_funding_phase": True,
        "is_permanent": False,
        "envelope": Decimal("3000000"),
        "min_award": Decimal("72000"),
        "max_award": Decimal("290000"),
        "award_duration_months": None,
        "payment_schedule_template": [],
        "priority_territories": [],
        "publication_state": PublicationState.ARCHIVED,
        "rounds": [],
        "attachments": FUNDING_ATTACHMENTS[:1] + BASE_ATTACHMENTS,
    },
    {
        "slug": "aap-ptce-2015",
        "title": "Appel à projets PTCE 2015",
        "instrument": Instrument.AAP,
        "year": 2015,
        "summary": "Deuxième appel à projets, premier conduit sur le fondement de la loi ESS "
        "et du décret du 15 avril 2015.",
        "description": (
            "Appel à projets doté de 2,7 M€ sur trois ans, avec des soutiens de 26 000 € à "
            "290 000 € par lauréat.\n\n125 dossiers ont été déposés ; 14 pôles ont été retenus."
        ),
        "legal_basis": f"{ESS_LAW}\n{DECREE}",
        "has_emergence_phase": False,
        "has_funding_phase": True,
        "is_permanent": False,
        "envelope": Decimal("2700000"),
        "min_award": Decimal("26000"),
        "max_award": Decimal("290000"),
        "award_duration_months": None,
        "payment_schedule_template": [],
        "priority_territories": [],
        "publication_state": PublicationState.ARCHIVED,
        "rounds": [],
        "attachments": FUNDING_ATTACHMENTS[:1] + BASE_ATTACHMENTS,
    },
    {
        "slug": "ami-ptce-emergents-2021",
        "title": "AMI permanent « PTCE émergents » 2021",
        "instrument": Instrument.AMI,
        "year": 2021,
        "summary": "L’appel à manifestation d’intérêt permanent de la relance du programme "
        "(« PTCE Saison 3 : la relance »), en deux phases.",
        "description": (
            "Lancé en mai 2021 lors de la table ronde « Un AMI qui vous veut du bien » "
            "(PTCE Saison 3 : la relance, épisode 1), cet AMI permanent comporte deux phases : "
            "la phase 1 décerne le label « PTCE émergent » et ouvre l’accès au bouquet de "
            "services, la phase 2 finance le développement des pôles à hauteur de 100 000 € "
            "sur deux ans.\n\n"
            "134 dossiers ont été déposés en six semaines ; 107 pôles ont reçu le label de "
            "phase 1 et 15 ont été financés en phase 2. La relève de phase 2 de 2022, close le "
            "17 octobre 2022 à midi, a retenu environ 15 pôles."
        ),
        "legal_basis": f"{ESS_LAW}\n{DECREE}",
        "has_emergence_phase": True,
        "has_funding_phase": True,
        "is_permanent": True,
        "envelope": Decimal("1500000"),
        "min_award": Decimal("100000"),
        "max_award": Decimal("100000"),
        "award_duration_months": 24,
        "payment_schedule_template": HALF_AND_HALF,
        "priority_territories": [],
        "publication_state": PublicationState.ARCHIVED,
        "rounds": [
            ("Relève de phase 2 — 2022", paris(2022, 10, 17, 12), Phase.FUNDING, "1500000"),
        ],
        "attachments": BASE_ATTACHMENTS + FUNDING_ATTACHMENTS[:1],
    },
    {
        "slug": "ami-ptce-2023",
        "title": "AMI PTCE 2023",
        "instrument": Instrument.AMI,
        "year": 2023,
        "summary": "Financement du développement de pôles territoriaux de coopération "
        "économique : 100 000 € sur deux ans par lauréat.",
        "description": (
            "Appel à manifestation d’intérêt ouvert du 1er juin au 31 juillet 2023, doté de "
            "1,5 M€ : 100 000 € sur deux ans par lauréat.\n\n72 dossiers ont été déposés ; "
            "15 pôles ont été retenus."
        ),
        "legal_basis": f"{ESS_LAW}\n{DECREE}",
        "has_emergence_phase": False,
        "has_funding_phase": True,
        "is_permanent": False,
        "opens_at": paris(2023, 6, 1),
        "closes_at": paris(2023, 7, 31, 23, 59),
        "envelope": Decimal("1500000"),
        "min_award": Decimal("100000"),
        "max_award": Decimal("100000"),
        "award_duration_months": 24,
        "payment_schedule_template": [],
        "priority_territories": [],
        "publication_state": PublicationState.ARCHIVED,
        "rounds": [],
        "attachments": BASE_ATTACHMENTS + FUNDING_ATTACHMENTS[:1],
    },
    {
        "slug": "ami-ptce-2024",
        "title": "AMI PTCE 2024",
        "instrument": Instrument.AMI,
        "year": 2024,
        "summary": "Financement du développement de pôles territoriaux de coopération "
        "économique : 100 000 € sur deux ans par lauréat.",
        "description": (
            "Appel à manifestation d’intérêt doté de 1,5 M€ : 100 000 € sur deux ans par "
            "lauréat.\n\n64 dossiers ont été déposés ; 15 pôles ont été retenus."
        ),
        "legal_basis": f"{ESS_LAW}\n{DECREE}",
        "has_emergence_phase": False,
        "has_funding_phase": True,
        "is_permanent": False,
        "envelope": Decimal("1500000"),
        "min_award": Decimal("100000"),
        "max_award": Decimal("100000"),
        "award_duration_months": 24,
        "payment_schedule_template": [],
        "priority_territories": [],
        "publication_state": PublicationState.ARCHIVED,
        "rounds": [],
        "attachments": BASE_ATTACHMENTS + FUNDING_ATTACHMENTS[:1],
    },
    {
        "slug": "ami-financer-developpement-ptce-2025",
        "title": "AMI « Financer le développement des PTCE » 2025",
        "instrument": Instrument.AMI,
        "year": 2025,
        "summary": "De 30 000 € à 80 000 € sur deux ans, versés dès la première année ; "
        "priorité aux territoires ruraux et aux quartiers prioritaires.",
        "description": (
            "Appel à manifestation d’intérêt doté de 500 000 €, pour des soutiens de 30 000 € à "
            "80 000 € par pôle sur deux ans, versés dès la première année. Les pôles implantés "
            "dans les territoires ruraux et les quartiers prioritaires de la politique de la "
            "ville sont prioritaires.\n\n79 dossiers ont été déposés ; 8 pôles ont été retenus."
        ),
        "legal_basis": f"{ESS_LAW}\n{DECREE}",
        "has_emergence_phase": False,
        "has_funding_phase": True,
        "is_permanent": False,
        "envelope": Decimal("500000"),
        "min_award": Decimal("30000"),
        "max_award": Decimal("80000"),
        "award_duration_months": 24,
        "payment_schedule_template": [
            {"label": "Première année", "share": 50, "trigger": "year_1"},
            {"label": "Deuxième année", "share": 50, "trigger": "year_2"},
        ],
        "priority_territories": [PriorityTerritory.RURAL, PriorityTerritory.QPV],
        "publication_state": PublicationState.ARCHIVED,
        "rounds": [],
        "attachments": BASE_ATTACHMENTS + FUNDING_ATTACHMENTS,
    },
    {
        "slug": "ami-permanent-ptce-2027-demo",
        "title": "AMI permanent PTCE 2026-2027 (démo)",
        "instrument": Instrument.AMI,
        "year": 2026,
        "summary": "Appel de démonstration ouvert toute l’année : label « PTCE émergent » et "
        "financement du développement, instruits par relèves.",
        "description": (
            "Appel fictif destiné à la démonstration de la plateforme. Il reprend l’organisation "
            "de l’AMI permanent : la phase 1 décerne le label « PTCE émergent » et ouvre l’accès "
            "au bouquet de services ; la phase 2 finance le développement des pôles. Phases 1 et "
            "2 peuvent être demandées dans le même dossier.\n\n"
            "Les dossiers déposés avant une date limite sont instruits par les cellules "
            "régionales puis par la cellule nationale, et présentés au comité de sélection."
        ),
        "legal_basis": f"{ESS_LAW}\n{DECREE}",
        "has_emergence_phase": True,
        "has_funding_phase": True,
        "is_permanent": True,
        "envelope": Decimal("1500000"),
        "min_award": Decimal("30000"),
        "max_award": Decimal("100000"),
        "award_duration_months": 24,
        "payment_schedule_template": HALF_AND_HALF,
        "priority_territories": [PriorityTerritory.RURAL, PriorityTerritory.QPV],
        "publication_state": PublicationState.PUBLISHED,
        "rounds": [
            ("Relève d’octobre 2026", paris(2026, 10, 19, 12), "", "500000"),
            ("Relève de février 2027", paris(2027, 2, 15, 12), "", "500000"),
            ("Relève de juin 2027", paris(2027, 6, 14, 12), "", "500000"),
            ("Relève d’octobre 2027", paris(2027, 10, 18, 12), Phase.FUNDING, "500000"),
        ],
        "attachments": BASE_ATTACHMENTS + FUNDING_ATTACHMENTS,
        "documents": [
            (
                "Loi n° 2014-856 du 31 juillet 2014 relative à l’économie sociale et solidaire "
                "(Légifrance)",
                "https://www.legifrance.gouv.fr/loda/id/JORFTEXT000029313296",
            ),
        ],
        "faqs": [
            (
                "Puis-je demander la phase 1 et la phase 2 dans le même dossier ?",
                "Oui. Un pôle qui n’a pas encore le label « PTCE émergent » demande la phase 2 "
                "en même temps que la phase 1. Un pôle déjà labellisé peut demander la phase 2 "
                "seule.",
            ),
            (
                "Qui peut porter le dossier ?",
                "Une personne morale de droit privé membre du pôle : association, coopérative, "
                "société, fondation… Une collectivité ou un établissement public peut être "
                "membre du pôle, mais pas structure porteuse ; une personne physique non plus.",
            ),
            (
                "Combien de membres faut-il réunir ?",
                "Au moins trois personnes morales, structure porteuse comprise, dont une "
                "entreprise de l’économie sociale et solidaire, une autre entreprise et un "
                "autre acteur de l’article 9 de la loi ESS (collectivité, centre de recherche, "
                "établissement d’enseignement supérieur, organisme de formation, ou toute autre "
                "personne physique ou morale). Des personnes physiques peuvent s’y ajouter : "
                "elles remplissent cette dernière condition mais ne comptent pas parmi les "
                "trois personnes morales.",
            ),
            (
                "Que se passe-t-il si je dépose après une date limite ?",
                "L’heure du serveur fait foi. Un dossier déposé après une date limite est "
                "instruit avec la relève suivante ; un brouillon non déposé reste un brouillon.",
            ),
            (
                "Comment le soutien est-il versé ?",
                "La moitié à la signature de la convention, la moitié après le bilan "
                "intermédiaire.",
            ),
        ],
    },
]

CALL_FIELDS = [
    "title",
    "instrument",
    "year",
    "summary",
    "description",
    "legal_basis",
    "has_emergence_phase",
    "has_funding_phase",
    "is_permanent",
    "opens_at",
    "closes_at",
    "envelope",
    "min_award",
    "max_award",
    "award_duration_months",
    "payment_schedule_template",
    "priority_territories",
    "publication_state",
]


def load_call(spec: dict) -> Call:
    defaults = {name: spec.get(name) for name in CALL_FIELDS}
    defaults["priority_territories"] = [str(value) for value in spec["priority_territories"]]
    call, _ = Call.objects.update_or_create(slug=spec["slug"], defaults=defaults)
    for name, cut_off_at, phase, envelope in spec["rounds"]:
        Round.objects.update_or_create(
            call=call,
            cut_off_at=cut_off_at,
            defaults={"name": name, "phase": phase, "envelope": Decimal(envelope)},
        )
    for kind, label, phase in spec["attachments"]:
        RequiredAttachment.objects.update_or_create(
            call=call, kind=kind, phase=phase, defaults={"label": label}
        )
    for order, (title, url) in enumerate(spec.get("documents", [])):
        CallDocument.objects.update_or_create(
            call=call, title=title, defaults={"url": url, "order": order}
        )
    for order, (question, answer) in enumerate(spec.get("faqs", [])):
        CallFaq.objects.update_or_create(
            call=call, question=question, defaults={"answer": answer, "order": order}
        )
    create_default_grid(call)
    return call


def load(out):
    calls = [load_call(spec) for spec in CALLS]
    out.write(
        f"Appels : {len(calls)} (historique 2013-2025 archivé, et « {calls[-1].title} » ouvert, "
        f"/appels/{calls[-1].slug}/)."
    )

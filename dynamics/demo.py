"""Demo local dynamics (invented, marked « (démo) »): three accepted and listed, one accepted
but not listed, two pending moderation and one refused. The accepted « Recyclerie » has the
demo candidate's address as contact, so « Transformer en candidature » can be tried with
porteur@demo.ptce.fr."""

from django.utils import timezone

from accounts.models import User
from dynamics.models import DynamicStage, LocalDynamic, ModerationStatus
from dynamics.services import set_territory

A, P, R = ModerationStatus.ACCEPTED, ModerationStatus.PENDING, ModerationStatus.REFUSED

# (slug, name, description, themes, stage, communes, epcis, contact, e-mail, status,
#  listed, public e-mail, invitations, refusal reason)
DYNAMICS = [
    (
        "recyclerie-du-diois-demo",
        "Recyclerie coopérative du Diois (démo)",
        "Une ressourcerie associative, deux chantiers d’insertion et la communauté de "
        "communes mutualisent la collecte, un atelier de réparation et une boutique "
        "solidaire. Projet de plateforme de réemploi des matériaux du bâtiment.",
        ["circular_economy", "employment", "construction"],
        DynamicStage.STRUCTURING,
        [],
        ["242600534"],
        "Claire Porteur",
        "porteur@demo.ptce.fr",
        A,
        True,
        True,
        True,
        "",
    ),
    (
        "alimentation-vallee-du-lot-demo",
        "Alimentation durable en vallée du Lot (démo)",
        "Producteurs, épiceries coopératives et cantines de Figeac et Capdenac organisent "
        "une légumerie partagée et un approvisionnement local de la restauration collective.",
        ["food", "employment"],
        DynamicStage.GATHERING,
        ["46102", "46055"],
        [],
        "Julien Marty",
        "contact.valleedulot@exemple.fr",
        A,
        True,
        False,
        True,
        "",
    ),
    (
        "energie-citoyenne-dunkerquois-demo",
        "Énergie citoyenne du Dunkerquois (démo)",
        "Une coopérative citoyenne, des bailleurs sociaux et des entreprises d’insertion "
        "développent des centrales solaires sur toiture et la rénovation énergétique.",
        ["energy", "construction"],
        DynamicStage.ACTIVE,
        ["59183", "59271"],
        [],
        "Nadia Benali",
        "energie.dunkerquois@exemple.fr",
        A,
        True,
        True,
        False,
        "",
    ),
    (
        "tiers-lieu-lozere-demo",
        "Tiers-lieu numérique de Lozère (démo)",
        "Un tiers-lieu à Mende et Florac propose des services numériques partagés aux "
        "associations et aux artisans.",
        ["digital"],
        DynamicStage.IDEA,
        ["48095", "48061"],
        [],
        "Paul Rouvière",
        "tiers-lieu.lozere@exemple.fr",
        A,
        False,
        False,
        True,
        "",
    ),
    (
        "bocage-textile-demo",
        "Filière textile du Bocage bressuirais (démo)",
        "Ateliers de confection, entreprise adaptée et lycée professionnel veulent relancer "
        "une filière de fabrication de vêtements de travail.",
        ["textile", "employment"],
        DynamicStage.GATHERING,
        [],
        ["200040244"],
        "Sophie Girard",
        "textile.bocage@exemple.fr",
        P,
        True,
        False,
        True,
        "",
    ),
    (
        "mobilites-port-reunion-demo",
        "Mobilités solidaires du Port (démo)",
        "Garage solidaire, auto-école sociale et service de transport à la demande pour les "
        "habitants du Port et de Saint-Denis.",
        ["mobility"],
        DynamicStage.IDEA,
        ["97407", "97411"],
        [],
        "Mickaël Payet",
        "mobilites.leport@exemple.fr",
        P,
        True,
        True,
        True,
        "",
    ),
    (
        "vente-en-ligne-demo",
        "Boutique en ligne de produits dérivés (démo)",
        "Vente en ligne de produits importés.",
        ["digital"],
        DynamicStage.ACTIVE,
        ["26108"],
        [],
        "Service commercial",
        "commercial@exemple.fr",
        R,
        True,
        False,
        False,
        "Activité commerciale individuelle, sans coopération territoriale entre acteurs.",
    ),
]


def load(stdout):
    moderator = User.objects.filter(email="cellule.nationale@demo.ptce.fr").first()
    created = 0
    for (
        slug,
        name,
        description,
        themes,
        stage,
        communes,
        epcis,
        contact,
        email,
        status,
        listed,
        public_email,
        invitations,
        reason,
    ) in DYNAMICS:
        dynamic, is_new = LocalDynamic.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "themes": themes,
                "stage": stage,
                "contact_name": contact,
                "contact_email": email,
                "contact_phone": "",
                "status": status,
                "consent_directory": listed,
                "consent_public_contact": public_email,
                "consent_invitations": invitations,
                "refusal_reason": reason,
                "moderated_at": None if status == P else timezone.now(),
                "moderated_by": None if status == P else moderator,
            },
        )
        set_territory(dynamic, commune_codes=communes, epci_codes=epcis)
        created += is_new
    stdout.write(f"Dynamiques territoriales : {len(DYNAMICS)} (dont {created} nouvelles).")

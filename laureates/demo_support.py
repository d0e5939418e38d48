"""Demo catalogue of support services: the programme's real partners, a dozen invented offers
« (démo) », enrolments of demo PTCE (two offers full with a waiting list, past offers with
attendance recorded) and two demo accounts linked to a PTCE so that enrolment can be tried."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from laureates.models import Ptce
from laureates.models_support import (
    Enrolment,
    EnrolmentStatus,
    OfferAudience,
    OfferFormat,
    PtceContact,
    SupportOffer,
    SupportPartner,
)
from laureates.support_services import eligible_ptces

PARTNERS = [
    ("Avise", "https://www.avise.org"),
    ("Coorace", "https://www.coorace.org"),
    ("Réseau des CRESS", "https://www.ess-france.org"),
    ("France Active", "https://www.franceactive.org"),
    ("Banque des Territoires", "https://www.banquedesterritoires.fr"),
]

IND, C = OfferFormat.INDIVIDUAL, OfferFormat.COLLECTIVE
P1, P2, ALL = OfferAudience.PHASE_1, OfferAudience.PHASE_2, OfferAudience.ALL

# (slug, partner, title, format, audience, capacity, start offset in days (None: on request),
#  length in days of the offer period, days counted, sessions, enrolments, attendance recorded)
OFFERS = [
    (
        "diagnostic-cooperation",
        "Avise",
        "Diagnostic de la coopération territoriale",
        IND,
        P1,
        4,
        None,
        0,
        "2",
        2,
        6,
        False,
    ),
    (
        "webinaire-gouvernance",
        "Avise",
        "Webinaire : construire la gouvernance d’un PTCE",
        C,
        ALL,
        None,
        21,
        0,
        "0.5",
        1,
        8,
        False,
    ),
    (
        "atelier-mesure-impact",
        "Avise",
        "Atelier : mesurer l’impact social d’un pôle",
        C,
        ALL,
        12,
        -40,
        0,
        "1",
        1,
        6,
        True,
    ),
    (
        "cycle-coordinateurs",
        "Avise",
        "Cycle de formation des coordinateurs de PTCE",
        C,
        P1,
        12,
        70,
        50,
        "4",
        4,
        3,
        False,
    ),
    (
        "appui-rh-insertion",
        "Coorace",
        "Appui RH aux structures d’insertion membres du pôle",
        IND,
        P2,
        3,
        None,
        0,
        "3",
        3,
        4,
        False,
    ),
    (
        "pairs-siae",
        "Coorace",
        "Échanges entre pairs : coopérer avec les SIAE",
        C,
        ALL,
        15,
        35,
        0,
        "1",
        1,
        5,
        False,
    ),
    (
        "journee-emergents",
        "Réseau des CRESS",
        "Journée régionale des PTCE émergents",
        C,
        P1,
        20,
        50,
        0,
        "1",
        1,
        7,
        False,
    ),
    (
        "mise-en-relation-ess",
        "Réseau des CRESS",
        "Mise en relation avec les acteurs de l’ESS",
        IND,
        ALL,
        None,
        None,
        0,
        "1",
        1,
        3,
        False,
    ),
    (
        "expertise-financiere",
        "France Active",
        "Expertise financière : plan de financement",
        IND,
        P2,
        5,
        None,
        0,
        "2",
        2,
        2,
        False,
    ),
    (
        "tour-de-table",
        "France Active",
        "Atelier : préparer un tour de table financier",
        C,
        ALL,
        10,
        -20,
        0,
        "1",
        1,
        8,
        True,
    ),
    (
        "clinique-projets",
        "Banque des Territoires",
        "Clinique de projets d’investissement",
        C,
        ALL,
        6,
        14,
        0,
        "1",
        2,
        8,
        False,
    ),
    (
        "ingenierie-territoriale",
        "Banque des Territoires",
        "Appui en ingénierie territoriale",
        IND,
        P2,
        2,
        None,
        0,
        "5",
        4,
        0,
        False,
    ),
]

DESCRIPTION = (
    "Offre fictive de démonstration. {format} proposé par {partner} aux PTCE lauréats : "
    "{title_lower}. Le partenaire prend contact avec le pôle après l’inscription pour préciser "
    "les besoins, les dates et les personnes à associer (coordinateur, membres du pôle, "
    "collectivité partenaire)."
)

CONTACTS = [
    ("porteur@demo.ptce.fr", "Mobilités solidaires du Cantal (démo)"),
    ("porteuse2@demo.ptce.fr", "Pôle alimentaire de la Thiérache (démo)"),
]


def load(out):
    today = timezone.localdate()
    partners = {}
    for name, website in PARTNERS:
        partners[name], _ = SupportPartner.objects.get_or_create(
            name=name, defaults={"website": website}
        )
    created_offers = created_enrolments = 0
    for index, row in enumerate(OFFERS):
        (slug, partner, title, fmt, audience, capacity, start, length, days, sessions,
         enrolments, attendance) = row  # fmt: skip
        if SupportOffer.objects.filter(slug=f"{slug}-demo").exists():
            continue
        starts_on = None if start is None else today + datetime.timedelta(days=start)
        offer = SupportOffer.objects.create(
            partner=partners[partner],
            slug=f"{slug}-demo",
            title=f"{title} (démo)",
            description=DESCRIPTION.format(
                format=OfferFormat(fmt).label,
                partner=partner,
                title_lower=title[0].lower() + title[1:],
            ),
            format=fmt,
            audience=audience,
            capacity=capacity,
            on_request=start is None,
            starts_on=starts_on,
            ends_on=None if starts_on is None else starts_on + datetime.timedelta(days=length),
            duration_days=Decimal(days),
            sessions=sessions,
            is_published=True,
        )
        created_offers += 1
        candidates = list(eligible_ptces(offer).filter(name__endswith="(démo)").order_by("name"))
        if not candidates:
            continue
        shift = (index * 3) % len(candidates)
        chosen = (candidates[shift:] + candidates[:shift])[:enrolments]
        base = timezone.now() - datetime.timedelta(days=60)
        for position, ptce in enumerate(chosen):
            confirmed = capacity is None or position < capacity
            queued_at = base + datetime.timedelta(hours=position + index)
            Enrolment.objects.create(
                offer=offer,
                ptce=ptce,
                status=EnrolmentStatus.CONFIRMED if confirmed else EnrolmentStatus.WAITING,
                queued_at=queued_at,
                confirmed_at=queued_at if confirmed else None,
                attended=attendance and confirmed and position % 5 != 4,
                attendance_recorded_at=timezone.now() if attendance and confirmed else None,
            )
            created_enrolments += 1
    for email, ptce_name in CONTACTS:
        user = User.objects.filter(email=email).first()
        ptce = Ptce.objects.filter(name=ptce_name).first()
        if user and ptce:
            PtceContact.objects.get_or_create(user=user, ptce=ptce)
    out.write(
        f"Accompagnement : {created_offers} offres et {created_enrolments} inscriptions "
        f"de démonstration créées ({SupportOffer.objects.count()} offres au total)\n"
    )

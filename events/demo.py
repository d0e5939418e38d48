"""Demo events: the real relaunch round table of 12 May 2021 (from the original invitation,
``shared/seed/invitation-ptce-saison-3-episode-1.md``) and two future events marked (démo)."""

from datetime import datetime

from events.models import DialInNumber, Event, EventFormat, EventKind, Series, Speaker
from events.timezones import paris_to_utc

SEED_SLUG = "ptce-saison-3-episode-1"

ORGANISER = "Secrétariat d'État chargé de l'Économie sociale, solidaire et responsable"
ORGANISER_EMAIL = "secretariat-ess@demo.ptce.fr"

SEED_DESCRIPTION = (
    "Olivia Grégoire, secrétaire d'Etat chargée de l'Economie sociale, solidaire et "
    "responsable, réunira autour d'une table ronde des personnalités issues de l'écosystème "
    "de l'ESS afin d'annoncer la relance des Pôles Territoriaux de Coopération économique."
    "\n\n"
    "Cet événement sera en particulier l'occasion de lancer l'Appel à Manifestation "
    "d'Intérêt (AMI) permanent « PTCE émergents ». Par ailleurs, seront présentées les "
    "perspectives de soutien au développement et au renforcement des PTCE existants ainsi "
    "qu'à l'ensemble des dynamiques locales de développement économiques territoriales "
    "susceptibles d'intégrer le cercle des PTCE."
    "\n\n"
    "Reconnus par l'article 9 de la loi relative à l'ESS du 31 juillet 2014, les PTCE sont "
    "un outil pour développer des projets économiques innovants et solidaires à l'échelle "
    "d'un territoire. Ils donnent un cadre légal et financier à des solutions locales, "
    "imaginées par les acteurs du terrain, pour répondre à des problèmes locaux et créer des "
    "synergies entre acteurs économiques. Un rapport présentant diagnostic et propositions a "
    "été remis par le Labo de l'ESS à la ministre au début de l'année pour relancer le "
    "dispositif, après que deux appels à projets, en 2013 et 2015, ont été organisés pour "
    "labelliser des PTCE. On dénombre 56 PTCE actifs en mai 2021."
)

# (name, function as written in the invitation, organisation, place)
SEED_SPEAKERS = [
    (
        "Olivia GREGOIRE",
        "secrétaire d'Etat à l'Economie sociale, solidaire et responsable",
        "",
        "",
    ),
    ("Jérôme SADDIER", "Président d'ESS France", "ESS France", ""),
    ("Hugues SIBILLE", "Président du Labo de l'ESS", "Labo de l'ESS", ""),
    (
        "Christophe CHEVALIER",
        "PDG du groupe Archer",
        "Groupe Archer",
        "Romans – Auvergne-Rhône-Alpes",
    ),
    (
        "Rachid CHERFAOUI",
        "Président-fondateur de la Maison de l'Economie Solidaire",
        "Maison de l'Economie Solidaire",
        "La Chapelle-aux-Pots – Haut-de-France",
    ),
    (
        "Pauline PETOT",
        "Directrice de la CRESS Auvergne-Rhône-Alpes",
        "CRESS Auvergne-Rhône-Alpes",
        "",
    ),
]

SEED_DIAL_IN = [("+33-1-7091-8646", "France Toll"), ("+33-1-8514-8835", "France Toll 2")]


def _paris(*args) -> datetime:
    return paris_to_utc(datetime(*args))


def _related_call():
    from calls.models import Call

    return (
        Call.objects.filter(slug__contains="2021").order_by("pk").first()
        or Call.objects.filter(year=2021, is_permanent=True).order_by("pk").first()
    )


def _commune(code: str):
    from territories.models import Commune

    return Commune.objects.current().filter(code=code).first()


def _replace_children(event, speakers=(), numbers=()):
    event.speakers.all().delete()
    event.dial_in_numbers.all().delete()
    for order, (name, title, organisation, place) in enumerate(speakers, start=1):
        Speaker.objects.create(
            event=event,
            order=order,
            name=name,
            title=title,
            organisation=organisation,
            place=place,
        )
    for order, (number, label) in enumerate(numbers, start=1):
        DialInNumber.objects.create(event=event, order=order, number=number, label=label)


def load_seed_event() -> Event:
    series, _ = Series.objects.update_or_create(
        slug="ptce-saison-3-la-relance",
        defaults={
            "title": "PTCE Saison 3 : la relance",
            "description": "Le cycle d'événements de la relance des Pôles Territoriaux de "
            "Coopération économique, ouvert en mai 2021.",
        },
    )
    event, _ = Event.objects.update_or_create(
        slug=SEED_SLUG,
        defaults={
            "series": series,
            "episode_number": 1,
            "episode_title": "Un AMI qui vous veut du bien",
            "title": "La relance des Pôles Territoriaux de Coopération économique",
            "kind": EventKind.ROUND_TABLE,
            "description": SEED_DESCRIPTION,
            "starts_at": _paris(2021, 5, 12, 10, 0),
            "ends_at": _paris(2021, 5, 12, 11, 0),
            "format": EventFormat.ONLINE,
            "join_url": "https://economie.webex.com/economie-fr/j.php?"
            "MTID=m76d4b7de5ce338d17721468a87a2c45d",
            "meeting_number": "163 755 7706",
            "video_address": "1637557706@economie.webex.com",
            "video_ip_instructions": "Vous pouvez également composer 62.109.219.4 et saisir "
            "votre numéro de votre réunion.",
            "access_code": "163 755 7706",
            "audience": "Acteurs de l'économie sociale et solidaire, PTCE et dynamiques "
            "territoriales de coopération économique.",
            "call": _related_call(),
            "registration_open": False,
            "access_details_for_registered_only": False,
            "organiser_name": ORGANISER,
            "organiser_email": ORGANISER_EMAIL,
            "uid": "ptce-saison-3-episode-1@plateforme-ptce",
        },
    )
    _replace_children(event, SEED_SPEAKERS, SEED_DIAL_IN)
    return event


def load(out):
    seed = load_seed_event()
    webinar, _ = Event.objects.update_or_create(
        slug="webinaire-demo-candidater-ami-2027",
        defaults={
            "title": "Préparer sa candidature à l'AMI 2027 (démo)",
            "kind": EventKind.WEBINAR,
            "description": "Webinaire de démonstration : présentation du cahier des charges, "
            "des critères d'éligibilité et du calendrier, puis questions-réponses.",
            "programme": "14 h 00 : présentation de l'appel\n14 h 45 : questions-réponses",
            "audience": "Porteurs de projets de PTCE (démo).",
            "starts_at": _paris(2027, 1, 19, 14, 0),
            "ends_at": _paris(2027, 1, 19, 15, 30),
            "format": EventFormat.ONLINE,
            "join_url": "https://visio.demo.ptce.example/rejoindre/ami-2027",
            "meeting_number": "000 000 0000",
            "access_code": "2027",
            "access_details_for_registered_only": True,
            "registration_open": True,
            "organiser_name": "Cellule nationale d'animation des PTCE (démo)",
            "organiser_email": "animation@demo.ptce.fr",
        },
    )
    _replace_children(
        webinar,
        [("Camille DURAND (démo)", "Chargée de mission PTCE", "Cellule nationale (démo)", "")],
        [("+33-1-00-00-00-00", "France (démo)")],
    )
    lyon = _commune("69123")
    national_day, _ = Event.objects.update_or_create(
        slug="journee-nationale-ptce-2027-demo",
        defaults={
            "title": "Journée nationale des PTCE 2027 (démo)",
            "kind": EventKind.NATIONAL_DAY,
            "description": "Journée de démonstration : rencontres entre pôles, ateliers "
            "thématiques et remise des labels de la promotion 2026.",
            "programme": "9 h 30 : accueil\n10 h 00 : plénière\n14 h 00 : ateliers\n"
            "17 h 00 : clôture",
            "audience": "Pôles lauréats, cellules régionales et partenaires (démo).",
            "starts_at": _paris(2027, 3, 30, 9, 30),
            "ends_at": _paris(2027, 3, 30, 17, 0),
            "format": EventFormat.ON_SITE,
            "venue_name": "Hôtel de Région Auvergne-Rhône-Alpes (démo)",
            "venue_address": "1 esplanade François-Mitterrand, 69002 Lyon",
            "commune": lyon,
            "capacity": 120,
            "registration_open": True,
            "organiser_name": "Cellule nationale d'animation des PTCE (démo)",
            "organiser_email": "animation@demo.ptce.fr",
        },
    )
    _replace_children(national_day)
    out.write(
        f"Événements : {Event.objects.count()} (dont l'épisode 1 de la saison 3, "
        f"{seed.get_absolute_url()})\n"
    )

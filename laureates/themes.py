"""The controlled vocabulary of PTCE themes, with the sector's own words for each.

The themes are ``laureates.models.Theme`` (the directory's filters); each has the synonyms found
in the programme's lists (calls 2013, 2015, AMI 2021 onwards, Labo de l’ESS, CRESS): « déchets »,
« ressourcerie » → économie circulaire et réemploi ; « IAE », « formation » → emploi, insertion et
formation ; « musiques actuelles » → culture ; « agriculture » → alimentation et agriculture…

``classify("déchets, IAE, mutualisation")`` → ``(["circular_economy", "employment"],
["mutualisation"])``: a word that is no theme is kept as a **free tag**, never dropped. Matching
is accent- and case-insensitive and French-stemmed (core/search.py): « Déchet » and « gestion
des déchets ménagers » both find « déchets ».
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.search import index_text
from laureates.models import Theme
from territories.text import normalise

SYNONYMS: dict[str, tuple[str, ...]] = {
    Theme.CIRCULAR_ECONOMY: (
        "économie circulaire",
        "réemploi",
        "réutilisation",
        "recyclage",
        "recyclerie",
        "ressourcerie",
        "déchets",
        "zéro déchet",
        "réparation",
        "upcycling",
        "écologie industrielle",
        "consigne",
        "reconditionnement",
    ),
    Theme.FOOD: (
        "alimentation",
        "agriculture",
        "agroalimentaire",
        "circuits courts",
        "circuit court",
        "légumerie",
        "maraîchage",
        "restauration collective",
        "projet alimentaire territorial",
        "meunerie",
        "élevage",
        "agroécologie",
        "épicerie solidaire",
    ),
    Theme.MOBILITY: (
        "mobilité",
        "transport",
        "covoiturage",
        "vélo",
        "garage solidaire",
        "logistique",
        "auto-école sociale",
    ),
    Theme.CARE: (
        "services à la personne",
        "services aux personnes",
        "santé",
        "care",
        "aide à domicile",
        "silver économie",
        "vieillissement",
        "petite enfance",
        "handicap",
        "médico-social",
        "action sociale",
    ),
    Theme.CONSTRUCTION: (
        "bâtiment",
        "construction",
        "éco-construction",
        "écoconstruction",
        "habitat",
        "logement",
        "BTP",
        "matériaux biosourcés",
        "rénovation",
    ),
    Theme.CULTURE: (
        "culture",
        "musiques actuelles",
        "spectacle vivant",
        "arts",
        "industries culturelles et créatives",
        "industries créatives",
        "patrimoine",
        "audiovisuel",
        "cinéma",
        "médias",
        "design",
    ),
    Theme.DIGITAL: (
        "numérique",
        "médiation numérique",
        "inclusion numérique",
        "informatique",
        "logiciels libres",
        "fablab",
    ),
    Theme.ENERGY: (
        "énergie",
        "transition énergétique",
        "énergies renouvelables",
        "énergie citoyenne",
        "méthanisation",
        "photovoltaïque",
        "solaire",
        "éolien",
        "précarité énergétique",
    ),
    Theme.EMPLOYMENT: (
        "emploi",
        "insertion",
        "IAE",
        "SIAE",
        "insertion par l’activité économique",
        "formation",
        "apprentissage",
        "groupement d’employeurs",
        "entrepreneuriat",
        "création d’activité",
        "coopérative d’activité et d’emploi",
        "territoire zéro chômeur",
        "TZCLD",
    ),
    Theme.TOURISM: ("tourisme", "écotourisme", "tourisme social", "hébergement touristique"),
    Theme.TEXTILE: (
        "textile",
        "industrie",
        "laine",
        "habillement",
        "mode",
        "manufacture",
        "réindustrialisation",
        "sous-traitance industrielle",
    ),
    Theme.WOOD: ("bois", "filière bois", "forêt", "sylviculture", "bois-énergie"),
}

_SEPARATORS = re.compile(r"[,;/|+\n]|\s+-\s+")


def _vocabulary() -> list[tuple[tuple[str, ...], str]]:
    """(stems of a synonym, theme), longest first, so « bois-énergie » is wood, not energy."""
    entries = []
    for theme, words in SYNONYMS.items():
        for word in (*words, theme.label, theme.value.replace("_", " ")):
            stems = tuple(index_text(word).split())
            if stems:
                entries.append((stems, str(theme)))
    entries.sort(key=lambda entry: -len(entry[0]))
    return entries


VOCABULARY = _vocabulary()


@lru_cache(maxsize=8192)  # lists repeat the same words row after row
def theme_of(text: str) -> str | None:
    """The theme a word or phrase belongs to, or None."""
    stems = index_text(text).split()
    if not stems:
        return None
    for synonym, theme in VOCABULARY:
        if synonym == tuple(stems):
            return theme
    for synonym, theme in VOCABULARY:
        length = len(synonym)
        if any(tuple(stems[i : i + length]) == synonym for i in range(len(stems) - length + 1)):
            return theme
    return None


def classify(text: str) -> tuple[list[str], list[str]]:
    """Themes (vocabulary order of discovery) and free tags (as written, trimmed) in ``text``."""
    themes: list[str] = []
    tags: list[str] = []
    for part in _SEPARATORS.split(text or ""):
        part = " ".join(part.split()).strip(" .")
        if not normalise(part):
            continue
        theme = theme_of(part)
        if theme is None:
            if normalise(part) not in {normalise(tag) for tag in tags}:
                tags.append(part[:60])
        elif theme not in themes:
            themes.append(theme)
    return themes, tags

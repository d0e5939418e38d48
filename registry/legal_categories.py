"""INSEE nomenclature of legal categories (catégories juridiques) and article 1 families.

The nomenclature (levels I, II and III, with their French labels) and the family of each code are
data: ``registry/data/categories_juridiques.csv`` (``niveau;code;libelle;famille``). A level-III
code missing from the file falls back to its level-II then level-I parent, so a code added by
INSEE after this file was written still gets a family and a label.

Families follow article 1 of law n° 2014-856 (ESS law): associations, cooperatives, mutuals and
foundations belong to the ESS by their status; commercial companies only when they meet the
article 1 II 2° conditions, which SIRENE records as ``economieSocialeSolidaireUniteLegale = O``.
"""

import csv
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "categories_juridiques.csv"


class Family(StrEnum):
    ASSOCIATION = "association"
    COOPERATIVE = "cooperative"
    MUTUAL = "mutual"
    FOUNDATION = "foundation"
    COMMERCIAL_COMPANY = "commercial_company"
    LOCAL_AUTHORITY = "local_authority"
    PUBLIC_BODY = "public_body"
    INDIVIDUAL_ENTREPRENEUR = "individual_entrepreneur"
    OTHER_PRIVATE = "other_private"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return FAMILY_LABELS[self]


FAMILY_LABELS = {
    Family.ASSOCIATION: "Association",
    Family.COOPERATIVE: "Coopérative",
    Family.MUTUAL: "Mutuelle ou société d’assurance mutuelle",
    Family.FOUNDATION: "Fondation",
    Family.COMMERCIAL_COMPANY: "Société commerciale",
    Family.LOCAL_AUTHORITY: "Collectivité territoriale ou groupement",
    Family.PUBLIC_BODY: "Personne morale de droit public",
    Family.INDIVIDUAL_ENTREPRENEUR: "Entrepreneur individuel",
    Family.OTHER_PRIVATE: "Autre personne de droit privé",
    Family.UNKNOWN: "Catégorie juridique inconnue",
}

# Article 1 II 1° of the ESS law: these statuses belong to the ESS whatever the ESS flag says.
ESS_BY_STATUS = frozenset(
    {Family.ASSOCIATION, Family.COOPERATIVE, Family.MUTUAL, Family.FOUNDATION}
)


@dataclass(frozen=True)
class LegalCategory:
    code: str
    level: int
    label: str
    family: Family

    @property
    def is_public(self) -> bool:
        return self.family in (Family.PUBLIC_BODY, Family.LOCAL_AUTHORITY)


@cache
def nomenclature() -> dict[str, LegalCategory]:
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: LegalCategory(
                row["code"], int(row["niveau"]), row["libelle"], Family(row["famille"])
            )
            for row in csv.DictReader(handle, delimiter=";")
        }


def category(code: str | None) -> LegalCategory:
    """The category of a code at any level; unknown level-III codes use their parent's data."""
    code = (code or "").strip()
    known = nomenclature()
    if code in known:
        return known[code]
    for parent in (code[:2], code[:1]):
        if parent and parent in known:
            found = known[parent]
            return LegalCategory(
                code, 3 if len(code) == 4 else found.level, found.label, found.family
            )
    return LegalCategory(code, 0, "Catégorie juridique non renseignée", Family.UNKNOWN)


def family_of(code: str | None) -> Family:
    return category(code).family


def is_ess(code: str | None, ess_flag: bool | None) -> bool:
    """ESS under article 1: by status (association, cooperative, mutual, foundation) or flag."""
    return bool(ess_flag) or family_of(code) in ESS_BY_STATUS

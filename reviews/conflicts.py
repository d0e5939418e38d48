"""Conflicts of interest: one predicate for querysets and single files.

A staff member must not see a file when

* a ``ConflictOfInterest`` row exists for them on it (declared by them, or stored by
  :func:`detect_conflicts` when their organisation's name matches the lead or a member), or
* their organisation's SIREN (the first nine digits of ``User.siret``) is the lead's or a
  member's SIREN — checked live in SQL, so a SIRET entered after routing still excludes.

``conflict_q(user)`` is the filter on ``Application``; ``has_conflict(user, application)`` runs
the same filter on one row, so lists, detail pages, attachments, exports and APIs agree.
"""

import re
import unicodedata
from functools import lru_cache

from django.db.models import Q

# Words that say what kind of body an organisation is, not which one.
LEGAL_WORDS = frozenset(
    {
        "association",
        "asso",
        "sas",
        "sasu",
        "sa",
        "sarl",
        "eurl",
        "scop",
        "scic",
        "sci",
        "scea",
        "gie",
        "fondation",
        "mutuelle",
        "cooperative",
        "le",
        "la",
        "les",
        "l",
        "de",
        "des",
        "du",
        "d",
        "et",
    }
)


@lru_cache(maxsize=4096)  # pure; detection compares every staff member with every member
def normalise_name(name: str) -> str:
    """« L’Association Coopérer-en-Coise » → « cooperer en coise »: accents, case,
    punctuation and legal-form words removed, to compare organisation names."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    words = [word for word in re.split(r"[^a-z0-9]+", text) if word and word not in LEGAL_WORDS]
    return " ".join(words)


def siren_of(user) -> str:
    digits = re.sub(r"\D", "", getattr(user, "siret", "") or "")
    return digits[:9] if len(digits) >= 9 else ""


def conflict_q(user) -> Q:
    """Files on which ``user`` has a conflict of interest (a ``Q`` on ``Application``)."""
    from applications.models import Member
    from reviews.models import ConflictOfInterest

    condition = Q(pk__in=ConflictOfInterest.objects.filter(reviewer=user).values("application_id"))
    siren = siren_of(user)
    if siren:
        condition |= Q(lead_siret__startswith=siren) | Q(
            pk__in=Member.objects.filter(siret__startswith=siren).values("application_id")
        )
    return condition


def has_conflict(user, application) -> bool:
    if application is None or application.pk is None or not getattr(user, "pk", None):
        return False
    from applications.models import Application

    return Application.objects.filter(pk=application.pk).filter(conflict_q(user)).exists()


def organisation_matches(user, application, members) -> str:
    """Why ``user``'s organisation is part of the grouping (French), or ``""``."""
    siren = siren_of(user)
    name = normalise_name(getattr(user, "organisation", ""))
    if siren and (application.lead_siret or "").startswith(siren):
        return f"SIREN {siren} de la structure porteuse"
    if name and name == normalise_name(application.lead_name):
        return f"organisation « {user.organisation} » structure porteuse du pôle"
    for member in members:
        if siren and (member.siret or "").startswith(siren):
            return f"SIREN {siren} du membre « {member.name} »"
        if name and name == normalise_name(member.name):
            return f"organisation « {user.organisation} » membre du pôle"
    return ""

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


# --- One filter for every surface (lists, rankings, committee, follow-up, exports, API) -----

CONFLICT_NOTICE = "conflit d’intérêts déclaré"
PENDING_NOTICE = "visible après votre évaluation"


def conflicted_files(user):
    """Ids of the files ``user`` has a conflict of interest on (a subquery, not a list)."""
    from applications.models import Application

    if not getattr(user, "pk", None):
        return Application.objects.none().values("pk")
    return Application.objects.filter(conflict_q(user)).values("pk")


def without_conflicts(queryset, user, application_field: str = "application"):
    """``queryset`` less the rows on files ``user`` has a conflict of interest on.
    ``application_field``: the path from the queryset's model to the file (``"pk"`` for a
    queryset of files, ``"award__application"`` for agreements…)."""
    if not getattr(user, "pk", None):
        return queryset
    lookup = "pk__in" if application_field == "pk" else f"{application_field}__in"
    return queryset.exclude(**{lookup: conflicted_files(user)})


def conflicted_ids(user, application_ids) -> set[int]:
    """Those of ``application_ids`` on which ``user`` has a conflict of interest."""
    from applications.models import Application

    if not getattr(user, "pk", None):
        return set()
    return set(
        Application.objects.filter(pk__in=application_ids)
        .filter(conflict_q(user))
        .values_list("pk", flat=True)
    )


def mask_ranking(rows, user, *, hidden_notice=None):
    """A ranking (``[(RankedFile, application, opinion)]``) as ``user`` may see it: complete
    (one row per file) but with the files ``user`` has a conflict on — and, given
    ``hidden_notice`` (ids → notice), the files whose scores ``user`` may not read yet —
    masked: no reference, name, figure or opinion, and moved after the visible rows with no
    rank, so that neither the row nor the order of the others tells the masked file's
    place. The visible rows are numbered again in their order."""

    ids = [application.pk for _line, application, _opinion in rows]
    notices = dict.fromkeys(conflicted_ids(user, ids), CONFLICT_NOTICE)
    for pk, notice in (hidden_notice or {}).items():
        notices.setdefault(pk, notice)
    if not notices:
        return rows
    visible, masked = [], []
    for line, application, opinion in rows:
        if application.pk in notices:
            masked.append((masked_line(notices[application.pk]), None, None))
        else:
            line.rank = len(visible) + 1
            visible.append((line, application, opinion))
    return visible + masked


def conflicted_references(user, call, references) -> set[str]:
    """Those of ``references`` (files of ``call``) on which ``user`` has a conflict of
    interest: for results keyed by reference (saved simulations)."""
    from applications.models import Application

    if not getattr(user, "pk", None) or call is None:
        return set()
    ids = dict(
        Application.objects.filter(call=call, reference__in=set(references)).values_list(
            "pk", "reference"
        )
    )
    return {ids[pk] for pk in conflicted_ids(user, ids)}


class MaskedDecision:
    """A simulated decision ``user`` may not read: it keeps only what the totals count."""

    def __init__(self, decision, notice: str = CONFLICT_NOTICE):
        self.masked = notice
        self.reference = ""
        self.outcome = decision.outcome
        self.granted_amount = decision.granted_amount
        self.region = decision.region


def mask_allocation(result, user, call):
    """An allocation simulation (``AllocationResult``) as ``user`` may see it: complete (the
    totals and counts include every file) but the files ``user`` has a conflict on are masked
    rows after the others, and the visible rows numbered again (order and waiting-list
    position), so that neither a row nor a gap tells the masked file's place."""
    import dataclasses

    if result is None:
        return None
    masked = conflicted_references(user, call, [d.reference for d in result.decisions])
    if not masked:
        return result
    visible, hidden, waiting = [], [], 0
    for decision in result.decisions:
        if decision.reference in masked:
            hidden.append(MaskedDecision(decision))
            continue
        position = decision.waiting_position
        if position is not None:
            waiting += 1
            position = waiting
        visible.append(
            dataclasses.replace(decision, rank=len(visible) + 1, waiting_position=position)
        )
    return dataclasses.replace(result, decisions=tuple(visible + hidden), _by_reference={})


class MaskedDifference:
    summary = f"Dossier masqué : {CONFLICT_NOTICE}"


def mask_differences(differences, user, call) -> list:
    """Differences between two simulations, those on files ``user`` has a conflict on
    replaced by a masked line, after the others."""
    masked = conflicted_references(user, call, [d.reference for d in differences])
    if not masked:
        return differences
    visible = [d for d in differences if d.reference not in masked]
    return visible + [MaskedDifference() for d in differences if d.reference in masked]


def without_conflicted_audit(queryset, user):
    """Audit entries (``core.models.AuditLog``) less those about a file ``user`` has a
    conflict of interest on: the file itself, its award, agreement, reports and payments
    (``object_id`` is text: the keys are compared as text)."""
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from applications.models import Application
    from laureates.models import Award
    from laureates.models_followup import Agreement, Payment, Report

    files = conflicted_files(user)
    hidden = Q()
    for object_type, model, lookup in (
        ("applications.application", Application, "pk"),
        ("laureates.award", Award, "application"),
        ("laureates.agreement", Agreement, "award__application"),
        ("laureates.report", Report, "agreement__award__application"),
        ("laureates.payment", Payment, "agreement__award__application"),
    ):
        keys = (
            model.objects.filter(**{f"{lookup}__in": files})
            .annotate(text_id=Cast("pk", CharField()))
            .values("text_id")
        )
        hidden |= Q(object_type=object_type, object_id__in=keys)
    return queryset.exclude(hidden)


def masked_line(notice: str):
    """A line of the ranking standing for a file its reader may not see (conflict of
    interest): no rank, no reference, no figures, only the notice."""
    from reviews.ranking import RankedFile

    return RankedFile(
        rank=None,
        reference="",
        score=None,
        median=None,
        opinion=None,
        eliminated=False,
        submitted_at=None,
        decided_by=None,
        masked=notice,
    )

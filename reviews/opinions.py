"""Régional opinions and the régional ranking (SPEC §5.4).

An opinion is written by a reviewer or the cell lead of the file's région and validated by the
cell lead. Saving is guarded by an optimistic lock (``RegionalOpinion.version``): the form
carries the version the person loaded; if someone saved in between, the save is refused with
a French message and nothing is overwritten.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.permissions import is_cell_lead_for, is_national, is_regional_for
from applications.choices import ApplicationStatus as S
from applications.models import Application
from core import audit
from reviews.choices import Opinion
from reviews.models import RegionalOpinion, ReviewSummary
from reviews.ranking import RankingInput, rank_files
from reviews.services import ReviewError

# States in which the régional cell gives (or revises) its opinion.
OPINION_STATES = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.REVIEWED})


class OpinionConflict(ReviewError):
    """Someone else saved the opinion since it was loaded."""


def conflict_message(current: RegionalOpinion | None) -> str:
    who = ""
    if current is not None and current.author is not None:
        who = f" par {current.author}"
    return (
        f"L’avis régional a été modifié entre-temps{who}. Vos changements n’ont pas été "
        "enregistrés : rechargez la page pour voir la version en vigueur, puis recommencez."
    )


def can_write_opinion(user, application) -> bool:
    return is_regional_for(user, application.region_id) and application.status in OPINION_STATES


def can_validate_opinion(user, application) -> bool:
    return is_cell_lead_for(user, application.region_id) and application.status in OPINION_STATES


def opinion_of(application) -> RegionalOpinion | None:
    return RegionalOpinion.objects.filter(application=application).first()


def save_opinion(
    application, *, actor, opinion: str, reasons: str, expected_version: int
) -> RegionalOpinion:
    """Create or update the file's opinion. ``expected_version`` is the version the person
    loaded (0 when there was no opinion yet). A change clears any earlier validation."""
    if not can_write_opinion(actor, application):
        raise ReviewError("Vous ne pouvez pas rédiger l’avis régional de ce dossier.")
    reasons = (reasons or "").strip()
    if not reasons:
        raise ReviewError("Indiquez les motifs de l’avis.")
    with transaction.atomic():
        if expected_version == 0:
            try:
                with transaction.atomic():
                    row = RegionalOpinion.objects.create(
                        application=application, opinion=opinion, reasons=reasons, author=actor
                    )
            except IntegrityError as error:
                raise OpinionConflict(conflict_message(opinion_of(application))) from error
            before = None
        else:
            previous = opinion_of(application)
            updated = RegionalOpinion.objects.filter(
                application=application, version=expected_version
            ).update(
                opinion=opinion,
                reasons=reasons,
                author=actor,
                validated_by=None,
                validated_at=None,
                version=F("version") + 1,
                updated_at=timezone.now(),
            )
            if updated != 1:
                raise OpinionConflict(conflict_message(previous))
            before = {"opinion": previous.opinion, "reasons": previous.reasons}
            row = opinion_of(application)
        audit.record(
            "review.opinion_saved",
            actor=actor,
            obj=application,
            before=before,
            after={"opinion": row.opinion, "reasons": row.reasons, "version": row.version},
        )
    return row


def validate_opinion(application, *, actor, expected_version: int) -> RegionalOpinion:
    """The cell lead validates the opinion as it stands at ``expected_version``."""
    if not can_validate_opinion(actor, application):
        raise ReviewError("Seul le responsable de la cellule régionale valide l’avis.")
    with transaction.atomic():
        current = opinion_of(application)
        if current is None:
            raise ReviewError("Aucun avis régional à valider.")
        now = timezone.now()
        updated = RegionalOpinion.objects.filter(
            application=application, version=expected_version
        ).update(validated_by=actor, validated_at=now, version=F("version") + 1, updated_at=now)
        if updated != 1:
            raise OpinionConflict(conflict_message(current))
        row = opinion_of(application)
        audit.record(
            "review.opinion_validated",
            actor=actor,
            obj=application,
            after={"opinion": row.opinion, "version": row.version},
        )
    return row


def can_see_ranking(user, region_id) -> bool:
    return is_national(user) or is_cell_lead_for(user, region_id)


@dataclass(frozen=True)
class OpinionLine:
    """What a ranking shows of a file's régional opinion (no model instance per file)."""

    opinion: str
    validated_at: object

    @property
    def is_validated(self) -> bool:
        return self.validated_at is not None

    def get_opinion_display(self) -> str:
        return Opinion(self.opinion).label


def ranked_files(applications, *, validated_only: bool = False):
    """[(RankedFile, application, OpinionLine or None)] for these files, ranked with
    ``reviews.ranking`` on their figures and (validated, if asked) régional opinions.
    Figures and opinions are read as plain values, selected by the same query as the files
    (no list of 10 000 identifiers sent back to the database)."""
    if isinstance(applications, QuerySet):
        selected = applications.values("pk")
        applications = list(applications)
    else:
        applications = list(applications)
        selected = [a.pk for a in applications]
    summaries = {  # plain tuples: 10 000 files rank in a fraction of a second
        row[0]: row
        for row in ReviewSummary.objects.filter(application__in=selected).values_list(
            "application_id", "review_count", "mean", "median", "eliminated"
        )
    }
    opinions = {
        pk: OpinionLine(opinion, validated_at)
        for pk, opinion, validated_at in RegionalOpinion.objects.filter(
            application__in=selected
        ).values_list("application_id", "opinion", "validated_at")
    }
    by_reference = {}
    entries = []
    for application in applications:
        reference = application.reference or str(application.uuid)
        summary = summaries.get(application.pk)
        opinion = opinions.get(application.pk)
        counted = opinion if (opinion and (opinion.is_validated or not validated_only)) else None
        by_reference[reference] = (application, opinion)
        entries.append(
            RankingInput(
                reference=reference,
                mean=summary[2] if summary and summary[1] else None,
                median=summary[3] if summary and summary[1] else None,
                submitted_at=application.submitted_at,
                opinion=counted.opinion if counted else None,
                eliminated=bool(summary and summary[4]),
            )
        )
    return [(line, *by_reference[line.reference]) for line in rank_files(entries)]


def regional_files(region_id, call_id=None):
    queryset = Application.objects.filter(region_id=region_id).exclude(
        status__in=[S.DRAFT, S.WITHDRAWN]
    )
    if call_id:
        queryset = queryset.filter(call_id=call_id)
    return queryset.select_related("call", "region")

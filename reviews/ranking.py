"""National ranking of files from their consolidated figures (SPEC §5.4), as a pure function.

Order (documented for the committee in ``docs/review-rules.md``):

1. Groups: files that are scored and not eliminated first, then eliminated files (they cannot
   be funded, but stay visible with their score), then files without any evaluation.
2. Within a group, by these keys in turn, the next one used only when all before are equal:
   score (mean of the weighted totals, or of the normalised totals) descending; the regional
   opinion when one is given (favourable > reserved > unfavourable > none); median descending;
   earlier submission; reference in alphabetical order. References are unique, so the order is
   total and the same inputs always give the same ranking.

Ranks run 1…n without gaps or shared ranks; ``decided_by`` tells which key put a file after the
one just above it, so ties are explained rather than hidden.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .choices import Opinion
from .perf import paused_gc
from .scoring import FileStatistics

OPINION_ORDER = {Opinion.FAVOURABLE: 0, Opinion.RESERVED: 1, Opinion.UNFAVOURABLE: 2}
NO_OPINION = 3
_NEVER = datetime.datetime.max.replace(tzinfo=datetime.UTC)

KEY_LABELS = ("groupe", "note", "avis régional", "médiane", "date de dépôt", "référence")


@dataclass(frozen=True)
class RankingInput:
    reference: str
    mean: Decimal | None
    median: Decimal | None = None
    submitted_at: datetime.datetime | None = None
    opinion: str | None = None
    eliminated: bool = False
    normalised_mean: Decimal | None = None
    normalised_median: Decimal | None = None

    @classmethod
    def from_statistics(
        cls,
        statistics: FileStatistics,
        *,
        submitted_at: datetime.datetime | None = None,
        opinion: str | None = None,
    ) -> RankingInput:
        return cls(
            reference=statistics.reference,
            mean=statistics.mean,
            median=statistics.median,
            submitted_at=submitted_at,
            opinion=opinion,
            eliminated=statistics.eliminated,
            normalised_mean=statistics.normalised_mean,
            normalised_median=statistics.normalised_median,
        )


@dataclass(slots=True)
class RankedFile:
    """One line of the ranking (treat as read-only: slots rather than frozen, for speed)."""

    rank: int | None
    reference: str
    score: Decimal | None
    median: Decimal | None
    opinion: str | None
    eliminated: bool
    submitted_at: datetime.datetime | None
    decided_by: str | None  # French label of the key that separates it from the file above
    # Why the file is hidden from the reader (« conflit d’intérêts déclaré »…), else "".
    masked: str = ""

    @property
    def tied_on_score(self) -> bool:
        return self.decided_by not in (None, "groupe", "note")


def _aware(value: datetime.datetime | None) -> datetime.datetime:
    if value is None:
        return _NEVER
    if value.tzinfo is None:  # naive date-times are read as UTC so they compare
        return value.replace(tzinfo=datetime.UTC)
    return value


def rank_files(
    entries: Iterable[RankingInput], *, normalised: bool = False, use_opinion: bool = True
) -> list[RankedFile]:
    """Rank files (see the module docstring). ``normalised`` ranks on the normalised mean and
    median (falling back to raw ones for a file that has none); ``use_opinion=False`` ignores
    regional opinions."""
    with paused_gc():
        return _rank_files(entries, normalised, use_opinion)


def _rank_files(entries, normalised, use_opinion):
    keyed = []
    seen = set()
    for entry in entries:
        if entry.reference in seen:
            raise ValueError(f"Le dossier {entry.reference} apparaît deux fois dans le classement.")
        seen.add(entry.reference)
        score = entry.mean
        middle = entry.median
        if normalised and entry.normalised_mean is not None:
            score = entry.normalised_mean
            middle = entry.normalised_median
        if score is None:
            group = 2
        else:
            group = 1 if entry.eliminated else 0
        opinion = OPINION_ORDER.get(entry.opinion, NO_OPINION) if use_opinion else NO_OPINION
        key = (
            group,
            -score if score is not None else 0,
            opinion,
            -middle if middle is not None else Decimal("Infinity"),
            _aware(entry.submitted_at),
            entry.reference,
        )
        keyed.append((key, entry, score, middle))
    keyed.sort(key=lambda item: item[0])
    ranked = []
    previous = None
    for position, (key, entry, score, middle) in enumerate(keyed, start=1):
        decided_by = None
        if previous is not None:
            index = 0
            while previous[index] == key[index]:
                index += 1
            decided_by = KEY_LABELS[index]
        previous = key
        ranked.append(
            RankedFile(
                rank=position,
                reference=entry.reference,
                score=score,
                median=middle,
                opinion=entry.opinion,
                eliminated=entry.eliminated,
                submitted_at=entry.submitted_at,
                decided_by=decided_by,
            )
        )
    return ranked

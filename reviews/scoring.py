"""Scoring against a call's evaluation grid (SPEC §5.2), as pure functions.

The rules (written for the cells and the committee in ``docs/review-rules.md``):

* **Weighted total of one evaluation** = Σ(weight × score) / Σ(weight) over the criteria the
  reviewer scored: a weighted mean, on the grid's own scale (0–5 by default), so that the grid's
  ``disagreement_threshold`` (a standard deviation of this total) reads on the same scale.
  A missing optional criterion leaves both sums; a missing mandatory one is an error.
* **Eliminatory criterion**: a score strictly below the criterion's threshold makes the
  evaluation, and therefore the file, ineligible for funding (any single evaluation suffices,
  as the grid's help text says: « Une note inférieure rend le dossier inéligible »).
* **Per file**: number of reviews, mean, median (mean of the two middle values for an even
  count) and *population* standard deviation σ = √(Σ(x − mean)² / n) of the weighted totals.
  Population rather than sample: it is defined for a single review (0) and, for two reviews,
  equals half their gap, which is easy to explain. Disagreement when σ > threshold (strict).
* **Rounding**: each weighted total is rounded half-up to 0.01 (what the reviewer sees); the
  file figures are computed from those rounded totals at full precision, then rounded half-up
  to 0.01. z-scores are rounded to 0.001.
* **Per-reviewer normalisation** (optional, see :func:`compute_statistics`): each weighted total
  becomes z = (x − reviewer mean) / reviewer σ over all that reviewer's evaluations, shown back
  on the grid's scale as global mean + z × global σ. Reviewers with fewer than
  ``min_evaluations`` evaluations (default 3) or with σ = 0 cannot be normalised: their totals
  are kept unchanged. Raw values are always kept beside the normalised ones.

Inputs are plain dataclasses (or dicts through :meth:`GridSpec.from_dict`); :func:`grid_spec`
adapts a ``calls.models.Grid``. Nothing here touches the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from .numbers import Z_QUANTUM, format_number, parse_decimal, round_half_up
from .perf import paused_gc

if TYPE_CHECKING:  # pragma: no cover
    from calls.models import Grid


class ScoringError(ValueError):
    """Invalid grid or scores; ``errors`` holds one French message per problem."""

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        super().__init__(" ".join(self.errors))


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    label: str
    weight: Decimal
    eliminatory_threshold: Decimal | None = None
    mandatory: bool = True


@dataclass(frozen=True)
class GridSpec:
    criteria: tuple[CriterionSpec, ...]
    scale_min: Decimal = Decimal(0)
    scale_max: Decimal = Decimal(5)
    disagreement_threshold: Decimal = Decimal("1.00")

    def __post_init__(self):
        errors = []
        criteria = []
        for criterion in self.criteria:
            weight = parse_decimal(criterion.weight)
            threshold = (
                None
                if criterion.eliminatory_threshold is None
                else parse_decimal(criterion.eliminatory_threshold)
            )
            if weight is None or weight < 0:
                errors.append(
                    f"Critère « {criterion.label} » : la pondération doit être un nombre positif."
                )
                weight = Decimal(0)
            if criterion.eliminatory_threshold is not None and threshold is None:
                errors.append(
                    f"Critère « {criterion.label} » : le seuil éliminatoire doit être un nombre."
                )
            criteria.append(
                CriterionSpec(
                    code=criterion.code,
                    label=criterion.label,
                    weight=weight,
                    eliminatory_threshold=threshold,
                    mandatory=criterion.mandatory,
                )
            )
        scale_min = parse_decimal(self.scale_min)
        scale_max = parse_decimal(self.scale_max)
        threshold = parse_decimal(self.disagreement_threshold)
        if not criteria:
            errors.append("La grille ne comporte aucun critère.")
        codes = [criterion.code for criterion in criteria]
        for code in sorted({code for code in codes if codes.count(code) > 1}):
            errors.append(f"Le code de critère « {code} » apparaît plusieurs fois.")
        if criteria and sum(criterion.weight for criterion in criteria) <= 0:
            errors.append("La somme des pondérations doit être strictement positive.")
        if scale_min is None or scale_max is None or scale_min >= scale_max:
            errors.append("L’échelle de notation doit aller d’une note minimale à une maximale.")
        if threshold is None or threshold < 0:
            errors.append("Le seuil de désaccord doit être un nombre positif.")
        if scale_min is not None and scale_max is not None:
            for criterion in criteria:
                limit = criterion.eliminatory_threshold
                if limit is not None and not scale_min <= limit <= scale_max:
                    errors.append(
                        f"Critère « {criterion.label} » : le seuil éliminatoire "
                        f"{format_number(limit)} est en dehors de l’échelle."
                    )
        if errors:
            raise ScoringError(errors)
        object.__setattr__(self, "criteria", tuple(criteria))
        object.__setattr__(self, "scale_min", scale_min)
        object.__setattr__(self, "scale_max", scale_max)
        object.__setattr__(self, "disagreement_threshold", threshold)

    @classmethod
    def from_dict(cls, data: Mapping) -> GridSpec:
        """``{"scale_min": 0, "scale_max": 5, "disagreement_threshold": "1.00", "criteria":
        [{"code", "label", "weight", "eliminatory_threshold"?, "mandatory"?}, …]}``."""
        return cls(
            criteria=tuple(
                CriterionSpec(
                    code=item["code"],
                    label=item.get("label", item["code"]),
                    weight=item["weight"],
                    eliminatory_threshold=item.get("eliminatory_threshold"),
                    mandatory=item.get("mandatory", True),
                )
                for item in data["criteria"]
            ),
            scale_min=data.get("scale_min", 0),
            scale_max=data.get("scale_max", 5),
            disagreement_threshold=data.get("disagreement_threshold", Decimal("1.00")),
        )

    def criterion(self, code: str) -> CriterionSpec:
        return next(criterion for criterion in self.criteria if criterion.code == code)


def grid_spec(grid: Grid) -> GridSpec:
    """The spec of a ``calls.models.Grid`` (criteria in their display order, all mandatory)."""
    return GridSpec(
        criteria=tuple(
            CriterionSpec(
                code=criterion.code,
                label=criterion.label,
                weight=criterion.weight,
                eliminatory_threshold=criterion.eliminatory_threshold,
            )
            for criterion in grid.criteria.order_by("order", "pk")
        ),
        scale_min=grid.scale_min,
        scale_max=grid.scale_max,
        disagreement_threshold=grid.disagreement_threshold,
    )


@dataclass(frozen=True)
class EvaluationResult:
    """One reviewer's scores on one file, checked against the grid."""

    weighted_total: Decimal
    scores: Mapping[str, Decimal]
    eliminatory_failures: tuple[str, ...] = ()

    @property
    def eliminated(self) -> bool:
        return bool(self.eliminatory_failures)


def _check_scores(grid: GridSpec, scores: Mapping[str, object]):
    errors = []
    parsed: dict[str, Decimal] = {}
    known = {criterion.code for criterion in grid.criteria}
    for code in scores:
        if code not in known:
            errors.append(f"Critère inconnu « {code} » : il ne fait pas partie de la grille.")
    for criterion in grid.criteria:
        raw = scores.get(criterion.code)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if criterion.mandatory:
                errors.append(f"Critère « {criterion.label} » : la note est obligatoire.")
            continue
        value = parse_decimal(raw)
        if value is None:
            errors.append(f"Critère « {criterion.label} » : « {raw} » n’est pas une note valide.")
        elif not grid.scale_min <= value <= grid.scale_max:
            scale = f"de {format_number(grid.scale_min)} à {format_number(grid.scale_max)}"
            errors.append(
                f"Critère « {criterion.label} » : la note {format_number(value)} est en dehors "
                f"de l’échelle ({scale})."
            )
        else:
            parsed[criterion.code] = value
    return parsed, errors


def validate_scores(grid: GridSpec, scores: Mapping[str, object]) -> list[str]:
    """French messages for every problem in ``scores`` (criterion code → score); [] if valid."""
    return _check_scores(grid, scores)[1]


def evaluate(grid: GridSpec, scores: Mapping[str, object]) -> EvaluationResult:
    """Weighted total and eliminatory failures of one evaluation; :class:`ScoringError` if the
    scores are invalid."""
    parsed, errors = _check_scores(grid, scores)
    if errors:
        raise ScoringError(errors)
    total = _weighted_mean(grid, parsed)
    if total is None:
        raise ScoringError(["Aucun critère pondéré n’a été noté."])
    failures = [
        criterion.code
        for criterion in grid.criteria
        if criterion.code in parsed
        and criterion.eliminatory_threshold is not None
        and parsed[criterion.code] < criterion.eliminatory_threshold
    ]
    return EvaluationResult(
        weighted_total=total, scores=parsed, eliminatory_failures=tuple(failures)
    )


def _weighted_mean(grid: GridSpec, parsed: Mapping[str, Decimal]) -> Decimal | None:
    weighted = Decimal(0)
    weights = Decimal(0)
    for criterion in grid.criteria:
        value = parsed.get(criterion.code)
        if value is not None:
            weighted += criterion.weight * value
            weights += criterion.weight
    return round_half_up(weighted / weights) if weights else None


def running_total(grid: GridSpec, scores: Mapping[str, object]) -> Decimal | None:
    """The weighted total over the criteria scored so far (valid scores only), rounded as
    :func:`evaluate` rounds it; None before any weighted criterion is scored. Shown while an
    evaluation is drafted; once every criterion is scored it equals :func:`evaluate`'s total."""
    parsed, _errors = _check_scores(grid, scores)
    return _weighted_mean(grid, parsed)


# --- Statistics -----------------------------------------------------------------------------


def mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def population_std_dev(values: Sequence[Decimal], centre: Decimal | None = None) -> Decimal:
    """σ = √(Σ(x − mean)² / n), divided by n (not n − 1)."""
    centre = mean(values) if centre is None else centre
    return (sum(((value - centre) ** 2 for value in values), Decimal(0)) / len(values)).sqrt()


@dataclass(frozen=True)
class EvaluationInput:
    """One evaluation of the set to consolidate: file reference, reviewer key, scores."""

    reference: str
    reviewer: str
    scores: Mapping[str, object]


@dataclass(frozen=True)
class ScoredEvaluation:
    reference: str
    reviewer: str
    result: EvaluationResult
    z_score: Decimal | None = None
    normalised_total: Decimal | None = None
    normalised_by_reviewer: bool = False

    @property
    def weighted_total(self) -> Decimal:
        return self.result.weighted_total


@dataclass(frozen=True)
class FileStatistics:
    """Consolidated figures of one file. Raw figures are always present; the ``normalised_*``
    ones only when normalisation was asked for."""

    reference: str
    review_count: int
    totals: tuple[Decimal, ...]
    mean: Decimal | None
    median: Decimal | None
    std_dev: Decimal | None
    disagreement: bool
    eliminated: bool
    eliminatory_failures: tuple[tuple[str, str], ...] = ()  # (reviewer, criterion code)
    evaluations: tuple[ScoredEvaluation, ...] = field(default=(), repr=False)
    normalised_totals: tuple[Decimal, ...] | None = None
    normalised_mean: Decimal | None = None
    normalised_median: Decimal | None = None
    normalised_std_dev: Decimal | None = None

    def score(self, normalised: bool = False) -> Decimal | None:
        return self.normalised_mean if normalised else self.mean


def _summary(values: Sequence[Decimal]):
    if not values:
        return None, None, None
    centre = mean(values)
    return (
        round_half_up(centre),
        round_half_up(median(values)),
        round_half_up(population_std_dev(values, centre)),
    )


def _file_statistics(
    grid: GridSpec, reference: str, evaluations: Sequence[ScoredEvaluation], normalised: bool
) -> FileStatistics:
    evaluations = tuple(sorted(evaluations, key=lambda evaluation: evaluation.reviewer))
    totals = tuple(evaluation.weighted_total for evaluation in evaluations)
    centre, middle, spread = _summary(totals)
    failures = tuple(
        (evaluation.reviewer, code)
        for evaluation in evaluations
        for code in evaluation.result.eliminatory_failures
    )
    extra = {}
    if normalised:
        normalised_totals = tuple(evaluation.normalised_total for evaluation in evaluations)
        n_centre, n_middle, n_spread = _summary(normalised_totals)
        extra = {
            "normalised_totals": normalised_totals,
            "normalised_mean": n_centre,
            "normalised_median": n_middle,
            "normalised_std_dev": n_spread,
        }
    return FileStatistics(
        reference=reference,
        review_count=len(totals),
        totals=totals,
        mean=centre,
        median=middle,
        std_dev=spread,
        disagreement=spread is not None and spread > grid.disagreement_threshold,
        eliminated=bool(failures),
        eliminatory_failures=failures,
        evaluations=evaluations,
        **extra,
    )


def file_statistics(
    grid: GridSpec, results: Sequence[EvaluationResult], reference: str = ""
) -> FileStatistics:
    """Raw figures of one file from its evaluations (no normalisation)."""
    evaluations = [
        ScoredEvaluation(reference=reference, reviewer=f"{index:06d}", result=result)
        for index, result in enumerate(results)
    ]
    return _file_statistics(grid, reference, evaluations, normalised=False)


def _normalise(evaluations: list[ScoredEvaluation], min_evaluations: int) -> list[ScoredEvaluation]:
    if not evaluations:
        return evaluations
    all_totals = [evaluation.weighted_total for evaluation in evaluations]
    global_mean = mean(all_totals)
    global_sd = population_std_dev(all_totals, global_mean)
    by_reviewer: dict[str, list[Decimal]] = defaultdict(list)
    for evaluation in evaluations:
        by_reviewer[evaluation.reviewer].append(evaluation.weighted_total)
    reviewer_figures = {}
    for reviewer, totals in by_reviewer.items():
        centre = mean(totals)
        spread = population_std_dev(totals, centre)
        if len(totals) >= min_evaluations and spread > 0:
            reviewer_figures[reviewer] = (centre, spread)
    normalised = []
    for evaluation in evaluations:
        total = evaluation.weighted_total
        figures = reviewer_figures.get(evaluation.reviewer)
        if figures is not None:
            z = (total - figures[0]) / figures[1]
            value = round_half_up(global_mean + z * global_sd)
        else:  # kept as it is: its z-score is taken against all evaluations
            z = (total - global_mean) / global_sd if global_sd else Decimal(0)
            value = total
        normalised.append(
            ScoredEvaluation(
                reference=evaluation.reference,
                reviewer=evaluation.reviewer,
                result=evaluation.result,
                z_score=round_half_up(z, Z_QUANTUM),
                normalised_total=value,
                normalised_by_reviewer=figures is not None,
            )
        )
    return normalised


def compute_statistics(
    grid: GridSpec,
    evaluations: Iterable[EvaluationInput],
    *,
    normalise: bool = False,
    min_evaluations: int = 3,
) -> dict[str, FileStatistics]:
    """Figures for every file of a set of evaluations (typically a round), keyed by reference.

    With ``normalise=True`` each reviewer's totals are turned into z-scores over all that
    reviewer's evaluations *in this set* and put back on the grid's scale (global mean +
    z × global σ), so that a harsh and a lenient reviewer weigh the same. A reviewer with fewer
    than ``min_evaluations`` evaluations, or whose totals are all equal (σ = 0), is not
    normalised: their totals are kept unchanged (their ``z_score`` is then measured against all
    evaluations, for information). The result may fall slightly outside the scale: it is a
    comparison figure, not a score.

    Invalid scores raise :class:`ScoringError` with messages naming the file and the reviewer.
    """
    with paused_gc():
        return _compute_statistics(grid, evaluations, normalise, min_evaluations)


def _compute_statistics(grid, evaluations, normalise, min_evaluations):
    if min_evaluations < 2:
        raise ScoringError(["Il faut au moins deux évaluations par évaluateur pour normaliser."])
    scored: list[ScoredEvaluation] = []
    errors: list[str] = []
    seen = set()
    for item in evaluations:
        key = (item.reference, item.reviewer)
        if key in seen:
            errors.append(
                f"Dossier {item.reference} : l’évaluateur {item.reviewer} a deux évaluations."
            )
            continue
        seen.add(key)
        try:
            result = evaluate(grid, item.scores)
        except ScoringError as error:
            errors.extend(
                f"Dossier {item.reference}, évaluateur {item.reviewer} : {message}"
                for message in error.errors
            )
            continue
        scored.append(ScoredEvaluation(item.reference, str(item.reviewer), result))
    if errors:
        raise ScoringError(errors)
    if normalise:
        scored = _normalise(scored, min_evaluations)
    by_file: dict[str, list[ScoredEvaluation]] = defaultdict(list)
    for evaluation in scored:
        by_file[evaluation.reference].append(evaluation)
    return {
        reference: _file_statistics(grid, reference, by_file[reference], normalise)
        for reference in sorted(by_file)
    }

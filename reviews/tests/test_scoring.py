from decimal import Decimal as D

import pytest

from calls.models import Call, Criterion, Instrument, create_default_grid
from reviews.scoring import (
    CriterionSpec,
    EvaluationInput,
    GridSpec,
    ScoringError,
    compute_statistics,
    evaluate,
    file_statistics,
    grid_spec,
    validate_scores,
)

GRID = GridSpec(
    criteria=(
        CriterionSpec("animation", "Animation territoriale et gouvernance", D("20")),
        CriterionSpec("cooperation", "Coopération et mutualisation", D("20"), D("2")),
        CriterionSpec("impact", "Impact économique, social et écologique", D("20")),
        CriterionSpec("innovation", "Innovation sociale ou technologique", D("15")),
        CriterionSpec("viability", "Viabilité économique et cofinancements", D("15")),
        CriterionSpec("priority", "Ancrage dans les territoires prioritaires", D("10")),
    ),
    scale_min=0,
    scale_max=5,
    disagreement_threshold=D("1.00"),
)


def scores(animation, cooperation, impact, innovation, viability, priority):
    return {
        "animation": animation,
        "cooperation": cooperation,
        "impact": impact,
        "innovation": innovation,
        "viability": viability,
        "priority": priority,
    }


def test_weighted_total_is_the_weighted_mean_on_the_grid_scale():
    result = evaluate(GRID, scores(4, 3, 5, 2, 4, 1))
    # (20×4 + 20×3 + 20×5 + 15×2 + 15×4 + 10×1) / 100 = 340 / 100
    assert result.weighted_total == D("3.40")
    assert result.eliminatory_failures == ()
    assert result.eliminated is False


def test_weighted_total_is_rounded_half_up_to_two_decimals():
    grid = GridSpec(
        criteria=(
            CriterionSpec("a", "A", D(1)),
            CriterionSpec("b", "B", D(1)),
            CriterionSpec("c", "C", D(1)),
        ),
    )
    assert evaluate(grid, {"a": 1, "b": 1, "c": 2}).weighted_total == D("1.33")
    assert evaluate(grid, {"a": 1, "b": 2, "c": 2}).weighted_total == D("1.67")
    grid8 = GridSpec(criteria=(CriterionSpec("a", "A", D(1)), CriterionSpec("b", "B", D(7))))
    # (1×0 + 7×1) / 8 = 0.875 → 0.88 (half up, not half even)
    assert evaluate(grid8, {"a": 0, "b": 1}).weighted_total == D("0.88")


def test_scores_accept_decimals_strings_and_french_commas():
    result = evaluate(GRID, scores("4,5", D("3.5"), "5", 2.5, 4, 0))
    assert result.scores["animation"] == D("4.5")
    # (20×4.5 + 20×3.5 + 20×5 + 15×2.5 + 15×4 + 10×0) / 100 = 3.575 → 3.58 (half up)
    assert result.weighted_total == D("3.58")


def test_score_above_the_scale_is_refused_naming_the_criterion():
    assert validate_scores(GRID, scores(4, 3, 7, 2, 4, 1)) == [
        "Critère « Impact économique, social et écologique » : la note 7 est en dehors de "
        "l’échelle (de 0 à 5)."
    ]


def test_negative_score_and_non_numbers_are_refused():
    assert validate_scores(GRID, scores(-1, 3, 5, "beaucoup", True, 1)) == [
        "Critère « Animation territoriale et gouvernance » : la note −1 est en dehors de "
        "l’échelle (de 0 à 5).",
        "Critère « Innovation sociale ou technologique » : « beaucoup » n’est pas une note valide.",
        "Critère « Viabilité économique et cofinancements » : « True » n’est pas une note valide.",
    ]


def test_missing_mandatory_criterion_is_refused():
    given = scores(4, 3, 5, 2, 4, 1)
    del given["innovation"]
    given["viability"] = "  "
    with pytest.raises(ScoringError) as error:
        evaluate(GRID, given)
    assert error.value.errors == [
        "Critère « Innovation sociale ou technologique » : la note est obligatoire.",
        "Critère « Viabilité économique et cofinancements » : la note est obligatoire.",
    ]


def test_unknown_criterion_is_refused():
    given = scores(4, 3, 5, 2, 4, 1) | {"charisme": 5}
    assert validate_scores(GRID, given) == [
        "Critère inconnu « charisme » : il ne fait pas partie de la grille."
    ]


def test_missing_optional_criterion_leaves_the_weights():
    grid = GridSpec(
        criteria=(
            CriterionSpec("a", "A", D(3)),
            CriterionSpec("b", "B", D(1), mandatory=False),
        )
    )
    assert evaluate(grid, {"a": 4}).weighted_total == D("4.00")
    assert evaluate(grid, {"a": 4, "b": 0}).weighted_total == D("3.00")


def test_score_below_an_eliminatory_threshold_eliminates():
    assert evaluate(GRID, scores(5, 1, 5, 5, 5, 5)).eliminatory_failures == ("cooperation",)
    # The threshold itself passes: only a score strictly below it eliminates.
    assert evaluate(GRID, scores(5, 2, 5, 5, 5, 5)).eliminated is False


def test_inconsistent_grid_is_refused():
    with pytest.raises(ScoringError) as error:
        GridSpec(
            criteria=(
                CriterionSpec("a", "A", D(0)),
                CriterionSpec("a", "A bis", D(-1)),
            ),
            scale_min=5,
            scale_max=5,
            disagreement_threshold=-1,
        )
    assert error.value.errors == [
        "Critère « A bis » : la pondération doit être un nombre positif.",
        "Le code de critère « a » apparaît plusieurs fois.",
        "La somme des pondérations doit être strictement positive.",
        "L’échelle de notation doit aller d’une note minimale à une maximale.",
        "Le seuil de désaccord doit être un nombre positif.",
    ]
    with pytest.raises(ScoringError) as error:
        GridSpec(criteria=(CriterionSpec("a", "Gouvernance", D(1), D(6)),))
    assert error.value.errors == [
        "Critère « Gouvernance » : le seuil éliminatoire 6 est en dehors de l’échelle."
    ]
    with pytest.raises(ScoringError, match="La grille ne comporte aucun critère."):
        GridSpec(criteria=())


def test_grid_from_dict():
    grid = GridSpec.from_dict(
        {
            "scale_min": 1,
            "scale_max": 10,
            "disagreement_threshold": "2.5",
            "criteria": [
                {"code": "a", "label": "A", "weight": "2", "eliminatory_threshold": 3},
                {"code": "b", "label": "B", "weight": 1, "mandatory": False},
            ],
        }
    )
    assert grid.scale_max == D(10)
    assert grid.disagreement_threshold == D("2.5")
    assert grid.criterion("a").eliminatory_threshold == D(3)
    assert grid.criterion("b").mandatory is False
    assert evaluate(grid, {"a": 10, "b": 1}).weighted_total == D("7.00")


@pytest.mark.django_db
def test_grid_spec_adapts_a_call_grid():
    call = Call.objects.create(
        title="AMI 2026",
        slug="ami-2026",
        instrument=Instrument.AMI,
        year=2026,
        is_permanent=True,
    )
    grid = create_default_grid(call)
    grid.scale_max = 10
    grid.disagreement_threshold = D("1.50")
    grid.save()
    Criterion.objects.filter(grid=grid, code="viability").update(eliminatory_threshold=4)
    spec = grid_spec(grid)
    assert [c.code for c in spec.criteria] == [
        "animation",
        "cooperation",
        "impact",
        "innovation",
        "viability",
        "priority_territories",
    ]
    assert [c.weight for c in spec.criteria] == [D(20), D(20), D(20), D(15), D(15), D(10)]
    assert spec.criterion("viability").eliminatory_threshold == D(4)
    assert spec.criterion("animation").eliminatory_threshold is None
    assert (spec.scale_min, spec.scale_max, spec.disagreement_threshold) == (0, 10, D("1.50"))
    result = evaluate(spec, {c.code: 10 for c in spec.criteria} | {"viability": 3})
    assert result.weighted_total == D("8.95")
    assert result.eliminatory_failures == ("viability",)


# --- Per-file statistics ----------------------------------------------------------------------

SIMPLE = GridSpec(criteria=(CriterionSpec("q", "Qualité", D(1), D(1)),), disagreement_threshold=1)


def test_file_statistics_mean_median_population_std_dev():
    results = [evaluate(SIMPLE, {"q": value}) for value in (2, 3, 5)]
    stats = file_statistics(SIMPLE, results, "PTCE-2026-0001")
    assert stats.review_count == 3
    assert stats.totals == (D("2.00"), D("3.00"), D("5.00"))
    assert stats.mean == D("3.33")
    assert stats.median == D("3.00")
    # σ = √(((2−10/3)² + (3−10/3)² + (5−10/3)²) / 3) = √(14/9) = 1.2472…
    assert stats.std_dev == D("1.25")
    assert stats.disagreement is True


def test_two_reviews_std_dev_is_half_the_gap_and_median_the_mean():
    results = [evaluate(SIMPLE, {"q": value}) for value in (2, 4)]
    stats = file_statistics(SIMPLE, results)
    assert (stats.mean, stats.median, stats.std_dev) == (D("3.00"), D("3.00"), D("1.00"))
    # σ equal to the threshold is not a disagreement: the spread must exceed it.
    assert stats.disagreement is False


def test_single_review_and_no_review():
    one = file_statistics(SIMPLE, [evaluate(SIMPLE, {"q": 4})])
    assert (one.review_count, one.mean, one.median, one.std_dev) == (1, D(4), D(4), D(0))
    none = file_statistics(SIMPLE, [])
    assert (none.review_count, none.mean, none.median, none.std_dev) == (0, None, None, None)
    assert none.disagreement is False


def test_one_eliminating_review_eliminates_the_file():
    results = [evaluate(SIMPLE, {"q": value}) for value in (5, 5, 0)]
    stats = file_statistics(SIMPLE, results)
    assert stats.eliminated is True
    assert stats.eliminatory_failures == (("000002", "q"),)


def evaluations(table):
    return [
        EvaluationInput(reference, reviewer, {"q": value}) for reference, reviewer, value in table
    ]


def test_compute_statistics_groups_by_file():
    stats = compute_statistics(
        SIMPLE,
        evaluations([("B", "r1", 4), ("A", "r1", 2), ("A", "r2", 3), ("B", "r2", 5)]),
    )
    assert list(stats) == ["A", "B"]
    assert stats["A"].totals == (D(2), D(3))
    assert stats["A"].mean == D("2.50")
    assert stats["B"].mean == D("4.50")
    assert stats["A"].normalised_mean is None


def test_compute_statistics_names_file_and_reviewer_in_errors():
    with pytest.raises(ScoringError) as error:
        compute_statistics(SIMPLE, evaluations([("A", "r1", 9), ("A", "r1", 3), ("B", "r2", 1)]))
    assert error.value.errors == [
        "Dossier A, évaluateur r1 : Critère « Qualité » : la note 9 est en dehors de l’échelle "
        "(de 0 à 5).",
        "Dossier A : l’évaluateur r1 a deux évaluations.",
    ]
    with pytest.raises(ScoringError) as error:
        compute_statistics(SIMPLE, evaluations([("A", "r1", 2), ("A", "r1", 3)]))
    assert error.value.errors == ["Dossier A : l’évaluateur r1 a deux évaluations."]


# --- Per-reviewer normalisation ---------------------------------------------------------------


def test_normalisation_evens_out_a_harsh_and_a_lenient_reviewer():
    # "harsh" scores everything 2 points lower than "lenient" would; same order of preference.
    table = [
        ("A", "harsh", 1),
        ("B", "harsh", 2),
        ("C", "harsh", 3),
        ("D", "lenient", 3),
        ("E", "lenient", 4),
        ("F", "lenient", 5),
    ]
    stats = compute_statistics(SIMPLE, evaluations(table), normalise=True)
    # Global: mean 3, σ = √(10/6) = 1.2910…; each reviewer: σ = √(2/3) = 0.8165…, so z = ∓1.2247…
    assert stats["A"].totals == (D(1),)
    assert stats["A"].evaluations[0].z_score == D("-1.225")
    assert stats["A"].normalised_totals == stats["D"].normalised_totals == (D("1.42"),)
    assert stats["B"].normalised_mean == stats["E"].normalised_mean == D("3.00")
    assert stats["C"].normalised_mean == stats["F"].normalised_mean == D("4.58")
    # Raw values stay alongside.
    assert (stats["C"].mean, stats["F"].mean) == (D(3), D(5))
    assert stats["C"].evaluations[0].normalised_by_reviewer is True


def test_reviewer_with_too_few_evaluations_or_no_variance_keeps_raw_totals():
    table = [
        ("A", "r1", 1),
        ("B", "r1", 3),
        ("C", "r1", 5),
        ("A", "single", 2),
        ("B", "flat", 4),
        ("C", "flat", 4),
        ("D", "flat", 4),
    ]
    stats = compute_statistics(SIMPLE, evaluations(table), normalise=True)
    single = next(e for e in stats["A"].evaluations if e.reviewer == "single")
    assert single.normalised_by_reviewer is False
    assert single.normalised_total == D(2)
    flat = next(e for e in stats["D"].evaluations if e.reviewer == "flat")
    assert flat.normalised_by_reviewer is False
    assert flat.normalised_total == D(4)
    # z against all 7 evaluations (mean 23/7, σ = √(80/49) = 1.2778…) for information.
    assert flat.z_score == D("0.559")
    r1 = next(e for e in stats["C"].evaluations if e.reviewer == "r1")
    assert r1.normalised_by_reviewer is True


def test_min_evaluations_for_normalisation_is_configurable():
    table = [("A", "r1", 1), ("B", "r1", 3), ("A", "r2", 2), ("B", "r2", 4)]
    kept = compute_statistics(SIMPLE, evaluations(table), normalise=True)
    assert kept["A"].normalised_totals == (D(1), D(2))
    two = compute_statistics(SIMPLE, evaluations(table), normalise=True, min_evaluations=2)
    # Global mean 2.5, σ = √(5/4) = 1.118…; each reviewer's lower score has z = −1.
    assert two["A"].normalised_totals == (D("1.38"), D("1.38"))
    with pytest.raises(ScoringError):
        compute_statistics(SIMPLE, evaluations(table), normalise=True, min_evaluations=1)


def test_everything_equal_normalises_to_itself():
    table = [("A", "r1", 3), ("B", "r1", 3), ("C", "r1", 3)]
    stats = compute_statistics(SIMPLE, evaluations(table), normalise=True)
    assert [s.normalised_mean for s in stats.values()] == [D(3), D(3), D(3)]
    assert stats["A"].evaluations[0].z_score == D(0)


def test_statistics_are_deterministic_whatever_the_input_order():
    table = [("A", "r1", 1), ("B", "r1", 3), ("C", "r1", 5), ("A", "r2", 4), ("B", "r2", 2)]
    forward = compute_statistics(SIMPLE, evaluations(table), normalise=True)
    backward = compute_statistics(SIMPLE, evaluations(reversed(table)), normalise=True)
    assert forward == backward

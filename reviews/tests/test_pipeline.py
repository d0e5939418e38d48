"""The chain the national cell runs: evaluations → figures → national ranking → allocation."""

import datetime
from decimal import Decimal as D

from reviews.allocation import AllocationParameters, Candidate, simulate
from reviews.choices import Opinion
from reviews.ranking import RankingInput, rank_files
from reviews.scoring import CriterionSpec, EvaluationInput, GridSpec, compute_statistics

GRID = GridSpec(criteria=(CriterionSpec("q", "Qualité du projet", D(1)),))
EVALUATIONS = [  # a harsh reviewer and a lenient one who agree on the order
    ("A", "harsh", 1),
    ("B", "harsh", 2),
    ("C", "harsh", 3),
    ("D", "lenient", 3),
    ("E", "lenient", 4),
    ("F", "lenient", 5),
]
OPINIONS = {"C": Opinion.FAVOURABLE, "F": Opinion.RESERVED}
SUBMITTED = {
    reference: datetime.datetime(2026, 10, 10, tzinfo=datetime.UTC) for reference in "ABCDF"
}
SUBMITTED["E"] = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)


def national_ranking(normalised):
    statistics = compute_statistics(
        GRID,
        [EvaluationInput(ref, reviewer, {"q": score}) for ref, reviewer, score in EVALUATIONS],
        normalise=normalised,
    )
    return rank_files(
        [
            RankingInput.from_statistics(
                figures, submitted_at=SUBMITTED[ref], opinion=OPINIONS.get(ref)
            )
            for ref, figures in statistics.items()
        ],
        normalised=normalised,
    )


def allocate(ranking, bonus):
    parameters = AllocationParameters(
        envelope=D("300000"),
        min_award=D("50000"),
        max_award=D("100000"),
        priority_bonus=bonus,
        waiting_list_size=1,
    )
    candidates = [
        Candidate(
            reference=line.reference,
            region="Bretagne",
            requested_amount=D("100000"),
            score=line.score,
            eliminated=line.eliminated,
            priority_territories={"rural"} if line.reference == "A" else set(),
            national_rank=line.rank,
        )
        for line in ranking
    ]
    return simulate(parameters, candidates)


def test_raw_ranking_favours_the_lenient_reviewers_files():
    ranking = national_ranking(normalised=False)
    assert [line.reference for line in ranking] == ["F", "E", "C", "D", "B", "A"]
    assert [line.reference for line in allocate(ranking, D(0)).funded] == ["F", "E", "C"]


def test_normalised_ranking_evens_out_the_reviewers_and_explains_the_ties():
    ranking = national_ranking(normalised=True)
    assert [(line.reference, line.score, line.decided_by) for line in ranking] == [
        ("C", D("4.58"), None),
        ("F", D("4.58"), "avis régional"),
        ("E", D("3.00"), "note"),
        ("B", D("3.00"), "date de dépôt"),
        ("A", D("1.42"), "note"),
        ("D", D("1.42"), "référence"),
    ]
    result = allocate(ranking, D(0))
    assert [line.reference for line in result.funded] == ["C", "F", "E"]
    assert result.decision("B").reason == (
        "Liste d’attente : position 1, enveloppe épuisée "
        "(reste 0\u00a0€, minimum 50\u00a0000\u00a0€)"
    )


def test_priority_bonus_lifts_a_rural_file_into_the_funded_list():
    result = allocate(national_ranking(normalised=True), D("2"))
    assert [line.reference for line in result.funded] == ["C", "F", "A"]
    assert result.decision("A").reason == (
        "Retenu : rang 3, 100\u00a0000\u00a0€ accordés (bonus territoire prioritaire +2)"
    )
    assert result.decision("E").outcome == "waiting_list"

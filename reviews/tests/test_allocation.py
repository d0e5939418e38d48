import json
import random
import re
import time
from decimal import Decimal as D

import pytest

from calls.models import PriorityTerritory
from reviews.allocation import (
    PRIORITY_TERRITORIES,
    AllocationError,
    AllocationParameters,
    AllocationResult,
    Candidate,
    Outcome,
    Reason,
    compare,
    simulate,
)


def fr(text):
    """French typography of the reasons: no-break spaces inside amounts and before €."""
    return re.sub(r"(?<=\d) (?=\d{3}\b)", "\u00a0", text).replace(" €", "\u00a0€")


def reasons(result):
    return {d.reference: d.reason for d in result.decisions}


def test_priority_territories_match_the_calls_choices():
    assert frozenset(PriorityTerritory.values) == PRIORITY_TERRITORIES


def test_2021_case_fifteen_laureates_of_100_000_euros():
    parameters = AllocationParameters(
        envelope=D("1500000"), min_award=D("100000"), max_award=D("100000"), waiting_list_size=3
    )
    candidates = [
        Candidate(f"PTCE-2021-{i:04d}", "Occitanie", D("100000"), D(500 - i) / 100)
        for i in range(1, 21)
    ]
    result = simulate(parameters, candidates)
    assert [d.reference for d in result.funded] == [f"PTCE-2021-{i:04d}" for i in range(1, 16)]
    assert {d.granted_amount for d in result.funded} == {D("100000")}
    assert result.total_granted == D("1500000")
    assert result.remaining == 0
    assert result.decision("PTCE-2021-0003").reason == fr("Retenu : rang 3, 100 000 € accordés")
    assert [d.reference for d in result.waiting_list] == [
        "PTCE-2021-0016",
        "PTCE-2021-0017",
        "PTCE-2021-0018",
    ]
    assert result.decision("PTCE-2021-0016").reason == fr(
        "Liste d’attente : position 1, enveloppe épuisée (reste 0 €, minimum 100 000 €)"
    )
    assert result.decision("PTCE-2021-0019").outcome == Outcome.NOT_FUNDED
    assert result.decision("PTCE-2021-0019").reason == fr(
        "Non retenu : enveloppe épuisée (reste 0 €, minimum 100 000 €)"
    )
    assert result.warnings == ()


REQUESTS_2025 = [  # (reference, région, requested amount, score)
    ("PTCE-2025-0001", "Bretagne", "80000", "4.80"),
    ("PTCE-2025-0002", "Occitanie", "60000", "4.60"),
    ("PTCE-2025-0003", "Grand Est", "75000", "4.50"),
    ("PTCE-2025-0004", "Normandie", "30000", "4.40"),
    ("PTCE-2025-0005", "Bretagne", "95000", "4.30"),
    ("PTCE-2025-0006", "Hauts-de-France", "50000", "4.10"),
    ("PTCE-2025-0007", "Occitanie", "65000", "4.00"),
    ("PTCE-2025-0008", "Corse", "70000", "3.90"),
    ("PTCE-2025-0009", "Bretagne", "40000", "3.70"),
    ("PTCE-2025-0010", "Normandie", "20000", "3.60"),
]


def candidates_2025(**overrides):
    return [
        Candidate(reference, region, D(amount), D(score), **overrides.get(reference, {}))
        for reference, region, amount, score in REQUESTS_2025
    ]


def params_2025(**changes):
    values = {"envelope": D("500000"), "min_award": D("30000"), "max_award": D("80000")}
    return AllocationParameters(**(values | changes))


def test_500_000_envelope_with_30_000_to_80_000_requests():
    result = simulate(params_2025(), candidates_2025())
    assert [(d.reference[-2:], d.granted_amount) for d in result.funded] == [
        ("01", D("80000")),
        ("02", D("60000")),
        ("03", D("75000")),
        ("04", D("30000")),
        ("05", D("80000")),
        ("06", D("50000")),
        ("07", D("65000")),
        ("08", D("60000")),
    ]
    assert result.total_granted == D("500000")
    assert result.remaining == 0
    assert reasons(result) == {
        "PTCE-2025-0001": fr("Retenu : rang 1, 80 000 € accordés"),
        "PTCE-2025-0002": fr("Retenu : rang 2, 60 000 € accordés"),
        "PTCE-2025-0003": fr("Retenu : rang 3, 75 000 € accordés"),
        "PTCE-2025-0004": fr("Retenu : rang 4, 30 000 € accordés"),
        "PTCE-2025-0005": fr(
            "Retenu : rang 5, 80 000 € accordés (plafonné au maximum de l’appel, 95 000 € demandés)"
        ),
        "PTCE-2025-0006": fr("Retenu : rang 6, 50 000 € accordés"),
        "PTCE-2025-0007": fr("Retenu : rang 7, 65 000 € accordés"),
        "PTCE-2025-0008": fr(
            "Retenu : rang 8, 60 000 € accordés "
            "(réduit au reliquat de l’enveloppe, 70 000 € prévus)"
        ),
        "PTCE-2025-0009": fr("Non retenu : enveloppe épuisée (reste 0 €, minimum 30 000 €)"),
        "PTCE-2025-0010": fr(
            "Non retenu : montant demandé (20 000 €) inférieur au minimum de l’appel (30 000 €)"
        ),
    }
    assert result.decision("PTCE-2025-0010").reason_code == Reason.BELOW_MINIMUM


def test_without_partial_awards_a_smaller_request_further_down_still_fits():
    result = simulate(params_2025(partial_awards=False, waiting_list_size=1), candidates_2025())
    assert result.decision("PTCE-2025-0008").outcome == Outcome.WAITING_LIST
    assert result.decision("PTCE-2025-0008").reason == fr(
        "Liste d’attente : position 1, enveloppe épuisée (reste 60 000 €, 70 000 € prévus)"
    )
    assert result.decision("PTCE-2025-0009").reason == fr("Retenu : rang 9, 40 000 € accordés")
    assert result.remaining == D("20000")
    assert len(result.funded) == 8


def test_request_below_minimum_can_be_raised_to_the_minimum():
    result = simulate(params_2025(envelope=D("1000000"), below_minimum="raise"), candidates_2025())
    decision = result.decision("PTCE-2025-0010")
    assert decision.granted_amount == D("30000")
    assert decision.reason == fr(
        "Retenu : rang 10, 30 000 € accordés (relevé au minimum de l’appel, 20 000 € demandés)"
    )


def test_envelope_too_small_for_the_minimum_award():
    result = simulate(params_2025(envelope=D("20000"), waiting_list_size=2), candidates_2025())
    assert result.funded == []
    assert result.remaining == D("20000")
    assert result.total_granted == 0
    assert [d.reference for d in result.waiting_list] == ["PTCE-2025-0001", "PTCE-2025-0002"]
    assert result.decision("PTCE-2025-0003").reason == fr(
        "Non retenu : enveloppe épuisée (reste 20 000 €, minimum 30 000 €)"
    )
    assert result.warnings == (
        fr(
            "L’enveloppe (20 000 €) est inférieure au montant minimal par lauréat (30 000 €) : "
            "aucun dossier ne peut être financé."
        ),
    )


def test_region_cap_amount_binds():
    result = simulate(params_2025(region_cap_amount=D("100000")), candidates_2025())
    # Bretagne: 0001 gets 80 000 €, 0005 would need 80 000 € but only 20 000 € are left under
    # the cap (below the 30 000 € minimum), 0009 neither.
    assert result.decision("PTCE-2025-0005").outcome == Outcome.NOT_FUNDED
    assert result.decision("PTCE-2025-0005").reason_code == Reason.REGION_CAP
    assert result.decision("PTCE-2025-0005").reason == fr(
        "Non retenu : plafond régional atteint (Bretagne : reste 20 000 €, minimum 30 000 €)"
    )
    # Occitanie: 60 000 € then 40 000 € of the 65 000 € asked (what the cap leaves).
    assert result.decision("PTCE-2025-0007").granted_amount == D("40000")
    assert result.decision("PTCE-2025-0007").reason == fr(
        "Retenu : rang 7, 40 000 € accordés (réduit au plafond régional, 65 000 € prévus)"
    )
    assert result.region_totals()["Bretagne"] == (1, D("80000"))
    assert result.region_totals()["Occitanie"] == (2, D("100000"))
    # Money the cap freed goes further down the list.
    assert result.decision("PTCE-2025-0008").granted_amount == D("70000")
    assert result.remaining == D("95000")
    assert result.decision("PTCE-2025-0009").reason == fr(
        "Non retenu : plafond régional atteint (Bretagne : reste 20 000 €, minimum 30 000 €)"
    )


def test_region_cap_count_binds():
    result = simulate(params_2025(region_cap_count=1), candidates_2025())
    assert result.decision("PTCE-2025-0005").reason == (
        "Non retenu : plafond régional atteint (Bretagne : 1 lauréat)"
    )
    assert result.decision("PTCE-2025-0007").reason_code == Reason.REGION_CAP
    assert all(count == 1 for count, _amount in result.region_totals().values())


def test_priority_bonus_changes_the_order():
    candidates = [
        Candidate("A", "Bretagne", D("100000"), D("3.00")),
        Candidate("B", "Bretagne", D("100000"), D("2.80"), priority_territories={"rural"}),
        Candidate("C", "Bretagne", D("100000"), D("2.90"), priority_territories={"qpv", "rural"}),
    ]
    base = {"envelope": D("100000"), "min_award": D("100000"), "max_award": D("100000")}
    without = simulate(AllocationParameters(**base), candidates)
    assert [d.reference for d in without.funded] == ["A"]
    result = simulate(AllocationParameters(**base, priority_bonus=D("0.5")), candidates)
    assert [d.reference for d in result.decisions] == ["C", "B", "A"]
    assert result.decision("C").adjusted_score == D("3.40")  # bonus added once
    assert result.decision("C").reason == fr(
        "Retenu : rang 1, 100 000 € accordés (bonus territoire prioritaire +0,5)"
    )
    assert result.decision("A").bonus == 0
    # Only the call's priority territories earn the bonus.
    qpv_only = simulate(
        AllocationParameters(**base, priority_bonus=D("0.5"), priority_territories={"qpv"}),
        candidates,
    )
    assert [d.reference for d in qpv_only.decisions] == ["C", "A", "B"]


def test_eliminated_and_unscored_files_are_never_funded():
    candidates = [
        Candidate("TOP", "Corse", D("50000"), D("5.00"), eliminated=True),
        Candidate("NEW", "Corse", D("50000"), None),
        Candidate("OK", "Corse", D("50000"), D("1.00")),
    ]
    result = simulate(AllocationParameters(envelope=D("10000000"), waiting_list_size=5), candidates)
    assert [d.reference for d in result.funded] == ["OK"]
    assert result.decision("TOP").reason == "Non retenu : critère éliminatoire"
    assert result.decision("TOP").rank == 2
    assert result.decision("NEW").reason == "Non retenu : dossier non noté"
    assert result.waiting_list == []


def test_zero_request_is_not_funded():
    result = simulate(
        AllocationParameters(envelope=D("100")), [Candidate("Z", "Corse", D("0"), D("3"))]
    )
    assert result.decision("Z").reason == "Non retenu : aucun montant demandé"


def test_phase_one_files_are_label_proposals_that_take_no_money():
    candidates = [
        Candidate("P1-TOP", "Corse", D("0"), D("4.50"), label_only=True),
        Candidate("P2", "Corse", D("80000"), D("4.00")),
        Candidate("P1-LOW", "Corse", D("0"), D("2.00"), label_only=True),
        Candidate("P1-OUT", "Corse", D("0"), D("5.00"), label_only=True, eliminated=True),
        Candidate("P1-NEW", "Corse", D("0"), None, label_only=True),
    ]
    result = simulate(AllocationParameters(envelope=D("80000")), candidates)
    assert [d.reference for d in result.label_proposals] == ["P1-TOP", "P1-LOW"]
    assert [d.reference for d in result.funded] == ["P2"]
    assert result.remaining == D("0")
    assert result.decision("P1-TOP").reason == "Proposé au label (phase 1, sans montant)"
    assert result.decision("P1-TOP").outcome == Outcome.LABEL
    assert result.decision("P1-TOP").granted_amount == D("0")
    assert result.decision("P1-OUT").reason == "Non retenu : critère éliminatoire"
    assert result.decision("P1-NEW").reason == "Non retenu : dossier non noté"
    assert [d.reference for d in result.funding_decisions] == ["P2", "P1-OUT", "P1-NEW"]
    assert AllocationResult.from_dict(result.to_dict()).label_proposals == result.label_proposals


def test_ties_are_broken_by_national_rank_then_reference():
    candidates = [
        Candidate("B", "Corse", D("60000"), D("4.00"), national_rank=2),
        Candidate("A", "Corse", D("60000"), D("4.00"), national_rank=3),
        Candidate("C", "Corse", D("60000"), D("4.00"), national_rank=1),
    ]
    parameters = AllocationParameters(envelope=D("100000"), min_award=D("60000"))
    result = simulate(parameters, candidates)
    assert [d.reference for d in result.decisions] == ["C", "B", "A"]
    assert [d.reference for d in result.funded] == ["C"]
    # Without national ranks the order of the list given decides (it is the ranking).
    unranked = [Candidate(c.reference, c.region, c.requested_amount, c.score) for c in candidates]
    assert [d.reference for d in simulate(parameters, unranked).decisions] == ["B", "A", "C"]
    # Same national rank (two lists merged): the reference decides.
    same = [
        Candidate("Y", "Corse", D("60000"), D("4.00"), national_rank=1),
        Candidate("X", "Corse", D("60000"), D("4.00"), national_rank=1),
    ]
    assert [d.reference for d in simulate(parameters, same).decisions] == ["X", "Y"]


def test_same_inputs_same_output_and_saved_form_round_trips():
    parameters = params_2025(region_cap_amount=D("150000"), waiting_list_size=2)
    candidates = [
        Candidate(c.reference, c.region, c.requested_amount, c.score, national_rank=rank)
        for rank, c in enumerate(candidates_2025(), start=1)
    ]
    first = simulate(parameters, candidates)
    again = simulate(parameters, candidates)
    shuffled = candidates[:]
    random.Random(3).shuffle(shuffled)
    assert again == first
    assert simulate(parameters, shuffled) == first
    saved = json.loads(json.dumps(first.to_dict()))
    assert AllocationResult.from_dict(saved) == first
    assert compare(first, saved) == []


def test_compare_lists_files_whose_outcome_or_amount_differs():
    a = simulate(params_2025(), candidates_2025())
    b = simulate(params_2025(envelope=D("600000"), waiting_list_size=1), candidates_2025()[:-1])
    differences = compare(a, b.to_dict())
    assert [d.reference for d in differences] == [
        "PTCE-2025-0008",
        "PTCE-2025-0009",
        "PTCE-2025-0010",
    ]
    assert [d.summary for d in differences] == [
        fr("PTCE-2025-0008 : retenu (60 000 €) → retenu (70 000 €)"),
        fr("PTCE-2025-0009 : non retenu → retenu (40 000 €)"),
        "PTCE-2025-0010 : non retenu → absent",
    ]
    assert differences[1].amount_b == D("40000")
    assert differences[2].outcome_b is None


def test_inconsistent_parameters_are_refused_with_clear_messages():
    with pytest.raises(AllocationError) as error:
        AllocationParameters(
            envelope=D("-1000"),
            min_award=D("90000"),
            max_award=D("80000"),
            region_cap_amount=D("-5"),
            region_cap_count=-1,
            priority_bonus=D("-0.5"),
            priority_territories={"rural", "montagne"},
            waiting_list_size=-2,
            below_minimum="ignore",
        )
    assert error.value.errors == [
        fr("Le montant de l’enveloppe ne peut pas être négatif (−1 000 €)."),
        fr("Le plafond régional (montant) ne peut pas être négatif (−5 €)."),
        "Le plafond régional (nombre de lauréats) ne peut pas être négatif (-1).",
        "La taille de la liste d’attente ne peut pas être négative (-2).",
        "Le bonus territoire prioritaire ne peut pas être négatif (−0,5).",
        fr("Le montant minimal par lauréat (90 000 €) dépasse le montant maximal (80 000 €)."),
        "Territoire prioritaire inconnu : « montagne ».",
        "La règle pour une demande inférieure au minimum est « exclude » (écarter) ou "
        "« raise » (relever au minimum).",
    ]


def test_non_numbers_are_refused():
    with pytest.raises(AllocationError) as error:
        AllocationParameters(envelope="beaucoup", waiting_list_size=1.5, priority_bonus="x")
    assert error.value.errors == [
        "Le montant de l’enveloppe doit être un montant en euros.",
        "La taille de la liste d’attente doit être un nombre entier.",
        "Le bonus territoire prioritaire doit être un nombre de points.",
    ]


def test_inconsistent_candidates_are_refused():
    parameters = AllocationParameters(envelope=D("100000"), region_cap_count=2)
    with pytest.raises(AllocationError) as error:
        simulate(
            parameters,
            [
                Candidate("A", "Corse", D("-1"), D(3)),
                Candidate("B", "Corse", D("10"), D(3)),
                Candidate("B", "Corse", D("10"), D(3)),
                Candidate("C", "", D("10"), D(3)),
                Candidate("D", "Corse", "n/a", D(3)),
                Candidate("E", "Corse", D("10"), "n/a"),
            ],
        )
    assert error.value.errors == [
        "Dossier A : le montant demandé ne peut pas être négatif.",
        "Le dossier B apparaît deux fois.",
        "Dossier C : la région est nécessaire pour appliquer le plafond régional.",
        "Dossier D : le montant demandé doit être un montant en euros.",
        "Dossier E : la note doit être un nombre.",
    ]


def test_amounts_as_strings_and_cents():
    parameters = AllocationParameters(envelope="100000,50", min_award=0, max_award="40000")
    result = simulate(
        parameters,
        [
            Candidate("A", "Corse", "60000", "4"),
            Candidate("B", "Corse", D("60000.505"), D(3)),
        ],
    )
    assert result.decision("A").granted_amount == D("40000")
    assert result.decision("B").granted_amount == D("40000")
    assert result.remaining == D("20000.50")


def test_ten_thousand_candidates_quickly():
    generator = random.Random(7)
    regions = ["Bretagne", "Occitanie", "Corse", "Normandie", "Grand Est", "Guadeloupe"]
    candidates = [
        Candidate(
            f"PTCE-2026-{index:05d}",
            generator.choice(regions),
            D(generator.randint(20, 90) * 1000),
            D(generator.randint(0, 500)) / 100,
            eliminated=generator.random() < 0.05,
            priority_territories={"rural"} if generator.random() < 0.3 else set(),
            national_rank=index,
        )
        for index in range(1, 10_001)
    ]
    parameters = params_2025(
        envelope=D("50000000"), region_cap_amount=D("10000000"), priority_bonus=D("0.3")
    )
    started = time.process_time()  # processor time: the suite runs on shared machines
    result = simulate(parameters, candidates)
    elapsed = time.process_time() - started
    assert len(result.decisions) == 10_000
    assert result.total_granted + result.remaining == D("50000000")
    assert all(
        d.outcome != Outcome.FUNDED for d in result.decisions if d.reason_code == "eliminated"
    )
    # ~50 ms here; the benchmark holds the 100 ms target, this only catches a blow-up.
    assert elapsed < 1
    assert all(d.reason.startswith(("Retenu : rang", "Non retenu : ")) for d in result.decisions)

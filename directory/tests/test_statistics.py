import re
from decimal import Decimal

import pytest

from directory import statistics
from directory.charts import bar_chart, euros
from directory.tests.conftest import programme_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _median_from_one_decision(monkeypatch):
    """The shared fixture has 1 to 4 decisions per call: medians are checked from one decision
    here; the threshold of 5 has its own test (test_median_needs_five_decisions)."""
    from directory import statistics as directory_statistics

    monkeypatch.setattr(directory_statistics, "MIN_DECISIONS_FOR_MEDIAN", 1)


@pytest.fixture
def data():
    return programme_data()


def test_files_per_call_and_round_count_outcomes_and_median_delay(data):
    rows = statistics.call_round_statistics()
    summary = [
        (r.call_title, r.round_name, r.submitted, r.accepted, r.rejected, r.ended, r.pending)
        for r in rows
    ]
    assert summary == [
        ("AMI PTCE 2026", "Relève de printemps", 4, 2, 1, 1, 0),
        ("AMI PTCE 2026", "Relève d’automne", 1, 0, 0, 0, 1),
        ("AAP PTCE 2025", "Hors relève", 2, 1, 1, 0, 0),
    ]
    spring = rows[0]
    assert spring.rate == Decimal("66.7")
    assert spring.median_days == Decimal("20.0")  # 10, 20, 40 days
    assert spring.awards == 2  # the cancelled award is not counted
    assert spring.amount == Decimal("50000")
    assert rows[1].rate is None
    assert rows[2].median_days == Decimal("45.0")  # 30 and 60 days
    assert rows[2].amount == Decimal("75000.50")


def test_call_totals_and_programme_overview(data):
    calls = statistics.call_statistics()
    assert [(c.call_title, c.submitted, c.rate, c.median_days) for c in calls] == [
        ("AMI PTCE 2026", 5, Decimal("66.7"), Decimal("20.0")),
        ("AAP PTCE 2025", 2, Decimal("50.0"), Decimal("45.0")),
    ]
    overview = statistics.overview(calls, statistics.awards_by_region())
    assert (overview.submitted, overview.accepted, overview.rejected) == (7, 3, 2)
    assert overview.rate == Decimal("60.0")
    assert overview.median_days == Decimal("30.0")  # 10, 20, 30, 40, 60
    assert overview.awards == 3
    assert overview.amount == Decimal("125000.50")


def test_awards_by_region_lists_every_region_with_zeros(data):
    regions = {r.code: r for r in statistics.awards_by_region()}
    assert (regions["84"].emergence, regions["84"].funding, regions["84"].amount) == (
        1,
        0,
        Decimal("0"),
    )
    assert (regions["53"].funding, regions["53"].amount) == (1, Decimal("50000"))
    assert regions["04"].amount == Decimal("75000.50")
    assert regions["11"].total == 0
    assert len(regions) == 18  # 13 metropolitan + 5 overseas régions


def test_support_consumption_counts_days_attended(data):
    (offer,) = statistics.support_consumption()
    assert (offer.title, offer.confirmed, offer.waiting, offer.attended) == (
        "Atelier gouvernance",
        2,
        1,
        1,
    )
    assert offer.days_attended == Decimal("1.5")


def test_statistics_need_a_constant_number_of_queries(data, django_assert_num_queries):
    # figures per round (3), medians per call and overall (2), régions (2), offers (1)
    with django_assert_num_queries(8):
        rows = statistics.call_round_statistics()
        calls = statistics.call_statistics(rows)
        statistics.overview(calls, statistics.awards_by_region())
        statistics.support_consumption()


def test_bar_chart_scales_to_the_largest_value_and_summarises():
    chart = bar_chart("g", "Titre", [("A", 10, "10"), ("B", 5, "5"), ("C", 0, "0")])
    assert [bar.width for bar in chart.bars] == [350.0, 175.0, 0.0]
    assert chart.summary == "Valeur la plus élevée : A (10)."
    assert bar_chart("g", "Vide", []).is_empty
    assert euros(Decimal("125000.50")) == "125\u00a0001\u00a0€"


def test_statistics_page_shows_charts_with_accessible_tables(client, data):
    response = client.get("/statistiques/")
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('role="img"') == 6  # with the labels of the whole history
    assert content.count("<caption>") == 8
    assert '<th scope="row">AMI PTCE 2026</th>' in content
    assert '<desc id="graphique-montants-desc">Total accordé : 125\u00a0001\u00a0€' in content
    assert "66,7 %" in content
    assert "20\u00a0jours" in content
    assert "Atelier gouvernance" in content
    assert "<script" not in content.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'href="/statistiques/"' in content  # navigation entry


def test_statistics_page_without_any_data(client):
    content = client.get("/statistiques/").content.decode()
    assert "Aucun dossier déposé pour l’instant." in content
    assert "Aucune donnée pour l’instant." in content


def test_statistics_page_query_count_does_not_grow(client, data, django_assert_max_num_queries):
    with django_assert_max_num_queries(18):  # 12, and 6 for the whole history
        client.get("/statistiques/")


@pytest.mark.parametrize("with_data", [True, False])
def test_chart_coordinates_are_not_localised(client, with_data, request):
    """SVG lengths need a decimal point: the French locale's « 0,0 » is an invalid width."""
    if with_data:
        request.getfixturevalue("data")
    content = client.get("/statistiques/").content.decode()
    lengths = re.findall(r'\b(?:x|y|width|height)="([^"]*)"', content)
    assert lengths
    for value in lengths:
        float(value)


@pytest.mark.parametrize(("threshold", "expected"), [(5, None), (3, Decimal("20.0"))])
def test_median_needs_five_decisions(monkeypatch, threshold, expected):
    """« délai médian » only from 5 decisions (issue 17): the first call has 3."""
    from directory import statistics as directory_statistics
    from directory.statistics import call_statistics

    programme_data()
    monkeypatch.setattr(directory_statistics, "MIN_DECISIONS_FOR_MEDIAN", threshold)
    first = next(c for c in call_statistics() if c.call_title == "AMI PTCE 2026")
    assert first.median_days == expected
    # The whole programme has exactly 5 decisions (10, 20, 30, 40, 60 days): shown.
    assert directory_statistics.overview(call_statistics(), []).median_days == Decimal("30.0")

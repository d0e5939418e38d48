"""Public statistics page of the programme (/statistiques/)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from directory import history_statistics, statistics
from directory.charts import bar_chart, euros, number


def _percent(value) -> str:
    return "—" if value is None else f"{number(value)} %"


def _days(value) -> str:
    return "—" if value is None else f"{number(value)} j"


@require_safe
def statistics_page(request):
    """Public (visitors included): figures of the programme, each chart with its data table."""
    rows = statistics.call_round_statistics()
    calls = statistics.call_statistics(rows)
    regions = statistics.awards_by_region()
    offers = statistics.support_consumption()
    summary = statistics.overview(calls, regions)
    history = history_statistics.history()
    files_chart = bar_chart(
        "graphique-dossiers",
        "Dossiers déposés par appel et relève",
        [
            (f"{row.call_title} – {row.round_name}", row.submitted, str(row.submitted))
            for row in rows
        ],
    )
    rate_chart = bar_chart(
        "graphique-taux",
        "Taux de sélection par appel (dossiers retenus parmi les dossiers décidés)",
        [
            (call.call_title, call.rate, _percent(call.rate))
            for call in calls
            if call.rate is not None
        ],
    )
    amount_chart = bar_chart(
        "graphique-montants",
        "Montants accordés par région (phase 2)",
        [(region.name, region.amount, euros(region.amount)) for region in regions],
        summary=(
            f"Total accordé : {euros(summary.amount)} pour {summary.awards} décision"
            f"{'s' if summary.awards != 1 else ''} de soutien."
        ),
    )
    delay_chart = bar_chart(
        "graphique-delais",
        "Délai médian entre le dépôt et la décision, par appel (jours)",
        [
            (call.call_title, call.median_days, _days(call.median_days))
            for call in calls
            if call.median_days is not None
        ],
    )
    support_chart = bar_chart(
        "graphique-accompagnement",
        "Jours d’accompagnement suivis par offre du bouquet de services",
        [(offer.title, offer.days_attended, _days(offer.days_attended)) for offer in offers],
    )
    history_chart = bar_chart(
        "graphique-historique",
        "Labels et soutiens par année d’appel, listes historiques comprises",
        [(row.label, row.labels, str(row.labels)) for row in history.by_year],
    )
    context = {
        "rows": rows,
        "calls": calls,
        "regions": regions,
        "offers": offers,
        "summary": summary,
        "summary_rate": _percent(summary.rate),
        "summary_delay": _days(summary.median_days),
        "summary_amount": euros(summary.amount),
        "files_chart": files_chart,
        "rate_chart": rate_chart,
        "amount_chart": amount_chart,
        "delay_chart": delay_chart,
        "support_chart": support_chart,
        "history": history,
        "history_chart": history_chart,
        "history_tables": [
            (
                "regions",
                "Labels, soutiens et PTCE par région",
                "Région",
                history.by_region,
            ),
            (
                "thematiques",
                "Labels, soutiens et PTCE par thématique",
                "Thématique",
                history.by_theme,
            ),
            (
                "statuts",
                "Labels, soutiens et PTCE par statut du pôle",
                "Statut",
                history.by_status,
            ),
        ],
        "breadcrumb": {"links": [], "current": "Statistiques"},
    }
    return render(request, "directory/statistics.html", context)

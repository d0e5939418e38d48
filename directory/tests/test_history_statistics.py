"""Statistics over the whole history (issue 17, item 4): labels of past calls imported by
``import_ptce`` count beside the platform's decisions on /statistiques/ and in open data."""

import json
import re

import pytest

from directory.history_statistics import history
from directory.tests.conftest import programme_data
from laureates.importer import import_rows, read_csv

pytestmark = pytest.mark.django_db

# Real-world shapes: no phase before 2021, localisations as lists write them, a pole labelled
# twice (2013 and 2015), one place that is no administrative unit (no région).
HISTORICAL_LIST = (
    "nom;région;département;localisation;appel;année;phase;thème;statut\n"
    "Pôle Alpha historique;Auvergne-Rhône-Alpes;Drôme;"
    "Romans-sur-Isère (agglomération de Romans);AAP;2013;;déchets, IAE;actif\n"
    """Pôle Bravo historique;Bretagne;;;AAP;2013;;alimentation;inactif
Pôle Bravo historique;Bretagne;;;AAP;2015;;alimentation;
Pôle Charlie historique;Occitanie;;Toulouse (Toulouse Métropole);AMI;2021;1;mobilité;
Pôle Delta historique;;;Dijon (quartier des Grésilles);AMI;2021;2;culture;financé
Pôle Echo historique;;;Pays d'Auge;AMI;2021;1;mutualisation;émergent
"""
)


@pytest.fixture
def whole_history():
    """The platform's decisions (two calls, 2025 and 2026: three awards in force, one
    cancelled; seven poles in the directory, enrolments included) and a historical list of
    five poles, six labels (2013, 2015, 2021)."""
    data = programme_data()
    report = import_rows(read_csv(HISTORICAL_LIST.encode("utf-8")))
    assert [row.action for row in report.rows] == ["created"] * 2 + ["updated"] + ["created"] * 3
    return data


def _json(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(body)


def _cells(content: str, row_header: str, caption: str) -> list[str]:
    """The cells of the row headed ``row_header`` in the table captioned ``caption``."""
    table = content.split(f"<caption>{caption}</caption>", 1)[1].split("</table>", 1)[0]
    row = table.split(f'<th scope="row">{row_header}</th>', 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td>([^<]*)</td>", row)


def test_statistics_page_counts_imported_labels_by_year(client, whole_history):
    content = client.get("/statistiques/").content.decode()
    caption = "Labels et soutiens par année d’appel"
    # phase 1, phase 2, without phase, total, of which historical lists, PTCE labelled
    assert _cells(content, "2013", caption) == ["0", "0", "2", "2", "2", "2"]
    assert _cells(content, "2015", caption) == ["0", "0", "1", "1", "1", "1"]
    assert _cells(content, "2021", caption) == ["2", "1", "0", "3", "3", "3"]
    assert _cells(content, "2025", caption) == ["0", "1", "0", "1", "0", "1"]
    assert _cells(content, "2026", caption) == ["1", "1", "0", "2", "0", "2"]
    # The cancelled award of the 2026 call is not counted; a pole labelled twice is one PTCE.
    assert _cells(content, "Total", caption) == ["3", "3", "3", "9", "6", "8"]
    assert (
        "depuis le premier appel (2013), listes historiques comprises : <strong>9</strong> "
        "labels et soutiens pour <strong>8</strong> PTCE ; <strong>12</strong> PTCE dans "
        "l’annuaire." in content
    )
    assert '<title id="graphique-historique-titre">' in content


def test_statistics_page_counts_by_region_theme_and_status(client, whole_history):
    content = client.get("/statistiques/").content.decode()
    # labels and awards, of which historical, PTCE labelled, PTCE of the directory
    by_region = "Labels, soutiens et PTCE par région"
    assert _cells(content, "Bretagne", by_region) == ["3", "2", "2", "1"]
    assert _cells(content, "Auvergne-Rhône-Alpes", by_region) == ["2", "1", "2", "1"]
    assert _cells(content, "Occitanie", by_region) == ["1", "1", "1", "1"]
    assert _cells(content, "Bourgogne-Franche-Comté", by_region) == ["1", "1", "1", "1"]
    assert _cells(content, "La Réunion", by_region) == ["1", "0", "1", "0"]
    assert _cells(content, "Île-de-France", by_region) == ["0", "0", "0", "0"]
    # « Pays d'Auge » is no administrative unit: imported, counted, région unknown.
    # The directory also holds the platform's poles (no territory) and those of the enrolments.
    assert _cells(content, "Région non renseignée", by_region) == ["1", "1", "1", "8"]
    by_theme = "Labels, soutiens et PTCE par thématique"
    assert _cells(content, "Alimentation et agriculture", by_theme) == ["5", "2", "4", "8"]
    assert _cells(content, "Économie circulaire et réemploi", by_theme) == ["1", "1", "1", "1"]
    assert _cells(content, "Emploi, insertion et formation", by_theme) == ["1", "1", "1", "1"]
    assert _cells(content, "Sans thématique", by_theme) == ["1", "1", "1", "1"]
    by_status = "Labels, soutiens et PTCE par statut du pôle"
    assert _cells(content, "Actif", by_status) == ["5", "2", "5", "9"]
    assert _cells(content, "Inactif", by_status) == ["2", "2", "1", "1"]
    assert _cells(content, "Financé", by_status) == ["1", "1", "1", "1"]
    assert _cells(content, "Émergent", by_status) == ["1", "1", "1", "1"]


def test_label_statistics_open_data_file(client, whole_history):
    records = _json(client.get("/donnees-ouvertes/statistiques-labels.json"))
    rows = {(r["regroupement_code"], r["code"]): r for r in records}
    assert [r["code"] for r in records if r["regroupement_code"] == "annee"] == [
        "2013",
        "2015",
        "2021",
        "2025",
        "2026",
    ]
    assert rows[("annee", "2013")] == {
        "regroupement": "Année",
        "regroupement_code": "annee",
        "code": "2013",
        "libelle": "2013",
        "labels_phase_1": 0,
        "soutiens_phase_2": 0,
        "labels_sans_phase": 2,
        "labels_total": 2,
        "dont_listes_historiques": 2,
        "ptce_labellises": 2,
        "ptce_annuaire": None,
    }
    region = rows[("region", "53")]
    assert (region["libelle"], region["labels_total"], region["ptce_annuaire"]) == (
        "Bretagne",
        3,
        1,
    )
    assert rows[("region", "non-renseigne")]["labels_total"] == 1
    food = rows[("thematique", "food")]
    assert (food["libelle"], food["labels_total"], food["ptce_labellises"]) == (
        "Alimentation et agriculture",
        5,
        4,
    )
    assert rows[("thematique", "non-renseigne")]["libelle"] == "Sans thématique"
    assert {
        code: (row["ptce_annuaire"], row["labels_total"])
        for (kind, code), row in rows.items()
        if kind == "statut"
    } == {"emerging": (1, 1), "funded": (1, 1), "active": (9, 5), "inactive": (1, 2)}
    text = b"".join(client.get("/donnees-ouvertes/statistiques-labels.csv").streaming_content)
    assert text.decode("utf-8-sig").splitlines()[1].startswith("Année;annee;2013;2013;0;0;2;2;2;2;")


def test_a_platform_award_counts_once_beside_its_directory_label(client):
    """``create_award`` writes an Award and a PtceLabel of the call: one decision, not two."""
    from laureates.factories import funded_award
    from laureates.models import PtceLabel

    award = funded_award()
    assert PtceLabel.objects.filter(ptce=award.ptce).count() == 1
    result = history()
    assert (result.total.labels, result.total.funding, result.total.imported) == (1, 1, 0)
    assert [(row.code, row.labels) for row in result.by_year] == [(str(award.call.year), 1)]


def test_history_needs_six_queries(whole_history, django_assert_num_queries):
    with django_assert_num_queries(6):
        result = history()
        list(result.rows())


def test_page_without_history_and_median_below_five_decisions(client):
    content = client.get("/statistiques/").content.decode()
    assert "Aucun label pour l’instant." in content
    programme_data()  # 5 decisions on the platform, but at most 3 per call
    content = client.get("/statistiques/").content.decode()
    # Overall: 10, 20, 30, 40, 60 days; per call: 3 and 2 decisions, no median.
    assert "délai médian entre le dépôt et la décision : <strong>30 j</strong>" in content
    per_call = "Taux de sélection et délai médian de décision par appel"
    assert _cells(content, "AMI PTCE 2026", per_call)[-1] == "—"
    assert _cells(content, "AAP PTCE 2025", per_call)[-1] == "—"

import csv

import pytest

from registry.legal_categories import DATA_FILE, Family, category, family_of, is_ess, nomenclature


def test_nomenclature_file_has_the_three_levels():
    with DATA_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    levels = {level: [r for r in rows if r["niveau"] == level] for level in ("1", "2", "3")}
    assert [r["code"] for r in levels["1"]] == [str(n) for n in range(10)]
    level_two = {r["code"] for r in levels["2"]}
    assert {"10", "21", "54", "55", "56", "57", "63", "64", "71", "72", "73", "82", "92", "93"} <= (
        level_two
    )
    assert len(levels["3"]) > 250
    # every level-III code has its level-II parent
    assert all(r["code"][:2] in level_two for r in levels["3"])
    assert all(r["libelle"] and r["famille"] for r in rows)


@pytest.mark.parametrize(
    "code, label, family",
    [
        ("9220", "Association déclarée", Family.ASSOCIATION),
        ("9230", "Association déclarée, reconnue d'utilité publique", Family.ASSOCIATION),
        ("9260", "Association de droit local (Bas-Rhin, Haut-Rhin et Moselle)", Family.ASSOCIATION),
        ("5458", "SARL coopérative ouvrière de production (SCOP)", Family.COOPERATIVE),
        ("5558", "SA coopérative ouvrière de production (SCOP) à conseil d'administration",
         Family.COOPERATIVE),
        ("6317", "Société coopérative agricole", Family.COOPERATIVE),
        ("6316", "Coopérative d'utilisation de matériel agricole en commun (CUMA)",
         Family.COOPERATIVE),
        ("8210", "Mutuelle", Family.MUTUAL),
        ("6411", "Société d'assurance à forme mutuelle", Family.MUTUAL),
        ("9300", "Fondation", Family.FOUNDATION),
        ("5710", "SAS, société par actions simplifiée", Family.COMMERCIAL_COMPANY),
        ("5499", "Société à responsabilité limitée (sans autre indication)",
         Family.COMMERCIAL_COMPANY),
        ("7210", "Commune et commune nouvelle", Family.LOCAL_AUTHORITY),
        ("7346", "Communauté de communes", Family.LOCAL_AUTHORITY),
        ("7230", "Région", Family.LOCAL_AUTHORITY),
        ("7389", "Établissement public national à caractère administratif", Family.PUBLIC_BODY),
        ("4140", "Établissement public local à caractère industriel ou commercial",
         Family.PUBLIC_BODY),
        ("1000", "Entrepreneur individuel", Family.INDIVIDUAL_ENTREPRENEUR),
        ("6540", "Société civile immobilière", Family.OTHER_PRIVATE),
    ],
)  # fmt: skip
def test_known_codes(code, label, family):
    found = category(code)
    assert (found.label, found.family, found.level) == (label, family, 3)


def test_unknown_level_three_code_falls_back_to_its_parent():
    found = category("9299")
    assert (found.label, found.family) == ("Association loi 1901 ou assimilé", Family.ASSOCIATION)
    assert category("").family == Family.UNKNOWN
    assert category("").label == "Catégorie juridique non renseignée"


def test_article_one_ess():
    assert is_ess("9220", None) is True  # association: ESS by status
    assert is_ess("5710", True) is True  # commercial company with the ESS flag
    assert is_ess("5710", False) is False
    assert is_ess("7210", None) is False
    assert family_of("5458").label == "Coopérative"


def test_every_family_has_a_french_label():
    assert len(nomenclature()) == 310
    assert all(family.label for family in Family)

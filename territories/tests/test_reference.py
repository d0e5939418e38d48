"""import_density and import_qpv on small files in the official layouts (issue 17, item 3)."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from core.models import AuditLog
from territories.models import Commune, Qpv, ReferenceFile

pytestmark = pytest.mark.django_db

LABELS_7 = {
    1: "Grands centres urbains",
    2: "Centres urbains intermédiaires",
    3: "Ceintures urbaines",
    4: "Petites villes",
    5: "Bourgs ruraux",
    6: "Rural à habitat dispersé",
    7: "Rural à habitat très dispersé",
}


def _run(command, *args):
    out = io.StringIO()
    call_command(command, *[str(a) for a in args], stdout=out)
    return out.getvalue()


def _xlsx_2025(path, rows):
    """The 2025 layout: a title block, the header on row 5, DENS (3 levels) and DENS7."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Maille communale"
    sheet.append(["Grille communale de densité 2025"])
    sheet.append(["Géographie au 01/01/2025"])
    sheet.append(["Source : Insee"])
    sheet.append([])
    sheet.append(
        ["CODGEO", "LIBGEO", "DENS", "LIBDENS", "PMUN22", "P1", "P2", "P3"]
        + ["DENS_AAV", "LIBDENS_AAV", "DENS7", "LIBDENS7"]
    )
    for code, name, dens7 in rows:
        dens3 = 1 if dens7 == 1 else (2 if dens7 <= 4 else 3)
        sheet.append([code, name, dens3, "", 1000, 0, 0, 1, 4, "", dens7, LABELS_7.get(dens7, "")])
    book.create_sheet("Documentation")
    book.save(path)
    return path


def _csv(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def _rural_codes():
    return set(Commune.objects.filter(is_rural=True).values_list("code", flat=True))


# ---------------------------------------------------------------- density grid


def test_official_2025_workbook_classes_rural_communes_by_dens7(tmp_path):
    path = _xlsx_2025(
        tmp_path / "fichier_diffusion_2025.xlsx",
        [
            ("80021", "Amiens", 1),
            ("69238", "Saint-Symphorien-sur-Coise", 5),
            ("69062", "Coise", 6),
            ("69110", "Larajasse", 7),
            ("80016", "Albert", 4),
            (1001, "L'Abergement-Clémenciat", 6),  # a number cell: leading zero lost
        ],
    )
    out = _run("import_density", path)
    assert "feuille « Maille communale »" in out
    assert "grille à 7 niveaux : 6 commune(s) classée(s), dont 4 rurale(s)" in out
    assert _rural_codes() == {"69238", "69062", "69110", "01001"}
    amiens = Commune.objects.current().get(code="80021")
    assert (amiens.density_degree, amiens.is_rural) == (1, False)
    assert Commune.objects.current().get(code="01002").is_rural is None  # not in the file
    loaded = ReferenceFile.objects.get(kind="density")
    assert (loaded.file_name, loaded.levels) == ("fichier_diffusion_2025.xlsx", 7)
    assert AuditLog.objects.filter(action="territories.density_imported").count() == 1


def test_csv_export_semicolon_windows_1252_with_7_level_dens(tmp_path):
    text = (
        "CODGEO;LIBGEO;DENS;LIBDENS\r\n"
        "69014;Aveize;6;Rural à habitat dispersé\r\n"
        "80001;Abbeville;2;Centres urbains intermédiaires\r\n"
    )
    path = _csv(tmp_path / "grille.csv", text, "cp1252")
    _run("import_density", path)
    assert _rural_codes() == {"69014"}


def test_csv_with_bom_comma_and_the_former_4_level_grid(tmp_path):
    text = (
        "\ufeffCODGEO,LIBGEO,DENS,LIBDENS\n"
        "69014,Aveize,4,Commune très peu dense\n"
        "69078,Duerne,3,Commune peu dense\n"
        "80001,Abbeville,2,Commune de densité intermédiaire\n"
        "80021,Amiens,1,Commune densément peuplée\n"
    )
    out = _run("import_density", _csv(tmp_path / "grille_2020.csv", text))
    assert "grille à 4 niveaux" in out
    assert _rural_codes() == {"69014", "69078"}


def test_3_level_labels_of_the_2025_dens_column(tmp_path):
    text = "CODGEO;DENS;LIBDENS\n69014;3;Rural\n80001;2;Urbain densité intermédiaire\n"
    out = _run("import_density", _csv(tmp_path / "g.csv", text))
    assert "grille à 3 niveaux" in out
    assert _rural_codes() == {"69014"}


def test_without_labels_a_dens_column_up_to_4_needs_the_grid_to_be_said(tmp_path):
    path = _csv(tmp_path / "g.csv", "CODGEO;DENS\n69014;3\n80021;1\n")
    with pytest.raises(CommandError, match="précisez --niveaux"):
        _run("import_density", path)
    assert not ReferenceFile.objects.exists()
    _run("import_density", path, "--niveaux", "3")
    assert _rural_codes() == {"69014"}


def test_reimport_gives_the_same_state_and_a_new_file_replaces_the_old(tmp_path):
    first = _xlsx_2025(tmp_path / "a.xlsx", [("69014", "Aveize", 6), ("80021", "Amiens", 1)])
    _run("import_density", first)
    state = list(Commune.objects.exclude(density_degree=None).values_list("code", "is_rural"))
    _run("import_density", first)
    assert (
        list(Commune.objects.exclude(density_degree=None).values_list("code", "is_rural")) == state
    )
    second = _xlsx_2025(tmp_path / "b.xlsx", [("69078", "Duerne", 7)])
    _run("import_density", second)
    assert _rural_codes() == {"69078"}
    assert Commune.objects.exclude(density_degree=None).count() == 1


def test_unknown_codes_are_reported_and_kept_out(tmp_path):
    path = _csv(tmp_path / "g.csv", "CODGEO;DENS7\n69014;6\n99999;6\n75101;1\n")
    out = _run("import_density", path)
    assert "2 code(s) commune inconnu(s) du référentiel, écarté(s) : 75101, 99999" in out
    assert _rural_codes() == {"69014"}


def test_a_10000_character_cell_is_reported_shortened(tmp_path):
    path = _csv(tmp_path / "g.csv", "CODGEO;DENS7\n69014;6\n" + "7" * 10000 + ";6\n")
    out = _run("import_density", path)
    assert "1 code(s) commune inconnu(s) du référentiel, écarté(s) : 777777777777\n" in out
    assert len(out) < 1000


def test_duplicates_identical_ignored_contradictory_kept_out(tmp_path):
    text = "CODGEO;DENS7\n69014;6\n69014;6\n69078;6\n69078;2\n80021;1\n"
    out = _run("import_density", _csv(tmp_path / "g.csv", text))
    assert "1 doublon(s) identique(s) ignoré(s)" in out
    assert "doublon contradictoire écarté : 69078 (degrés 6 et 2, ligne 5)" in out
    assert _rural_codes() == {"69014"}
    assert Commune.objects.current().get(code="69078").density_degree is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"CODGEO;LIBGEO\n69014;Aveize\n", "Colonne(s) manquante(s) : degré de densité"),
        (b"LIBGEO;DENS\nAveize;6\n", "Aucune ligne d\u2019en-tête reconnue"),
        ("CODGEO;DENS7\n69014;6\n".encode("utf-16"), "Encodage non pris en charge"),
        (b"CODGEO;DENS7\n69014;6\n\x81\x8d;6\n", "Encodage non reconnu"),
        (b"%PDF-1.7\n\x00\x01binary", "Encodage non pris en charge"),
        (b"PK\x03\x04truncated zip", "pas un classeur xlsx lisible"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "Excel 97-2003"),
        (b"", "Le fichier est vide"),
        (b"CODGEO;DENS7\n", "aucune ligne de données"),
        (b"CODGEO;DENS7\n99999;6\n", "Aucun code commune du fichier"),
        (b"CODGEO;DENS\n69014;9\n", "Aucune ligne utilisable : ligne 2 : degré de densité « 9 »"),
    ],
)
def test_a_bad_file_is_refused_with_a_french_message_and_nothing_changes(
    tmp_path, content, message
):
    good = _csv(tmp_path / "good.csv", "CODGEO;DENS7\n69014;6\n")
    _run("import_density", good)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    with pytest.raises(CommandError) as raised:
        _run("import_density", bad)
    assert str(raised.value).startswith("Import annulé, base inchangée.")
    assert message in str(raised.value)
    assert _rural_codes() == {"69014"}
    assert ReferenceFile.objects.get(kind="density").file_name == "good.csv"


# ---------------------------------------------------------------- QPV list


QPV_CSV = (
    "code_qp;lib_qp;insee_reg;lib_reg;insee_dep;lib_dep;insee_com;lib_com\n"
    "QN08001M;Amiens Nord;32;Hauts-de-France;80;Somme;80021;Amiens\n"
    "QN08002M;Étouvie;32;Hauts-de-France;80;Somme;80021;Amiens\n"
    "QN05901M;Quartier intercommunal;32;Hauts-de-France;59;Nord;59183, 59271;Dunkerque, "
    "Grande-Synthe\n"
)


def test_official_csv_one_row_per_qpv_with_several_communes(tmp_path):
    out = _run("import_qpv", _csv(tmp_path / "qpv.csv", QPV_CSV))
    assert "3 QPV chargé(s), 3 commune(s) avec au moins un QPV" in out
    spanning = Qpv.objects.get(code="QN05901M")
    assert sorted(spanning.communes.values_list("code", flat=True)) == ["59183", "59271"]
    assert Qpv.objects.get(code="QN08002M").name == "Étouvie"
    assert ReferenceFile.objects.get(kind="qpv").file_name == "qpv.csv"


def test_one_row_per_commune_uppercase_columns_windows_1252_bom_and_districts(tmp_path):
    text = (
        "CODE_QP,LIB_QP,CODE_COMMUNE\n"
        "QN07501M,Porte de la Chapelle,75118\n"  # a Paris arrondissement → Paris
        "QN05901M,Quartier intercommunal,59183\n"
        "QN05901M,Quartier intercommunal,59271\n"
    )
    path = tmp_path / "qpv.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    out = _run("import_qpv", path)
    assert "1 code(s) d’arrondissement ou de commune déléguée rattaché(s)" in out
    assert list(Qpv.objects.get(code="QN07501M").communes.values_list("code", flat=True)) == [
        "75056"
    ]
    assert Qpv.objects.get(code="QN05901M").communes.count() == 2


def test_qpv_xlsx_duplicates_unknown_codes_and_reimport(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Liste des quartiers prioritaires 2024"])
    sheet.append(["code_qp", "lib_qp", "insee_com"])
    sheet.append(["QN08001M", "Amiens Nord", "80021"])
    sheet.append(["QN08001M", "Amiens Nord", "80021"])
    sheet.append(["QN08003M", "Quartier fantôme", "99999"])
    sheet.append(["QN08004M", "Pierre Rollin", "80021;99998"])
    path = tmp_path / "qpv.xlsx"
    book.save(path)
    out = _run("import_qpv", path)
    assert "1 doublon(s) identique(s) ignoré(s)" in out
    assert "1 QPV écarté(s) faute de commune connue : QN08003M" in out
    assert "2 code(s) commune inconnu(s) du référentiel, écarté(s) : 99998, 99999" in out
    assert sorted(Qpv.objects.values_list("code", flat=True)) == ["QN08001M", "QN08004M"]
    state = sorted(Qpv.objects.values_list("code", "name", "communes__code"))
    _run("import_qpv", path)
    assert sorted(Qpv.objects.values_list("code", "name", "communes__code")) == state
    _run("import_qpv", _csv(tmp_path / "other.csv", QPV_CSV))
    assert sorted(Qpv.objects.values_list("code", flat=True)) == [
        "QN05901M",
        "QN08001M",
        "QN08002M",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"code_qp;lib_qp\nQN1;Nord\n", "Colonne(s) manquante(s) : code(s) commune"),
        (b"lib_qp;insee_com\nNord;80021\n", "Aucune ligne d\u2019en-tête reconnue"),
        ("code_qp;insee_com\nQN1;80021\n".encode("utf-16"), "Encodage non pris en charge"),
        (b"code_qp;insee_com\nQN1;99999\n", "Aucun QPV du fichier"),
    ],
)
def test_a_bad_qpv_file_changes_nothing(tmp_path, content, message):
    _run("import_qpv", _csv(tmp_path / "good.csv", QPV_CSV))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    with pytest.raises(CommandError) as raised:
        _run("import_qpv", bad)
    assert message in str(raised.value)
    assert Qpv.objects.count() == 3
    assert ReferenceFile.objects.get(kind="qpv").file_name == "good.csv"

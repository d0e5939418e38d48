import csv
import io
import zipfile
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditLog
from registry.generator import (
    ESTABLISHMENT_HEADER,
    UNIT_HEADER,
    generate,
    generate_rows,
    luhn_check_digit,
)
from registry.importer import ImportAborted, SireneImport
from registry.models import Establishment, ImportRun, LegalUnit
from registry.validators import is_valid_siren, is_valid_siret

pytestmark = pytest.mark.django_db


def unit_rows(count, seed=7, ess_share=0.5):
    return [unit for unit, _ in generate_rows(count, seed, ess_share, 0)]


def write_csv(path, header, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run_import(**options):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_sirene", stdout=out, stderr=err, **options)
    return out.getvalue() + err.getvalue()


def col(name):
    return UNIT_HEADER.index(name)


# --- generator ----------------------------------------------------------------------------


def test_generator_writes_official_columns_with_valid_checksums_reproducibly(tmp_path):
    first = generate(tmp_path / "a", 200, seed=3, ess_share=0.25)
    second = generate(tmp_path / "b", 200, seed=3, ess_share=0.25)
    assert first.units.read_bytes() == second.units.read_bytes()
    assert first.establishments.read_bytes() == second.establishments.read_bytes()
    with open(first.units, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 200
    assert list(rows[0]) == UNIT_HEADER
    assert all(is_valid_siren(row["siren"]) for row in rows)
    assert len({row["siren"] for row in rows}) == 200
    ess = sum(row["economieSocialeSolidaireUniteLegale"] == "O" for row in rows)
    assert 30 <= ess <= 70
    with open(first.establishments, encoding="utf-8") as handle:
        establishments = list(csv.DictReader(handle))
    assert list(establishments[0]) == ESTABLISHMENT_HEADER
    assert all(is_valid_siret(row["siret"]) for row in establishments)
    assert {row["etablissementSiege"] for row in establishments} == {"true", "false"}


def test_luhn_check_digit():
    assert luhn_check_digit("73282932") == "0"  # SIREN 732829320
    assert is_valid_siret("7328293200001" + luhn_check_digit("7328293200001"))


# --- a good import --------------------------------------------------------------------------


def test_import_loads_both_files_and_maps_columns(tmp_path):
    files = generate(tmp_path, 300, seed=11, ess_share=0.3)
    output = run_import(unites_legales=files.units, etablissements=files.establishments)
    assert LegalUnit.objects.count() == 300
    assert Establishment.objects.count() == files.establishment_rows
    assert "StockUniteLegale : 300 lignes importées, 0 ignorées" in output
    assert "lignes/s" in output
    with open(files.units, encoding="utf-8") as handle:
        source = next(csv.DictReader(handle))
    unit = LegalUnit.objects.get(siren=source["siren"])
    assert unit.name == (
        source["denominationUniteLegale"]
        or f"{source['prenom1UniteLegale']} {source['nomUniteLegale']}"
    )
    assert unit.legal_category == source["categorieJuridiqueUniteLegale"]
    assert unit.naf == source["activitePrincipaleUniteLegale"]
    assert (
        unit.is_ess
        == {"O": True, "N": False, "": None}[source["economieSocialeSolidaireUniteLegale"]]
    )
    assert unit.state == source["etatAdministratifUniteLegale"]
    assert unit.creation_date == date.fromisoformat(source["dateCreationUniteLegale"])
    with open(files.establishments, encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    establishment = Establishment.objects.get(siret=row["siret"])
    assert establishment.siren == row["siren"]
    assert establishment.is_head_office is (row["etablissementSiege"] == "true")
    assert establishment.commune_code == row["codeCommuneEtablissement"]
    assert establishment.postal_code == row["codePostalEtablissement"]
    assert establishment.city == row["libelleCommuneEtablissement"]
    assert row["libelleVoieEtablissement"] in establishment.address
    run = ImportRun.objects.get()
    assert (run.status, run.legal_units, run.skipped) == ("done", 300, 0)
    assert AuditLog.objects.filter(action="registry.import").count() == 1


def test_import_replaces_previous_data(tmp_path):
    run_import(unites_legales=generate(tmp_path / "a", 50, seed=1, establishments_per_unit=0).units)
    second = generate(tmp_path / "b", 20, seed=2, establishments_per_unit=0)
    run_import(unites_legales=second.units)
    with open(second.units, encoding="utf-8") as handle:
        expected = {row["siren"] for row in csv.DictReader(handle)}
    assert set(LegalUnit.objects.values_list("siren", flat=True)) == expected


def test_parquet_import_reads_typed_columns(tmp_path):
    files = generate(tmp_path, 120, fmt="parquet", seed=5)
    run_import(unites_legales=files.units, etablissements=files.establishments)
    assert LegalUnit.objects.count() == 120
    assert Establishment.objects.count() == files.establishment_rows
    csv_files = generate(tmp_path / "csv", 120, fmt="csv", seed=5)
    with open(csv_files.establishments, encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    establishment = Establishment.objects.get(siret=row["siret"])
    assert establishment.is_head_office is (row["etablissementSiege"] == "true")
    assert establishment.creation_date == date.fromisoformat(row["dateCreationEtablissement"])


def test_zipped_csv_as_published_by_insee(tmp_path):
    files = generate(tmp_path, 40, establishments_per_unit=0)
    archive = tmp_path / "StockUniteLegale_utf8.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.write(files.units, "StockUniteLegale_utf8.csv")
    run_import(unites_legales=archive)
    assert LegalUnit.objects.count() == 40


def test_limit_and_only_ess(tmp_path):
    files = generate(tmp_path, 200, seed=9, ess_share=0.2)
    run_import(unites_legales=files.units, etablissements=files.establishments, limit=100)
    assert LegalUnit.objects.count() == 100
    run_import(unites_legales=files.units, etablissements=files.establishments, only_ess=True)
    assert LegalUnit.objects.exclude(is_ess=True).count() == 0
    ess_sirens = set(LegalUnit.objects.values_list("siren", flat=True))
    with open(files.units, encoding="utf-8") as handle:
        expected = {
            row["siren"]
            for row in csv.DictReader(handle)
            if row["economieSocialeSolidaireUniteLegale"] == "O"
        }
    assert ess_sirens == expected
    assert set(Establishment.objects.values_list("siren", flat=True)) <= ess_sirens
    assert Establishment.objects.exists()


# --- bad input ------------------------------------------------------------------------------


def test_malformed_row_aborts_with_line_number_and_keeps_previous_data(tmp_path):
    good = generate(tmp_path / "good", 10, establishments_per_unit=0)
    run_import(unites_legales=good.units)
    rows = unit_rows(6)
    rows[2][col("siren")] = "12345A789"  # line 4 (header is line 1)
    rows[4][col("dateCreationUniteLegale")] = "02/03/2015"  # line 6
    bad = write_csv(tmp_path / "bad.csv", UNIT_HEADER, rows)
    with pytest.raises(CommandError) as error:
        run_import(unites_legales=bad)
    assert "ligne 4 : SIREN « 12345A789 » invalide (9 chiffres attendus)" in str(error.value)
    assert "les données précédentes restent en service" in str(error.value)
    assert LegalUnit.objects.count() == 10  # the previous import is untouched
    assert ImportRun.objects.filter(status="failed").count() == 1


def test_malformed_rows_skipped_with_on_error_skip(tmp_path):
    rows = unit_rows(6)
    rows[2][col("siren")] = "12345A789"
    rows[4][col("dateCreationUniteLegale")] = "02/03/2015"
    rows[5] = rows[5] + ["une colonne de trop"]
    bad = write_csv(tmp_path / "bad.csv", UNIT_HEADER, rows)
    output = run_import(unites_legales=bad, on_error="skip")
    assert LegalUnit.objects.count() == 3
    assert "StockUniteLegale : 3 lignes importées, 3 ignorées" in output
    assert "StockUniteLegale, ligne 4 : SIREN « 12345A789 » invalide" in output
    assert (
        "StockUniteLegale, ligne 6 : dateCreationUniteLegale « 02/03/2015 » n’est pas une "
        "date AAAA-MM-JJ" in output
    )
    assert "StockUniteLegale, ligne 7 : ligne mal formée (35 colonnes au lieu de 34)" in output


def test_wrong_header_always_aborts(tmp_path):
    header = ["siren", "nom", "ville"]
    bad = write_csv(tmp_path / "bad.csv", header, [["732829320", "X", "Y"]])
    with pytest.raises(ImportAborted) as error:
        SireneImport(units_path=bad, on_error="skip").run()
    message = str(error.value)
    assert message.startswith("bad.csv, ligne 1 : en-tête inattendu, colonnes obligatoires")
    assert "etatAdministratifUniteLegale" in message
    # an establishments file given as the legal-units file is refused too
    files = generate(tmp_path / "g", 5)
    with pytest.raises(ImportAborted, match="en-tête inattendu"):
        SireneImport(units_path=files.establishments).run()


def test_truncated_file_always_aborts(tmp_path):
    files = generate(tmp_path, 30, establishments_per_unit=0)
    content = files.units.read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(content[: len(content) - 60])  # the last line loses its end
    with pytest.raises(ImportAborted, match=r"cut.csv, ligne 31 : fichier tronqué"):
        SireneImport(units_path=cut, on_error="skip").run()
    assert LegalUnit.objects.count() == 0


def test_truncated_zip_aborts(tmp_path):
    files = generate(tmp_path, 3000, establishments_per_unit=0)
    archive = tmp_path / "full.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.write(files.units, "StockUniteLegale_utf8.csv")
    data = archive.read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportAborted):
        SireneImport(units_path=cut).run()


def test_truncated_parquet_aborts(tmp_path):
    files = generate(tmp_path, 100, fmt="parquet", establishments_per_unit=0)
    data = files.units.read_bytes()
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(data[: len(data) - 100])
    with pytest.raises(ImportAborted, match="fichier Parquet illisible ou tronqué"):
        SireneImport(units_path=cut).run()


def test_windows_1252_file_is_detected_and_read(tmp_path):
    rows = unit_rows(3)
    rows[0][col("denominationUniteLegale")] = "SOCIÉTÉ COOPÉRATIVE DE L’ESTUAIRE"
    path = write_csv(tmp_path / "cp1252.csv", UNIT_HEADER, rows, encoding="cp1252")
    output = run_import(unites_legales=path)
    assert "encodage détecté : Windows-1252" in output
    assert LegalUnit.objects.get(siren=rows[0][0]).name == "SOCIÉTÉ COOPÉRATIVE DE L’ESTUAIRE"


def test_unknown_encoding_aborts_with_line_number(tmp_path, monkeypatch):
    from registry import sources

    rows = unit_rows(40)
    path = write_csv(tmp_path / "mixed.csv", UNIT_HEADER, rows)
    # a stray Latin-1 byte on line 35, after the sample used to detect the encoding
    content = path.read_bytes().split(b"\n")
    content[34] = content[34].replace(b",", b",\xe9", 1)  # statutDiffusionUniteLegale
    path.write_bytes(b"\n".join(content))
    monkeypatch.setattr(sources, "CSV_SAMPLE_BYTES", 200)
    with pytest.raises(ImportAborted) as error:
        SireneImport(units_path=path).run()
    assert str(error.value).startswith("mixed.csv, ligne 35 : caractères illisibles en utf-8")
    assert "--encoding" in str(error.value)
    # the documented way out
    SireneImport(units_path=path, encoding="latin-1").run()
    assert LegalUnit.objects.count() == 40


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes(",".join(UNIT_HEADER).encode("utf-16-le"))
    with pytest.raises(ImportAborted, match="encodage non reconnu"):
        SireneImport(units_path=path).run()


def test_duplicate_sirens_abort_with_both_lines(tmp_path):
    rows = unit_rows(5)
    rows.append(list(rows[1]))  # line 7 repeats line 3
    path = write_csv(tmp_path / "dup.csv", UNIT_HEADER, rows)
    with pytest.raises(ImportAborted) as error:
        SireneImport(units_path=path).run()
    assert str(error.value) == "StockUniteLegale : 1 ligne(s) en double, import annulé."
    assert error.value.problems == [
        f"StockUniteLegale, ligne 7 : SIREN {rows[1][0]} en double (déjà ligne 3)"
    ]
    assert LegalUnit.objects.count() == 0


def test_duplicate_sirens_skipped_keep_the_first(tmp_path):
    rows = unit_rows(5)
    duplicate = list(rows[1])
    duplicate[col("denominationUniteLegale")] = "SECONDE LIGNE"
    rows.append(duplicate)
    path = write_csv(tmp_path / "dup.csv", UNIT_HEADER, rows)
    report = SireneImport(units_path=path, on_error="skip").run()
    assert LegalUnit.objects.count() == 5
    assert LegalUnit.objects.get(siren=rows[1][0]).name == rows[1][col("denominationUniteLegale")]
    assert report.files[0].skipped == 1
    assert report.files[0].problems == [
        f"StockUniteLegale, ligne 7 : SIREN {rows[1][0]} en double (déjà ligne 3), ignorée"
    ]


def test_duplicate_sirets_in_establishments(tmp_path):
    files = generate(tmp_path, 5)
    lines = files.establishments.read_text(encoding="utf-8").splitlines()
    lines.append(lines[1])
    files.establishments.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportAborted, match="1 ligne\\(s\\) en double"):
        SireneImport(establishments_path=files.establishments).run()


def test_establishment_with_inconsistent_siret_is_reported(tmp_path):
    files = generate(tmp_path, 3)
    lines = files.establishments.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(",")
    fields[1] = "99999"  # nic no longer matches the SIRET
    lines[1] = ",".join(fields)
    files.establishments.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportAborted, match="StockEtablissement, ligne 2 : SIRET"):
        SireneImport(establishments_path=files.establishments).run()


def test_failure_in_second_file_keeps_first_table_unchanged(tmp_path):
    """Both tables are swapped together or not at all."""
    first = generate(tmp_path / "a", 10, seed=1)
    run_import(unites_legales=first.units, etablissements=first.establishments)
    before = set(LegalUnit.objects.values_list("siren", flat=True))
    second = generate(tmp_path / "b", 10, seed=2)
    lines = second.establishments.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",A,", ",Z,")
    second.establishments.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="etatAdministratifEtablissement « Z » inconnu"):
        run_import(unites_legales=second.units, etablissements=second.establishments)
    assert set(LegalUnit.objects.values_list("siren", flat=True)) == before


def test_command_requires_a_file():
    with pytest.raises(CommandError, match="--unites-legales"):
        run_import()


def test_sqlite_batched_path_end_to_end_in_a_process_of_its_own(tmp_path):
    """Outside any transaction (as run by an administrator), SQLite commits staging rows batch by
    batch: a failed import must still leave the previous data and no staging table behind."""
    import os
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    database = tmp_path / "ptce.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PTCE_TESTING": "1"}

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True
        )

    assert manage("migrate", "--noinput", "-v0").returncode == 0
    good = generate(tmp_path / "good", 300, seed=4)
    result = manage(
        "import_sirene", "--unites-legales", str(good.units), "--etablissements",
        str(good.establishments),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = unit_rows(5)
    rows[3][col("etatAdministratifUniteLegale")] = "X"
    bad = write_csv(tmp_path / "bad.csv", UNIT_HEADER, rows)
    result = manage("import_sirene", "--unites-legales", str(bad))
    assert result.returncode != 0
    assert "ligne 5 : etatAdministratifUniteLegale « X » inconnu" in result.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM registry_legalunit").fetchone() == (300,)
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
    assert [name for name in tables if "__new_" in name] == []


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_server_side_and_python_paths_give_the_same_rows(tmp_path, fmt):
    """On PostgreSQL a clean CSV or Parquet file takes the Arrow + COPY path (registry.pg_fast);
    --limit forces the Python path. Both must store exactly the same values."""
    from django.db import connection

    files = generate(tmp_path, 400, seed=21, ess_share=0.3, fmt=fmt)
    fast = SireneImport(units_path=files.units, establishments_path=files.establishments).run()
    expected_method = "copy" if connection.vendor == "postgresql" else "python"
    assert [f.method for f in fast.files] == [expected_method, expected_method]
    assert [f.kept for f in fast.files] == [400, files.establishment_rows]
    units = set(LegalUnit.objects.values_list())
    establishments = set(Establishment.objects.values_list())
    slow = SireneImport(
        units_path=files.units, establishments_path=files.establishments, limit=10**9
    ).run()
    assert [f.method for f in slow.files] == ["python", "python"]
    assert set(LegalUnit.objects.values_list()) == units
    assert set(Establishment.objects.values_list()) == establishments


def test_bad_row_on_the_server_path_falls_back_to_line_numbers(tmp_path):
    rows = unit_rows(8)
    rows[5][col("economieSocialeSolidaireUniteLegale")] = "Oui"
    path = write_csv(tmp_path / "bad.csv", UNIT_HEADER, rows)
    with pytest.raises(ImportAborted) as error:
        SireneImport(units_path=path).run()
    assert str(error.value) == (
        "StockUniteLegale, ligne 7 : economieSocialeSolidaireUniteLegale « Oui » inconnu "
        "(O, N ou vide attendu)."
    )
    report = SireneImport(units_path=path, on_error="skip").run()
    assert (report.files[0].method, report.files[0].kept, report.files[0].skipped) == (
        "python",
        7,
        1,
    )


def test_impossible_calendar_date_is_reported_with_its_line_on_both_paths(tmp_path):
    """2021-02-30 has the right shape: PostgreSQL's COPY refuses it (the fast path falls back),
    SQLite would store it as text; both report the line instead."""
    rows = unit_rows(6)
    rows[2][col("dateCreationUniteLegale")] = "2021-02-30"
    path = write_csv(tmp_path / "bad-date.csv", UNIT_HEADER, rows)
    with pytest.raises(ImportAborted) as error:
        SireneImport(units_path=path).run()
    assert str(error.value) == (
        "StockUniteLegale, ligne 4 : dateCreationUniteLegale « 2021-02-30 » n’est pas une date "
        "AAAA-MM-JJ."
    )
    assert LegalUnit.objects.count() == 0
    report = SireneImport(units_path=path, on_error="skip").run()
    assert (report.files[0].kept, report.files[0].skipped) == (5, 1)
    assert LegalUnit.objects.count() == 5


def test_blank_line_in_the_middle_is_a_malformed_row_on_both_paths(tmp_path):
    path = write_csv(tmp_path / "blank.csv", UNIT_HEADER, unit_rows(5))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines[:3], "\n", *lines[3:]]), encoding="utf-8")
    with pytest.raises(ImportAborted) as error:
        SireneImport(units_path=path).run()
    assert str(error.value).startswith("StockUniteLegale, ligne 4 : ligne mal formée (")


def test_progress_is_reported_while_loading_on_both_paths(tmp_path, monkeypatch):
    from registry import importer, pg_fast

    monkeypatch.setattr(importer, "PROGRESS_EVERY_ROWS", 100)
    monkeypatch.setattr(importer, "SQLITE_BATCH_ROWS", 50)
    monkeypatch.setattr(pg_fast, "BLOCK_BYTES", 4096)  # a few dozen rows per Arrow batch
    files = generate(tmp_path, 400, seed=5)
    calls = []
    SireneImport(
        units_path=files.units, progress=lambda label, rows, seconds: calls.append((label, rows))
    ).run()
    rows = [count for _label, count in calls]
    assert len(rows) >= 4 and rows == sorted(rows) and rows[-1] == 400
    assert {label for label, _ in calls} == {"StockUniteLegale"}

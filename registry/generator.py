"""Synthetic SIRENE stock files in the official layout, with valid SIREN/SIRET checksums.

Used small by the tests and large by the benchmark (``manage.py generate_sirene``). The same
seed always gives the same files. Column names and order are those of INSEE's
``StockUniteLegale`` and ``StockEtablissement`` files; values are plausible, not real companies.
"""

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from registry.validators import LA_POSTE_SIREN

UNIT_HEADER = [
    "siren", "statutDiffusionUniteLegale", "unitePurgeeUniteLegale", "dateCreationUniteLegale",
    "sigleUniteLegale", "sexeUniteLegale", "prenom1UniteLegale", "prenom2UniteLegale",
    "prenom3UniteLegale", "prenom4UniteLegale", "prenomUsuelUniteLegale",
    "pseudonymeUniteLegale", "identifiantAssociationUniteLegale", "trancheEffectifsUniteLegale",
    "anneeEffectifsUniteLegale", "dateDernierTraitementUniteLegale", "nombrePeriodesUniteLegale",
    "categorieEntreprise", "anneeCategorieEntreprise", "dateDebut",
    "etatAdministratifUniteLegale", "nomUniteLegale", "nomUsageUniteLegale",
    "denominationUniteLegale", "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale", "denominationUsuelle3UniteLegale",
    "categorieJuridiqueUniteLegale", "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale", "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale", "societeMissionUniteLegale",
    "caractereEmployeurUniteLegale",
]  # fmt: skip

ESTABLISHMENT_HEADER = [
    "siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
    "trancheEffectifsEtablissement", "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement", "dateDernierTraitementEtablissement",
    "etablissementSiege", "nombrePeriodesEtablissement", "complementAdresseEtablissement",
    "numeroVoieEtablissement", "indiceRepetitionEtablissement", "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement", "typeVoieEtablissement",
    "libelleVoieEtablissement", "codePostalEtablissement", "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement", "distributionSpecialeEtablissement",
    "codeCommuneEtablissement", "codeCedexEtablissement", "libelleCedexEtablissement",
    "codePaysEtrangerEtablissement", "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement", "complementAdresse2Etablissement",
    "numeroVoie2Etablissement", "indiceRepetition2Etablissement", "typeVoie2Etablissement",
    "libelleVoie2Etablissement", "codePostal2Etablissement", "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement", "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement", "codeCedex2Etablissement", "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement", "libellePaysEtranger2Etablissement", "dateDebut",
    "etatAdministratifEtablissement", "enseigne1Etablissement", "enseigne2Etablissement",
    "enseigne3Etablissement", "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement", "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
]  # fmt: skip

UNIT_DATE_COLUMNS = ("dateCreationUniteLegale", "dateDebut")
ESTABLISHMENT_DATE_COLUMNS = ("dateCreationEtablissement", "dateDebut")

# (code, weight): ESS units, and the others.
ESS_CATEGORIES = [
    ("9220", 60), ("5710", 8), ("5458", 6), ("5460", 4), ("6317", 5), ("8210", 4), ("9300", 2),
    ("9230", 3), ("9221", 4), ("5499", 4),
]  # fmt: skip
OTHER_CATEGORIES = [
    ("5499", 22), ("5710", 25), ("5498", 10), ("1000", 25), ("6540", 8), ("5599", 3),
    ("7210", 2), ("7346", 1), ("7383", 1), ("6599", 3),
]  # fmt: skip
NAF_CODES = ["88.99B", "94.99Z", "56.10A", "47.11F", "62.01Z", "84.11Z", "01.11Z", "43.21A",
             "85.59A", "90.01Z", "38.11Z", "68.20A", "81.21Z", "49.39A"]  # fmt: skip
WORDS_ESS = [
    "ASSOCIATION", "LES JARDINS DE", "RESSOURCERIE", "COOPERATIVE", "MAISON DE", "ATELIER",
    "CENTRE SOCIAL", "RECYCLERIE", "EPICERIE SOLIDAIRE", "TIERS-LIEU",
]  # fmt: skip
WORDS_OTHER = ["SOCIETE", "GROUPE", "ETABLISSEMENTS", "SARL", "TRANSPORTS", "BOULANGERIE",
               "GARAGE", "CABINET", "HOLDING", "CONSEIL"]  # fmt: skip
PLACES = [
    "DU VAL", "DE LA VALLEE", "DES MONTS", "DU PAYS", "DE L'ESTUAIRE", "DU BOCAGE", "DES COTEAUX",
    "DU PLATEAU", "DE LA COTE", "DES LACS", "DU CAUSSE", "DE LA PLAINE",
]  # fmt: skip
FIRST_NAMES = ["MARIE", "JEAN", "CAMILLE", "NICOLAS", "SOPHIE", "KARIM", "LEA", "PAUL", "INES"]
LAST_NAMES = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "PETIT", "DURAND", "LEROY"]
STREETS = [("RUE", "DE LA REPUBLIQUE"), ("AV", "JEAN JAURES"), ("BD", "VICTOR HUGO"),
           ("PL", "DE LA MAIRIE"), ("CHE", "DES VIGNES"), ("RTE", "DE PARIS"),
           ("IMP", "DES LILAS"), ("ALL", "DES TILLEULS"), ("QUAI", "DU PORT"),
           ("", "LIEU DIT LE BOURG")]  # fmt: skip
# (codeCommuneEtablissement, codePostalEtablissement, libelleCommuneEtablissement): real COG codes
COMMUNES = [
    ("75111", "75011", "PARIS 11"), ("69383", "69003", "LYON 3EME"),
    ("13201", "13001", "MARSEILLE 1ER"), ("31555", "31000", "TOULOUSE"),
    ("33063", "33000", "BORDEAUX"), ("59350", "59000", "LILLE"), ("35238", "35000", "RENNES"),
    ("44109", "44000", "NANTES"), ("67482", "67000", "STRASBOURG"),
    ("34172", "34000", "MONTPELLIER"), ("63113", "63000", "CLERMONT-FERRAND"),
    ("21231", "21000", "DIJON"), ("87085", "87000", "LIMOGES"), ("05061", "05000", "GAP"),
    ("48095", "48000", "MENDE"), ("23096", "23000", "GUERET"), ("2A004", "20000", "AJACCIO"),
    ("97411", "97400", "SAINT-DENIS"), ("29019", "29200", "BREST"), ("54395", "54000", "NANCY"),
]  # fmt: skip

_DOUBLED = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]


def luhn_check_digit(body: str) -> str:
    """The digit to append to ``body`` so that the whole number satisfies Luhn."""
    total = 0
    double = True  # the digit just left of the check digit is doubled
    for char in reversed(body):
        digit = ord(char) - 48
        total += _DOUBLED[digit] if double else digit
        double = not double
    return str((10 - total % 10) % 10)


def _weighted(pairs):
    population = [code for code, _ in pairs]
    weights = [weight for _, weight in pairs]
    return population, weights


@dataclass(frozen=True)
class GeneratedFiles:
    units: Path
    establishments: Path | None
    rows: int
    establishment_rows: int


def _day(rng: random.Random, start_year: int, end_year: int) -> str:
    start = date(start_year, 1, 1).toordinal()
    end = date(end_year, 12, 31).toordinal()
    return date.fromordinal(rng.randint(start, end)).isoformat()


def generate_rows(
    rows: int, seed: int = 2014, ess_share: float = 0.1, establishments_per_unit: float = 1.3
) -> Iterator[tuple[list[str], list[list[str]]]]:
    """Yield (legal unit row, its establishment rows) in the official column order."""
    rng = random.Random(seed)
    step = max(1, 79_000_000 // max(rows, 1))
    offset = rng.randrange(step)
    ess_cats, ess_weights = _weighted(ESS_CATEGORIES)
    other_cats, other_weights = _weighted(OTHER_CATEGORIES)
    extra_share = max(0.0, establishments_per_unit - 1.0)
    width_unit = len(UNIT_HEADER)
    for index in range(rows):
        first8 = str(20_000_000 + index * step + offset)
        if first8 == LA_POSTE_SIREN[:8]:
            first8 = str(int(first8) + 1)
        siren = first8 + luhn_check_digit(first8)
        is_ess = rng.random() < ess_share
        if is_ess:
            category = rng.choices(ess_cats, ess_weights)[0]
        else:
            category = rng.choices(other_cats, other_weights)[0]
        active = rng.random() < 0.85
        created = _day(rng, 1950, 2025)
        row = [""] * width_unit
        row[0] = siren
        row[1] = "O"
        row[2] = ""
        row[3] = created
        if category == "1000":
            row[5] = rng.choice("MF")
            row[6] = rng.choice(FIRST_NAMES)
            row[21] = rng.choice(LAST_NAMES)
        else:
            words = WORDS_ESS if is_ess else WORDS_OTHER
            row[23] = f"{rng.choice(words)} {rng.choice(PLACES)} {index}"
        row[15] = "2025-10-01T02:13:45.000"
        row[16] = "3"
        row[19] = created if active else _day(rng, 2000, 2025)
        row[20] = "A" if active else "C"
        row[27] = category
        row[28] = rng.choice(NAF_CODES)
        row[29] = "NAFRev2"
        row[31] = "O" if is_ess else ("" if category == "1000" else "N")
        row[33] = rng.choice("NO")
        count = 1
        if extra_share and rng.random() < extra_share:
            count = 2
        establishments = []
        if establishments_per_unit > 0:
            for number in range(count):
                nic4 = f"{number + 1:04d}"
                body = siren + nic4
                siret = body + luhn_check_digit(body)
                commune, postal_code, city = rng.choice(COMMUNES)
                street_type, street = rng.choice(STREETS)
                open_ = active and (number == 0 or rng.random() < 0.7)
                establishment = [""] * len(ESTABLISHMENT_HEADER)
                establishment[0] = siren
                establishment[1] = siret[9:]
                establishment[2] = siret
                establishment[3] = "O"
                establishment[4] = created
                establishment[9] = "true" if number == 0 else "false"
                establishment[10] = "2"
                establishment[12] = str(rng.randint(1, 120)) if street_type else ""
                establishment[16] = street_type
                establishment[17] = street
                establishment[18] = postal_code
                establishment[19] = city
                establishment[22] = commune
                establishment[44] = created if open_ else _day(rng, 2000, 2025)
                establishment[45] = "A" if open_ else "F"
                establishment[50] = row[28]
                establishment[51] = "NAFRev2"
                establishment[52] = row[33]
                establishments.append(establishment)
        head = siren + "0001"
        row[30] = "0001" + luhn_check_digit(head)
        yield row, establishments


def generate(
    out: Path,
    rows: int,
    *,
    fmt: str = "csv",
    seed: int = 2014,
    ess_share: float = 0.1,
    establishments_per_unit: float = 1.3,
) -> GeneratedFiles:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "parquet" if fmt == "parquet" else "csv"
    units_path = out / f"StockUniteLegale_utf8.{suffix}"
    establishments_path = (
        out / f"StockEtablissement_utf8.{suffix}" if establishments_per_unit > 0 else None
    )
    stream = generate_rows(rows, seed, ess_share, establishments_per_unit)
    if fmt == "parquet":
        count = _write_parquet(stream, units_path, establishments_path)
    else:
        count = _write_csv(stream, units_path, establishments_path)
    return GeneratedFiles(units_path, establishments_path, rows, count)


def _write_csv(stream, units_path: Path, establishments_path: Path | None) -> int:
    count = 0
    with open(units_path, "w", encoding="utf-8", newline="") as units_file:
        units = csv.writer(units_file, lineterminator="\n")
        units.writerow(UNIT_HEADER)
        establishments_file = (
            open(establishments_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            if establishments_path
            else None
        )
        try:
            establishments = (
                csv.writer(establishments_file, lineterminator="\n")
                if establishments_file
                else None
            )
            if establishments:
                establishments.writerow(ESTABLISHMENT_HEADER)
            for unit, its_establishments in stream:
                units.writerow(unit)
                if establishments:
                    establishments.writerows(its_establishments)
                    count += len(its_establishments)
        finally:
            if establishments_file:
                establishments_file.close()
    return count


def _parquet_table(header, rows, date_columns, bool_columns=()):
    import pyarrow as pa

    columns = {}
    for index, name in enumerate(header):
        values = [row[index] or None for row in rows]
        if name in date_columns:
            columns[name] = pa.array(
                [date.fromisoformat(value) if value else None for value in values], pa.date32()
            )
        elif name in bool_columns:
            columns[name] = pa.array([value == "true" for value in values], pa.bool_())
        else:
            columns[name] = pa.array(values, pa.string())
    return pa.table(columns)


def _write_parquet(stream, units_path: Path, establishments_path: Path | None) -> int:
    """Typed like INSEE's Parquet files: dates as date32, the head-office flag as boolean."""
    import pyarrow.parquet as pq

    count = 0
    unit_writer = establishment_writer = None
    units: list[list[str]] = []
    establishments: list[list[str]] = []

    def flush():
        nonlocal unit_writer, establishment_writer
        if units:
            table = _parquet_table(UNIT_HEADER, units, UNIT_DATE_COLUMNS)
            unit_writer = unit_writer or pq.ParquetWriter(units_path, table.schema)
            unit_writer.write_table(table)
            units.clear()
        if establishments and establishments_path:
            table = _parquet_table(
                ESTABLISHMENT_HEADER,
                establishments,
                ESTABLISHMENT_DATE_COLUMNS,
                ("etablissementSiege",),
            )
            establishment_writer = establishment_writer or pq.ParquetWriter(
                establishments_path, table.schema
            )
            establishment_writer.write_table(table)
            establishments.clear()

    for unit, its_establishments in stream:
        units.append(unit)
        establishments.extend(its_establishments)
        count += len(its_establishments)
        if len(units) >= 100_000:
            flush()
    flush()
    for writer in (unit_writer, establishment_writer):
        if writer:
            writer.close()
    return count


def unit_rows_only(rows: int, seed: int = 2014, ess_share: float = 0.1):
    """Legal-unit rows alone (for tests that build a file by hand)."""
    for unit, _ in generate_rows(rows, seed, ess_share, establishments_per_unit=0):
        yield unit


__all__ = [
    "ESTABLISHMENT_HEADER",
    "UNIT_HEADER",
    "generate",
    "generate_rows",
    "luhn_check_digit",
]

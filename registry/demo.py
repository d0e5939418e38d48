"""A few register entries so that SIRET auto-fill works on a demo platform without the stock files.

Fictitious organisations with valid checksums; the real register is loaded with
``manage.py import_sirene`` (docs/registry.md).
"""

from datetime import date

from registry.generator import luhn_check_digit
from registry.models import Establishment, LegalUnit
from registry.validators import siren_with_valid_checksum, siret_with_valid_checksum

# (first 8 digits of the SIREN, name, legal category, NAF, ESS flag, state, since,
#  street, postal code, city, commune code)
ORGANISATIONS = [
    ("81234567", "LES JARDINS DU BOCAGE", "9220", "88.99B", True, "A", date(2015, 3, 2),
     "12 RUE DE LA RÉPUBLIQUE", "35000", "RENNES", "35238"),
    ("82345671", "SCOP BOIS ET TERRITOIRES", "5458", "16.23Z", True, "A", date(2012, 9, 1),
     "4 CHEMIN DES SCIERIES", "48000", "MENDE", "48095"),
    ("83456712", "RESSOURCERIE DU VAL", "9220", "38.32Z", True, "A", date(2018, 1, 15),
     "ZONE ARTISANALE DES PINS", "05000", "GAP", "05061"),
    ("84567123", "TRANSPORTS DU PLATEAU", "5710", "49.39A", False, "A", date(2009, 6, 15),
     "8 AVENUE JEAN JAURÈS", "63000", "CLERMONT-FERRAND", "63113"),
    ("20003456", "COMMUNAUTÉ DE COMMUNES DU CAUSSE", "7346", "84.11Z", False, "A",
     date(2017, 1, 1), "PLACE DE LA MAIRIE", "48000", "MENDE", "48095"),
    ("85671234", "ATELIER SOLIDAIRE FERMÉ", "9220", "88.99B", True, "F", date(2021, 3, 12),
     "3 QUAI DU PORT", "29200", "BREST", "29019"),
]  # fmt: skip


# The demo file « Pôle alimentaire des Monts du Lyonnais » (applications/demo.py, seed 1): its lead
# and three of its members are in the register, so that the reviewer's page shows agreeing values,
# one difference (a transport company declared « autre entreprise » but ESS-approved in the
# register) and one SIRET « à vérifier » (the lycée, left out).
# (seed of applications.demo._siret, name, legal category, NAF, ESS flag, commune code, postal
#  code, city, street)
DEMO_FILE_ORGANISATIONS = [
    (1, "COOPERATIVE DES MONTS DU LYONNAIS", "5458", "10.39B", True, "69238", "69590",
     "SAINT-SYMPHORIEN-SUR-COISE", "12 PLACE DU MARCHÉ"),
    (11, "LEGUMERIE SOLIDAIRE DE LA COISE", "9220", "10.39A", True, "69238", "69590",
     "SAINT-SYMPHORIEN-SUR-COISE", "ROUTE DE LYON"),
    (12, "TRANSPORTS GIRAUD ET FILS", "5710", "49.41A", True, "69238", "69590",
     "SAINT-SYMPHORIEN-SUR-COISE", "ZONE ARTISANALE DU PLAT"),
    (13, "CC DES MONTS DU LYONNAIS", "7346", "84.11Z", False, "69238", "69590",
     "SAINT-SYMPHORIEN-SUR-COISE", "PLACE DE LA MAIRIE"),
]  # fmt: skip


def demo_file_siret(seed: int) -> str:
    """Same numbers as ``applications.demo._siret`` (checked by a test)."""
    return siret_with_valid_checksum(siren_with_valid_checksum(f"{88100000 + seed:08d}"), 1)


def _load_demo_file_organisations():
    for seed, name, category, naf, ess, commune, postal, city, street in DEMO_FILE_ORGANISATIONS:
        siret = demo_file_siret(seed)
        since = date(2016, 5, 1)
        LegalUnit.objects.update_or_create(
            siren=siret[:9],
            defaults={
                "name": name,
                "legal_category": category,
                "naf": naf,
                "is_ess": ess,
                "state": "A",
                "state_since": since,
                "creation_date": since,
                "head_office_nic": siret[9:],
            },
        )
        Establishment.objects.update_or_create(
            siret=siret,
            defaults={
                "siren": siret[:9],
                "is_head_office": True,
                "state": "A",
                "state_since": since,
                "creation_date": since,
                "naf": naf,
                "address": street,
                "postal_code": postal,
                "city": city,
                "commune_code": commune,
            },
        )


def load(out):
    _load_demo_file_organisations()
    for (
        first8,
        name,
        category,
        naf,
        ess,
        state,
        since,
        street,
        postal,
        city,
        commune,
    ) in ORGANISATIONS:
        siren = first8 + luhn_check_digit(first8)
        body = f"{siren}0001"
        siret = body + luhn_check_digit(body)
        LegalUnit.objects.update_or_create(
            siren=siren,
            defaults={
                "name": name,
                "legal_category": category,
                "naf": naf,
                "is_ess": ess,
                "state": "A" if state == "A" else "C",
                "state_since": since,
                "creation_date": since,
                "head_office_nic": siret[9:],
            },
        )
        Establishment.objects.update_or_create(
            siret=siret,
            defaults={
                "siren": siren,
                "is_head_office": True,
                "state": state,
                "state_since": since,
                "creation_date": since,
                "naf": naf,
                "address": street,
                "postal_code": postal,
                "city": city,
                "commune_code": commune,
            },
        )
    count = len(ORGANISATIONS) + len(DEMO_FILE_ORGANISATIONS)
    out.write(f"Répertoire SIRENE : {count} organisations de démonstration.\n")

import pytest
from django.core.exceptions import ValidationError

from registry.validators import (
    clean_number,
    is_valid_siren,
    is_valid_siret,
    siren_with_valid_checksum,
    siret_with_valid_checksum,
    validate_siret,
)


@pytest.mark.parametrize(
    "siren, valid",
    [("732829320", True), ("552100554", True), ("732829321", False), ("12345678", False)],
)
def test_siren_luhn(siren, valid):
    assert is_valid_siren(siren) is valid


@pytest.mark.parametrize(
    "siret, valid",
    [
        ("73282932000074", True),
        ("732 829 320 00074", True),
        ("73282932000075", False),
        ("7328293200007", False),
        ("7328293200007A", False),
        # La Poste: SIREN 356000000, digit sum multiple of 5 (Luhn fails for these).
        ("35600000000048", True),
        ("35600000049837", True),
        ("35600000000049", False),
    ],
)
def test_siret_checksum_with_la_poste_rule(siret, valid):
    assert is_valid_siret(siret) is valid


def test_french_messages():
    with pytest.raises(ValidationError, match="14 chiffres"):
        validate_siret("123")
    with pytest.raises(ValidationError, match="clé de contrôle est fausse"):
        validate_siret("73282932000075")


def test_generators_give_valid_numbers():
    siren = siren_with_valid_checksum("99912345")
    assert is_valid_siren(siren)
    assert is_valid_siret(siret_with_valid_checksum(siren, 12))


def test_clean_number_accepts_what_people_type():
    assert clean_number(" 732.829.320-00074\u00a0") == "73282932000074"

"""SIREN / SIRET checksums (Luhn), with La Poste's exception.

La Poste's establishments share SIREN 356000000 and do not satisfy Luhn: their SIRET is valid
when the sum of its digits is a multiple of 5.
"""

import re

from django.core.exceptions import ValidationError

LA_POSTE_SIREN = "356000000"
_SPACES = re.compile(r"[\s.\u00a0\u202f-]+")


def clean_number(value: str) -> str:
    """Remove the spaces, dots and dashes people type ("123 456 789 00012")."""
    return _SPACES.sub("", str(value or ""))


# a digit doubled, its two digits added: 5 → 10 → 1
_DOUBLED = str.maketrans("0123456789", "0246813579")


def luhn_valid(digits: str) -> bool:
    """Luhn check of a string of digits (every second digit from the right is doubled).
    String operations only: ``lookup_many`` checks thousands of numbers per call."""
    return sum(map(int, digits[-1::-2] + digits[-2::-2].translate(_DOUBLED))) % 10 == 0


def is_valid_siren(value: str) -> bool:
    digits = clean_number(value)
    return len(digits) == 9 and digits.isdigit() and luhn_valid(digits)


def is_valid_siret(value: str) -> bool:
    digits = value if len(value) == 14 and value.isdigit() else clean_number(value)
    if len(digits) != 14 or not digits.isdigit():
        return False
    if digits.startswith(LA_POSTE_SIREN):
        return luhn_valid(digits) or sum(map(int, digits)) % 5 == 0
    return luhn_valid(digits[:9]) and luhn_valid(digits)


def validate_siren(value: str) -> None:
    digits = clean_number(value)
    if not (len(digits) == 9 and digits.isdigit()):
        raise ValidationError("Un numéro SIREN comporte 9 chiffres.", code="siren_length")
    if not luhn_valid(digits):
        raise ValidationError(
            "Ce numéro SIREN n’existe pas : sa clé de contrôle est fausse. Vérifiez-le sur un "
            "document officiel (extrait Kbis, avis de situation Insee).",
            code="siren_checksum",
        )


def validate_siret(value: str) -> None:
    digits = clean_number(value)
    if not (len(digits) == 14 and digits.isdigit()):
        raise ValidationError(
            "Un numéro SIRET comporte 14 chiffres (SIREN à 9 chiffres + 5 chiffres "
            "d’établissement).",
            code="siret_length",
        )
    if not is_valid_siret(digits):
        raise ValidationError(
            "Ce numéro SIRET n’existe pas : sa clé de contrôle est fausse. Vérifiez-le sur un "
            "document officiel (extrait Kbis, avis de situation Insee).",
            code="siret_checksum",
        )


def siret_with_valid_checksum(siren: str, establishment: int) -> str:
    """Build a SIRET with a valid checksum from a valid SIREN (for demo and test data)."""
    prefix = f"{siren}{establishment:04d}"
    for last in range(10):
        candidate = f"{prefix}{last}"
        if is_valid_siret(candidate):
            return candidate
    raise ValueError(f"Aucune clé possible pour {prefix}")


def siren_with_valid_checksum(first_eight: str) -> str:
    for last in range(10):
        if luhn_valid(f"{first_eight}{last}"):
            return f"{first_eight}{last}"
    raise ValueError(first_eight)

"""Decimal parsing and French formatting shared by scoring, allocation and letters.

Pure functions, importable without Django settings (the benchmark runs them bare).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# French formatting lives in ``core.formatting`` (one helper for the whole platform); these
# names stay importable from here for the scoring, allocation and letters modules.
from core.formatting import (
    NBSP,
    format_date,
    format_euros,
    format_number,
    format_signed,
)

# Scores on the grid's scale (weighted totals, mean, median, standard deviation) are shown and
# compared with two decimals; z-scores with three; amounts in euros with cents.
SCORE_QUANTUM = Decimal("0.01")
Z_QUANTUM = Decimal("0.001")
CENT = Decimal("0.01")


def round_half_up(value: Decimal, quantum: Decimal = SCORE_QUANTUM) -> Decimal:
    """Commercial rounding (0.005 → 0.01), the rounding people expect on a score sheet."""
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def parse_decimal(value) -> Decimal | None:
    """A finite Decimal from an int, Decimal, str or float; None when it is not a number.

    Booleans are refused (``True`` is not a score). Floats go through ``str`` so 0.1 stays 0.1.
    French decimal commas are accepted ("3,5").
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        return Decimal(value)
    elif isinstance(value, float):
        result = Decimal(str(value))
    elif isinstance(value, str):
        text = value.strip().replace(NBSP, "").replace(" ", "").replace(",", ".")
        if not text:
            return None
        try:
            result = Decimal(text)
        except InvalidOperation:
            return None
    else:
        return None
    return result if result.is_finite() else None


__all__ = [
    "CENT",
    "NBSP",
    "SCORE_QUANTUM",
    "Z_QUANTUM",
    "format_date",
    "format_euros",
    "format_number",
    "format_signed",
    "parse_decimal",
    "round_half_up",
]

"""Decimal parsing and French formatting shared by scoring, allocation and letters.

Pure functions, importable without Django settings (the benchmark runs them bare).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Scores on the grid's scale (weighted totals, mean, median, standard deviation) are shown and
# compared with two decimals; z-scores with three; amounts in euros with cents.
SCORE_QUANTUM = Decimal("0.01")
Z_QUANTUM = Decimal("0.001")
CENT = Decimal("0.01")

NBSP = "\u00a0"  # in WinAnsi (ReportLab's standard fonts), unlike the narrow U+202F

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


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


def format_number(value: Decimal | int, places: int | None = None) -> str:
    """French decimal notation: ``Decimal("3.50")`` → "3,5"; with ``places=2`` → "3,50"."""
    value = Decimal(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{value:f}"
    else:
        text = f"{value:f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    if text in {"-0", "-0.0", "-0.00"}:
        text = text[1:]
    sign = "−" if text.startswith("-") else ""
    text = text.lstrip("-")
    whole, _, fraction = text.partition(".")
    whole = f"{int(whole):,}".replace(",", NBSP)
    return sign + whole + ("," + fraction if fraction else "")


def format_signed(value: Decimal) -> str:
    """A bonus or z-score with its sign: "+0,5", "−1,25"."""
    return ("+" if value >= 0 else "") + format_number(value)


def format_euros(amount: Decimal | int) -> str:
    """ "100 000 €" for whole euros, "12 345,67 €" otherwise (no-break spaces)."""
    amount = round_half_up(Decimal(amount), CENT)
    places = 0 if amount == amount.to_integral_value() else 2
    return format_number(amount, places) + NBSP + "€"


def format_date(value: datetime.date) -> str:
    """ "1er juin 2026", "26 novembre 2026"."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"

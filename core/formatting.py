"""French formatting of numbers, amounts, dates and little words: the one helper used by pages,
PDFs, e-mails and messages (exports keep raw numbers in numeric cells).

Pure functions, importable without Django settings (benchmarks run them bare). Thousands are
separated by a no-break space U+00A0: it exists in WinAnsi (the PDF standard fonts), unlike the
narrow U+202F, and it is what Django's French locale uses.

    >>> format_euros(Decimal("145500"), cents=True)
    '145\xa0500,00\xa0€'
    >>> format_integer(35417)
    '35\xa0417'
    >>> quantity(Decimal("0.5"), "jour")
    '0,5\xa0jour'
    >>> elide("de", "Aurillac")
    'd’Aurillac'
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NBSP = "\u00a0"
APOSTROPHE = "’"
CENT = Decimal("0.01")

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

# Words starting with these letters take the elided article (« d’Amiens », « l’Avise »).
# « h » is left out on purpose: « de Hérouville » but « d’Hénin » cannot be told apart by rule.
_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüœæAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŒÆ")


def _decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise ValueError(f"Not a number: {value!r}") from error


def format_number(value, places: int | None = None) -> str:
    """French decimal notation: ``Decimal("3.50")`` → "3,5"; with ``places=2`` → "3,50";
    ``15103`` → "15 103"; negative numbers take the true minus sign "−"."""
    value = _decimal(value)
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


def format_integer(value) -> str:
    """ "35 417" (rounded half up to the unit)."""
    return format_number(value, 0)


def format_signed(value) -> str:
    """A bonus or z-score with its sign: "+0,5", "−1,25"."""
    return ("+" if _decimal(value) >= 0 else "") + format_number(value)


def format_euros(amount, *, cents: bool | None = None) -> str:
    """ "100 000 €" for whole euros and "12 345,67 €" otherwise (``cents=None``);
    ``cents=True`` always shows them ("145 500,00 €", for receipts and agreements);
    ``cents=False`` rounds to the euro (charts)."""
    amount = _decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if cents is None:
        places = 0 if amount == amount.to_integral_value() else 2
    else:
        places = 2 if cents else 0
    return format_number(amount, places) + NBSP + "€"


def format_percent(value, places: int | None = 1) -> str:
    """ "42,5 %" (a no-break space before the sign, as French typography wants)."""
    return format_number(value, places) + NBSP + "%"


def format_date(value: datetime.date) -> str:
    """ "1er juin 2026", "26 novembre 2026"."""
    if isinstance(value, datetime.datetime):
        value = _local(value).date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def format_datetime(value: datetime.datetime) -> str:
    """ "5 décembre 2026 à 14 h 30" in the programme's time zone (Europe/Paris)."""
    local = _local(value)
    minutes = f"{local.minute:02d}"
    return f"{format_date(local.date())} à {local.hour}{NBSP}h{NBSP}{minutes}"


def _local(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None:
        return value
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo("Europe/Paris"))


def quantity(count, singular: str, plural: str | None = None) -> str:
    """ "0,5 jour", "1 commune", "2 communes": French takes the singular below 2."""
    number = _decimal(count)
    word = singular if abs(number) < 2 else (plural or singular + "s")
    return f"{format_number(number)}{NBSP}{word}"


def starts_with_vowel(word: str) -> bool:
    return bool(word) and word[0] in _VOWELS


def elide(particle: str, word: str) -> str:
    """The particle joined to a name as French writes it.

    « de » + « Aurillac » → « d’Aurillac »; « de » + « Le Mans » → « du Mans »;
    « de » + « Les Sables-d’Olonne » → « des Sables-d’Olonne »; « à » + « Le Mans » → « au Mans »;
    « le »/« la » + « Avise » → « l’Avise »; « que » + « il » → « qu’il ».
    """
    word = (word or "").strip()
    lower = particle.lower()
    head, _, rest = word.partition(" ")
    if rest and head in {"Le", "Les"} and lower in {"de", "à"}:
        contracted = {("de", "Le"): "du", ("de", "Les"): "des", ("à", "Le"): "au"}
        merged = contracted.get((lower, head), "aux")
        return f"{_same_case(particle, merged)} {rest}"
    if lower in {"de", "le", "la", "que", "je", "ne", "se", "me", "te"} and starts_with_vowel(word):
        return f"{particle[:-1]}{APOSTROPHE}{word}"
    return f"{particle} {word}"


def _same_case(model: str, word: str) -> str:
    return word.capitalize() if model[:1].isupper() else word

"""Paris wall-clock times ↔ UTC instants, with daylight-saving gaps and folds made explicit."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import formats

PARIS = ZoneInfo("Europe/Paris")

# How to read a wall-clock time that happens twice (last Sunday of October, 02:00–02:59).
FOLD_SUMMER = "summer"  # first occurrence, still on summer time (UTC+2)
FOLD_WINTER = "winter"  # second occurrence, back on winter time (UTC+1)
FOLD_CHOICES = [
    ("", "Heure non ambiguë"),
    (FOLD_SUMMER, "Première occurrence (encore à l’heure d’été, UTC+2)"),
    (FOLD_WINTER, "Seconde occurrence (revenu à l’heure d’hiver, UTC+1)"),
]


def _label(naive: datetime) -> str:
    return f"{naive:%d/%m/%Y} à {naive:%H:%M}"


def is_nonexistent(naive: datetime) -> bool:
    """True for a Paris wall-clock time skipped when clocks go forward (e.g. 02:30 in March)."""
    aware = naive.replace(tzinfo=PARIS)
    round_trip = aware.astimezone(UTC).astimezone(PARIS).replace(tzinfo=None)
    return round_trip != naive


def is_ambiguous(naive: datetime) -> bool:
    """True for a Paris wall-clock time that happens twice when clocks go back."""
    first = naive.replace(tzinfo=PARIS, fold=0).utcoffset()
    second = naive.replace(tzinfo=PARIS, fold=1).utcoffset()
    return first != second and not is_nonexistent(naive)


def paris_to_utc(naive: datetime, *, fold: str = "") -> datetime:
    """Read ``naive`` as Europe/Paris wall-clock time and return the UTC instant.

    A time that does not exist in Paris is refused; a time that exists twice must say which
    occurrence is meant (``FOLD_SUMMER`` or ``FOLD_WINTER``)."""
    if naive.tzinfo is not None:
        raise ValueError("paris_to_utc attend une heure sans fuseau (heure de Paris).")
    if is_nonexistent(naive):
        raise ValidationError(
            "L’heure du %(when)s n’existe pas à Paris : ce jour-là, les horloges passent "
            "directement de 2 h à 3 h (passage à l’heure d’été). Choisissez une autre heure.",
            code="nonexistent_time",
            params={"when": _label(naive)},
        )
    if is_ambiguous(naive):
        if fold not in (FOLD_SUMMER, FOLD_WINTER):
            raise ValidationError(
                "L’heure du %(when)s existe deux fois à Paris (passage à l’heure d’hiver, "
                "les horloges reviennent de 3 h à 2 h) : précisez s’il s’agit de la première "
                "occurrence (heure d’été) ou de la seconde (heure d’hiver).",
                code="ambiguous_time",
                params={"when": _label(naive)},
            )
        naive = naive.replace(fold=0 if fold == FOLD_SUMMER else 1)
    return naive.replace(tzinfo=PARIS).astimezone(UTC)


def to_paris(value: datetime) -> datetime:
    return value.astimezone(PARIS)


def paris_label(value: datetime) -> str:
    """« mercredi 12 mai 2021 à 10 h 00 » in Paris time."""
    local = to_paris(value)
    return f"{formats.date_format(local, 'l j F Y')} à {local:%H} h {local:%M}"

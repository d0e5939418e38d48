from decimal import Decimal

from django import template

from calls.eligibility import euros as format_euros

register = template.Library()


@register.filter
def euros(value) -> str:
    """80 000 € (non-breaking spaces); empty string for None."""
    if value is None or value == "":
        return ""
    return format_euros(Decimal(str(value)))


@register.filter
def months(value) -> str:
    """24 → « 24 mois (2 ans) »."""
    if not value:
        return ""
    value = int(value)
    if value % 12 == 0:
        years = value // 12
        return f"{value} mois ({years} an{'s' if years > 1 else ''})"
    return f"{value} mois"


@register.filter
def award_range(call) -> str:
    """« de 30 000 € à 80 000 € », « 100 000 € », « jusqu’à 80 000 € » or ""."""
    low, high = call.min_award, call.max_award
    if low and high:
        if low == high:
            return euros(low)
        return f"de {euros(low)} à {euros(high)}"
    if high:
        return f"jusqu’à {euros(high)}"
    if low:
        return f"à partir de {euros(low)}"
    return ""

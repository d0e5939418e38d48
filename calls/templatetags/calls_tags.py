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

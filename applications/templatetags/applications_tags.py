from django import template

from applications.amounts import format_amount

register = template.Library()


@register.filter
def euros(value):
    """« 1 234,50 € » (French typography); empty for None."""
    if value is None or value == "":
        return "—"
    return format_amount(value)


@register.simple_tag
def budget_row_total(summary, kind, category):
    return summary.total_for(kind, category)


@register.filter
def filesize_mo(value):
    return f"{(value or 0) / (1024 * 1024):.1f} Mo".replace(".", ",")


@register.filter
def dictget(mapping, key):
    return mapping.get(key, [])

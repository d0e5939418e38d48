"""Template helpers of the directory: figures as people read them (« 1 234 € », « 42,5 % »,
« 12,3 j ») and the <option> list of a facet, built in Python (a hundred départements
rendered through the template engine cost more than the database queries of the page)."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from directory.charts import euros as _euros
from directory.charts import number

register = template.Library()


@register.filter
def euros(value) -> str:
    return _euros(value)


@register.filter
def decimal_fr(value) -> str:
    return number(value)


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{number(value)} %"


@register.filter
def days(value) -> str:
    return "—" if value is None else f"{number(value)} j"


@register.filter
def option_tags(options) -> str:
    """<option> elements of a facet: value, label, « (count) » when known, selected/disabled."""
    parts = []
    for option in options:
        attributes = ""
        if option.get("selected"):
            attributes += " selected"
        if option.get("disabled"):
            attributes += " disabled"
        count = option.get("count")
        suffix = "" if count is None else f" ({count})"
        parts.append(
            f'<option value="{escape(option["value"])}"{attributes}>'
            f"{escape(option['label'])}{suffix}</option>"
        )
    return mark_safe("\n".join(parts))

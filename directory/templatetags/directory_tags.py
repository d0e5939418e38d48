"""Template helpers of the directory: figures as people read them (« 1 234 € », « 42,5 % »,
« 12,5 jours ») and the <option> list of a facet, built in Python (a hundred départements
rendered through the template engine cost more than the database queries of the page)."""

from django import template
from django.utils.html import format_html_join

from core.formatting import quantity
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
    return "—" if value is None else quantity(value, "jour")


@register.filter
def option_tags(options) -> str:
    """<option> elements of a facet: value, label, « (count) » when known, selected/disabled."""
    return format_html_join(
        "\n",
        '<option value="{}"{}{}>{}{}</option>',
        (
            (
                option["value"],
                " selected" if option.get("selected") else "",
                " disabled" if option.get("disabled") else "",
                option["label"],
                "" if option.get("count") is None else f" ({option['count']})",
            )
            for option in options
        ),
    )

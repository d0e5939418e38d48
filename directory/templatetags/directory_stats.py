"""Figures as people read them on the statistics page: « 1 234 € », « 42,5 % », « 12,3 j »."""

from django import template

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

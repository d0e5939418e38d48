"""French formatting in templates: ``{% load fr %}`` then ``{{ amount|fr_euros }}``,
``{{ population|fr_int }}``, ``{{ fte|fr_number }}``, ``{{ days|fr_quantity:"jour" }}``,
``{{ city|fr_de }}``. Empty values (None, "") render as « — ». Built on ``core.formatting``.
"""

from django import template

from core import formatting

register = template.Library()

EMPTY = "—"


def _empty(value) -> bool:
    return value is None or value == ""


@register.filter
def fr_number(value, places=None):
    """ "6,5"; with an argument, that many decimals: ``{{ score|fr_number:2 }}`` → "3,50"."""
    if _empty(value):
        return EMPTY
    return formatting.format_number(value, None if places in (None, "") else int(places))


@register.filter
def fr_int(value):
    return EMPTY if _empty(value) else formatting.format_integer(value)


@register.filter
def fr_euros(value, cents=None):
    """ "80 000 €"; ``|fr_euros:"cents"`` → "80 000,00 €"; ``|fr_euros:"round"`` → "80 000 €"."""
    if _empty(value):
        return EMPTY
    mode = {"cents": True, "round": False}.get(cents)
    return formatting.format_euros(value, cents=mode)


@register.filter
def fr_percent(value, places=1):
    return EMPTY if _empty(value) else formatting.format_percent(value, int(places))


@register.filter
def fr_date(value):
    return EMPTY if _empty(value) else formatting.format_date(value)


@register.filter
def fr_datetime(value):
    return EMPTY if _empty(value) else formatting.format_datetime(value)


@register.filter
def fr_quantity(value, words):
    """``{{ n|fr_quantity:"jour" }}`` → "0,5 jour", "3 jours";
    irregular plurals: ``{{ n|fr_quantity:"travail,travaux" }}``."""
    if _empty(value):
        return EMPTY
    singular, _, plural = str(words).partition(",")
    return formatting.quantity(value, singular, plural or None)


@register.filter
def fr_de(value):
    """ "d’Aurillac", "de Lyon", "du Mans"."""
    return formatting.elide("de", str(value))


@register.filter
def fr_le(value, article="le"):
    """ "l’Avise", "le Réseau"; ``|fr_le:"la"`` → "la Région"."""
    return formatting.elide(article, str(value))

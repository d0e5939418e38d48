"""Amounts as French users type them: « 1 234,50 », « 1 234,50 € », « 1.234,50 », « 1234.5 »."""

import re
from decimal import Decimal, InvalidOperation

from django import forms

from applications.models import MAX_AMOUNT
from core.formatting import NBSP, format_euros

_SPACES = re.compile(r"[\s\u00a0\u202f']+")


class AmountError(ValueError):
    pass


def parse_amount(value) -> Decimal | None:
    """A non-negative amount in euros with at most two decimals, or ``None`` when blank.

    Raises ``AmountError`` with a French message for anything else.
    """
    if value is None:
        return None
    if isinstance(value, Decimal | int):
        text = str(value)
    else:
        text = str(value)
    text = _SPACES.sub("", text.replace("€", "").replace("EUR", "").replace("eur", ""))
    if not text:
        return None
    if text.startswith("-") or text.startswith("−"):
        raise AmountError("Un montant ne peut pas être négatif.")
    if "," in text and "." in text:
        # « 1.234,50 »: dots group thousands, the comma is the decimal mark.
        text = text.replace(".", "")
    text = text.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        if re.fullmatch(r"\d+\.\d{3,}", text):
            raise AmountError("Indiquez au plus deux décimales (centimes).")
        raise AmountError("Saisissez un montant en euros, par exemple « 12 500 » ou « 1 234,50 ».")
    try:
        amount = Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the pattern above prevents it
        raise AmountError("Montant illisible.") from error
    if amount > MAX_AMOUNT:
        raise AmountError(
            "Ce montant dépasse 100 millions d’euros : vérifiez qu’il ne manque pas une virgule."
        )
    return amount


class AmountField(forms.CharField):
    """A text input that accepts French amounts and cleans to ``Decimal`` (or ``None``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("maxlength", "30")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value):
        text = super().to_python(value)
        if len(text) > 30:
            raise forms.ValidationError("Montant illisible (30 caractères au plus).")
        try:
            return parse_amount(text)
        except AmountError as error:
            raise forms.ValidationError(str(error), code="amount") from error

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_amount(value, symbol=False)
        return value


def format_amount(value, symbol: bool = True) -> str:
    """« 1 234,50 € » (French typography, ``core.formatting``); without the symbol for inputs."""
    if value is None:
        return ""
    text = format_euros(value)
    return text if symbol else text.removesuffix(NBSP + "€")

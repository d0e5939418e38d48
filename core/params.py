"""Integers read from requests (query strings, posted forms): ASCII digits only.

``str.isdigit`` accepts « ² » and « ① » that ``int`` refuses (a 500), and ``int``
itself accepts « ٣ », full-width « １ », signs, spaces and underscores. Every id, page number
and integer a view reads from ``request.GET`` / ``request.POST`` goes through ``int_param``;
every form field that reads an integer or an object by its integer key goes through
``guard_integer_field`` (applied by ``core.forms.PtceForm`` to all its fields)."""

import re

from django import forms
from django.db import models

ASCII_INTEGER = re.compile(r"[0-9]{1,19}")
# Largest value every database engine stores in a signed 64-bit integer column.
MAX_INT64 = 2**63 - 1


def int_param(value, *, minimum: int = 0, maximum: int = MAX_INT64) -> int | None:
    """The integer written in ``value`` with ASCII digits only (no sign, space, exponent or
    other script), within ``minimum``–``maximum``; ``None`` for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and ASCII_INTEGER.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if minimum <= number <= maximum else None


def id_param(value) -> int | None:
    """A database id: a positive integer that fits a 64-bit column."""
    return int_param(value, minimum=1)


INVALID_INTEGER = "Saisissez un nombre entier écrit avec les chiffres 0 à 9."


def _integer_keyed(field) -> bool:
    model = field.queryset.model if getattr(field, "queryset", None) is not None else None
    if model is None:
        return False
    key = model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk
    return isinstance(key, models.AutoField | models.IntegerField)


def _refuse_non_ascii(value, error):
    if value in (None, "", [], ()) or isinstance(value, int):
        return
    if not isinstance(value, str) or int_param(value) is None:
        raise error


def guard_integer_field(field: forms.Field) -> None:
    """Makes ``field`` refuse, as an ordinary form error, an integer not written with ASCII
    digits (or beyond 64 bits) before any conversion or query."""
    if getattr(field, "_ascii_guarded", False):
        return
    if isinstance(field, forms.ModelMultipleChoiceField):
        if not _integer_keyed(field):
            return
        check_values = field._check_values

        def _check_values(value, _check=check_values, _field=field):
            for item in value:
                _refuse_non_ascii(
                    str(item) if isinstance(item, int) else item,
                    forms.ValidationError(
                        _field.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": item},
                    ),
                )
            return _check(value)

        field._check_values = _check_values
    elif isinstance(field, forms.ModelChoiceField):
        if not _integer_keyed(field):
            return
        to_python = field.to_python

        def _to_python(value, _convert=to_python, _field=field):
            if not isinstance(value, models.Model):
                _refuse_non_ascii(
                    value,
                    forms.ValidationError(
                        _field.error_messages["invalid_choice"], code="invalid_choice"
                    ),
                )
            return _convert(value)

        field.to_python = _to_python
    elif isinstance(field, forms.IntegerField) and not isinstance(
        field, forms.FloatField | forms.DecimalField
    ):
        to_python = field.to_python

        def _to_python(value, _convert=to_python):
            if isinstance(value, str):
                value = value.strip()
            _refuse_non_ascii(value, forms.ValidationError(INVALID_INTEGER, code="invalid"))
            return _convert(value)

        field.to_python = _to_python
    else:
        return
    field._ascii_guarded = True

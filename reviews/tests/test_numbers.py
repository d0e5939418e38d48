import datetime
from decimal import Decimal as D

from reviews.numbers import (
    format_date,
    format_euros,
    format_number,
    format_signed,
    parse_decimal,
    round_half_up,
)

NBSP = "\u00a0"


def test_parse_decimal():
    assert parse_decimal(3) == D(3)
    assert parse_decimal(0.1) == D("0.1")
    assert parse_decimal(" 12 345,5 ") == D("12345.5")
    assert parse_decimal(f"100{NBSP}000") == D("100000")
    assert parse_decimal(D("2.50")) == D("2.50")
    for refused in (None, True, False, "", "abc", "NaN", D("Infinity"), float("nan"), [1]):
        assert parse_decimal(refused) is None


def test_round_half_up():
    assert round_half_up(D("2.345")) == D("2.35")
    assert round_half_up(D("2.335")) == D("2.34")
    assert round_half_up(D("-0.005")) == D("-0.01")


def test_format_number_and_signed():
    assert format_number(D("3.50")) == "3,5"
    assert format_number(D("3.50"), 2) == "3,50"
    assert format_number(D("1234567.891"), 2) == f"1{NBSP}234{NBSP}567,89"
    assert format_number(D("-1000")) == f"−1{NBSP}000"
    assert format_number(D("-0.001"), 2) == "0,00"
    assert format_number(7) == "7"
    assert format_signed(D("0.5")) == "+0,5"
    assert format_signed(D("-1.25")) == "−1,25"


def test_format_euros():
    assert format_euros(D("100000")) == f"100{NBSP}000{NBSP}€"
    assert format_euros(D("100000.00")) == f"100{NBSP}000{NBSP}€"
    assert format_euros(D("12345.675")) == f"12{NBSP}345,68{NBSP}€"
    assert format_euros(0) == f"0{NBSP}€"


def test_format_date():
    assert format_date(datetime.date(2026, 6, 1)) == "1er juin 2026"
    assert format_date(datetime.date(2026, 8, 15)) == "15 août 2026"

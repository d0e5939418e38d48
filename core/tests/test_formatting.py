import datetime
from decimal import Decimal

from django.template import Context, Template

from core.formatting import (
    elide,
    format_date,
    format_datetime,
    format_euros,
    format_integer,
    format_number,
    format_percent,
    quantity,
)

NBSP = "\u00a0"


def test_amounts_in_french_typography():
    assert format_euros(Decimal("145500"), cents=True) == f"145{NBSP}500,00{NBSP}€"
    assert format_euros(Decimal("145500")) == f"145{NBSP}500{NBSP}€"
    assert format_euros(Decimal("1234.5")) == f"1{NBSP}234,50{NBSP}€"
    assert format_euros(Decimal("125000.50"), cents=False) == f"125{NBSP}001{NBSP}€"
    assert format_euros(-12) == f"−12{NBSP}€"


def test_integers_and_decimals():
    assert format_integer(35417) == f"35{NBSP}417"
    assert format_integer(Decimal("15103.4")) == f"15{NBSP}103"
    assert format_number(Decimal("6.50")) == "6,5"
    assert format_number(Decimal("6.5"), 2) == "6,50"
    assert format_number(0.1) == "0,1"
    assert format_percent(Decimal("42.46")) == f"42,5{NBSP}%"


def test_quantities_take_the_french_singular_below_two():
    assert quantity(Decimal("0.5"), "jour") == f"0,5{NBSP}jour"
    assert quantity(1, "commune") == f"1{NBSP}commune"
    assert quantity(Decimal("1.5"), "jour") == f"1,5{NBSP}jour"
    assert quantity(2, "jour") == f"2{NBSP}jours"
    assert quantity(3, "travail", "travaux") == f"3{NBSP}travaux"


def test_dates_in_french():
    assert format_date(datetime.date(2026, 6, 1)) == "1er juin 2026"
    assert format_date(datetime.date(2026, 12, 5)) == "5 décembre 2026"
    moment = datetime.datetime(2026, 12, 5, 13, 30, tzinfo=datetime.UTC)
    assert format_datetime(moment) == f"5 décembre 2026 à 14{NBSP}h{NBSP}30"


def test_elision_and_contraction():
    assert elide("de", "Aurillac") == "d’Aurillac"
    assert elide("de", "Évry") == "d’Évry"
    assert elide("de", "Lyon") == "de Lyon"
    assert elide("de", "Le Mans") == "du Mans"
    assert elide("de", "Les Sables-d’Olonne") == "des Sables-d’Olonne"
    assert elide("à", "Le Mans") == "au Mans"
    assert elide("le", "Avise") == "l’Avise"
    assert elide("la", "Région") == "la Région"
    assert elide("De", "Amiens") == "D’Amiens"


def test_template_filters():
    template = Template(
        "{% load fr %}{{ a|fr_euros:'cents' }}|{{ p|fr_int }}|{{ d|fr_quantity:'jour' }}|"
        "{{ city|fr_de }}|{{ none|fr_euros }}|{{ fte|fr_number }}|{{ org|fr_le }}"
    )
    rendered = template.render(
        Context(
            {
                "a": Decimal("145500"),
                "p": 35417,
                "d": Decimal("0.5"),
                "city": "Amiens",
                "none": None,
                "fte": Decimal("6.50"),
                "org": "Avise",
            }
        )
    )
    assert rendered == (f"145{NBSP}500,00{NBSP}€|35{NBSP}417|0,5{NBSP}jour|d’Amiens|—|6,5|l’Avise")

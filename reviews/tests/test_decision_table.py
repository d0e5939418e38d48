"""The committee table's controls written in Python (``decision_table.plain_widget``) are the
HTML Django's widget templates write: same elements, attributes, values and selection."""

from decimal import Decimal

import pytest
from django.test.html import parse_html

from reviews.forms import DecisionForm
from reviews.templatetags.decision_table import plain_widget


@pytest.mark.parametrize(
    ("data", "initial"),
    [
        (None, {"version": ""}),
        (
            None,
            {
                "decision": "accepted",
                "amount": Decimal("66000"),
                "reasons": "Très bien <b>noté</b> & « solide »",
                "version": "2026-12-05T20:51:53+00:00",
            },
        ),
        ({"d7-decision": "rejected", "d7-amount": "abc", "d7-reasons": ""}, None),
    ],
)
def test_plain_widget_writes_what_the_widget_templates_write(data, initial):
    form = DecisionForm(data, initial=initial, prefix="d7")
    if data:
        assert not form.is_valid()  # errors: aria-invalid on the amount
    for name in ("decision", "amount", "reasons", "version"):
        expected = form[name].as_widget()
        written = plain_widget(form[name])
        assert parse_html(written) == parse_html(expected), name
    if initial and initial.get("decision"):
        assert '<option value="accepted" selected>' in plain_widget(form["decision"])
        assert "&lt;b&gt;noté&lt;/b&gt; &amp; « solide »" in plain_widget(form["reasons"])

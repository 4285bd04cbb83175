"""A chart's table drawn by `chart_table_rows` reads exactly as the template loop drew it:
row headers, numbers in the reader's language, an en dash for no figure, every text
escaped, dates and times as `{{ value }}` shows them."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

# What reports/_chart.html looped over before the tag, cell by cell.
LOOP = Template(
    "{% for row in rows %}<tr>{% for value in row %}{% if forloop.first %}"
    '<th scope="row">{{ value }}</th>{% else %}<td class="num">'
    '{{ value|default_if_none:"\u2013" }}</td>{% endif %}{% endfor %}</tr>{% endfor %}'
)
TAG = Template("{% load dashboard_tags %}{% chart_table_rows rows %}")

ROWS = [
    ["Brand <b>&amp; Co</b>", 52.4, None, 0, 100.0],
    ['Fish & Chips "R" Us', 1234567.891, Decimal("12.50"), -3.25, "n/a <none>"],
    [None, 1e-7, True, datetime.date(2026, 3, 31), "2026 Q1"],
    ["Ein Groß-Projekt", datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC), 7, None, ""],
    [2026, float("nan"), 0.1 + 0.2, 1 / 3, "<script>alert(1)</script>"],
    ["Whole", -1234567, 10**20, -0.0, float("inf")],
    ["Tiny and huge", 5e-324, -2.5e-5, 1.5e16, float("-inf")],
]


@pytest.mark.parametrize("language", ["en", "de", "fr", "el"])
def test_the_tag_draws_what_the_loop_drew(language):
    with translation.override(language), timezone.override("Europe/Paris"):
        expected = LOOP.render(Context({"rows": ROWS}))
        drawn = TAG.render(Context({"rows": ROWS}))
    assert drawn == expected
    assert "<script>" not in drawn


def test_no_rows_draw_nothing():
    assert TAG.render(Context({"rows": []})) == ""

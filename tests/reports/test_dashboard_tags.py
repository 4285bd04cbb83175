"""The `percent` filter draws a figure exactly as the reports/_percent.html include does."""

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.template import Context, Template

from reports.templatetags.dashboard_tags import percent


@pytest.mark.parametrize(
    "value",
    [
        None,
        0,
        0.4,
        12.5,
        62.5,
        99.5,
        100.0,
        33.333,
        -0.2,
        -0.5,
        -2.5,
        2.5,
        0.49999999999999994,
        100.49999999999999,
        1e-9,
        -0.0,
        1e16 + 0.5,
        "7.5",
    ],
)
def test_it_draws_what_the_include_draws(value):
    include = Template('{% include "reports/_percent.html" with value=v %}')
    assert percent(value) == include.render(Context({"v": value})).strip()


def test_floats_round_half_up_as_decimal_quantize_rounds_them():
    """`percent` rounds a float without Decimal; this is the rule it stands for."""
    rng = random.Random(20)
    values = [rng.uniform(-150, 150) for _ in range(5000)]
    values += [n / 2 for n in range(-401, 402)] + [n / 8 for n in range(-801, 802)]
    values += [0.49999999999999994, 100.49999999999999, 5e-324, -5e-324, 2.0**52 + 0.5]
    for value in values:
        whole = Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert percent(value) == f'<span class="pct">{int(whole)}%</span>', value


def test_a_missing_figure_is_a_dash_and_the_text_is_escaped_safely():
    assert percent("") == '<span class="muted">\u2013</span>'
    assert percent("<b>") == '<span class="muted">\u2013</span>'
    assert percent(float("nan")) == percent(float("inf")) == '<span class="muted">\u2013</span>'


def test_percent_cells_draw_what_the_loop_drew():
    values = [52.45, None, "", 0, 100, 99.5, "not a number", 1e-9]
    loop = Template(
        "{% load dashboard_tags %}"
        '{% for value in values %}<td class="num">{{ value|percent }}</td>{% endfor %}'
    )
    cells = Template("{% load dashboard_tags %}{{ values|percent_cells }}")
    context = Context({"values": values})
    assert cells.render(context) == loop.render(context)
    assert cells.render(Context({"values": []})) == ""

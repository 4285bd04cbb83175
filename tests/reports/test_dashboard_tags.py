"""The `percent` filter draws a figure exactly as the reports/_percent.html include does."""

import pytest
from django.template import Context, Template

from reports.templatetags.dashboard_tags import percent


@pytest.mark.parametrize("value", [None, 0, 0.4, 12.5, 62.5, 99.5, 100.0, 33.333, -0.2])
def test_it_draws_what_the_include_draws(value):
    include = Template('{% include "reports/_percent.html" with value=v %}')
    assert percent(value) == include.render(Context({"v": value})).strip()


def test_a_missing_figure_is_a_dash_and_the_text_is_escaped_safely():
    assert percent("") == '<span class="muted">\u2013</span>'
    assert percent("<b>") == '<span class="muted">\u2013</span>'


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

"""Filters of the dashboards' templates."""

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime

from reports.words import signed

register = template.Library()

_NONE = "\u2013"  # what a table shows for no figure
_MISSING = SafeString('<span class="muted">\u2013</span>')


@register.filter
def percent(value) -> str:
    """A figure in percent as reports/_percent.html draws it (rounded half up, as
    `floatformat:0`), without an include and a localised format per cell: a brand's
    table has hundreds of them."""
    if value is None or value == "":  # "": a lookup that failed (no score)
        return _MISSING
    try:
        whole = Decimal(repr(float(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except (TypeError, ValueError, InvalidOperation):
        return _MISSING
    return SafeString(f'<span class="pct">{int(whole)}%</span>')


@register.filter
def percent_cells(values) -> str:
    """`<td class="num">{{ value|percent }}</td>` for each of `values` (a brand's table has
    a dozen section figures on each of its rows: one filter call rather than a loop)."""
    return SafeString("".join(f'<td class="num">{percent(value)}</td>' for value in values))


@register.filter(name="signed")
def signed_filter(value, digits: int = 1) -> str:
    """A change with its sign, in the active language's numbers: "+3.5", "-2.0"
    (reports.words.signed)."""
    try:
        return signed(None if value in (None, "") else float(value), int(digits))
    except (TypeError, ValueError):
        return ""


@register.simple_tag(takes_context=True)
def chart_table_rows(context, rows) -> SafeString:
    """The `<tr>`s of a chart's table (reports/_chart.html): the first cell of a row its
    header, the others numbers (an en dash for none). Each value is shown as `{{ value }}` shows
    it (local time, the active language's numbers, escaped); a tag rather than template
    loops because the group dashboard's tables hold about 1,500 cells, drawn on the first
    request after every change of the figures."""

    separator = get_format("DECIMAL_SEPARATOR", use_l10n=context.use_l10n)

    def shown(value) -> str:
        # Texts, whole numbers and plain floats, most of the cells, the way `localize` writes
        # them (no thousands separator: USE_THOUSAND_SEPARATOR is off), without its lookups.
        kind = type(value)
        if kind is str:
            return escape(value)
        if kind is int:
            return str(value)
        if kind is float and math.isfinite(value) and "e" not in (text := repr(value)):
            return text.replace(".", separator)
        value = template_localtime(value, use_tz=context.use_tz)
        return conditional_escape(localize(value, use_l10n=context.use_l10n))

    html = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if i == 0:
                cells.append(f'<th scope="row">{shown(value)}</th>')
            else:
                cells.append(f'<td class="num">{shown(_NONE if value is None else value)}</td>')
        html.append(f"<tr>{''.join(cells)}</tr>")
    return SafeString("".join(html))

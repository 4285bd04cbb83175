"""Filters of the dashboards' templates."""

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.urls import reverse
from django.utils.formats import date_format, get_format, localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, pgettext

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
    if type(value) is float and math.isfinite(value):
        # Half up, away from zero, as the quantize below: a float's fraction is exact, and
        # its shortest repr reaches .5 only when the float is .5 exactly.
        whole = math.floor(abs(value))
        whole += abs(value) - whole >= 0.5
        return SafeString(f'<span class="pct">{-whole if value < 0 else whole}%</span>')
    try:
        whole = int(Decimal(repr(float(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except (TypeError, ValueError, InvalidOperation):  # not a number, NaN or infinite
        return _MISSING
    return SafeString(f'<span class="pct">{whole}%</span>')


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


@register.simple_tag
def brand_project_rows(rows, sections) -> SafeString:
    """The `<tr>`s of a brand page's project table (templates/reports/brand_detail.html), one
    per `ProjectRow`, with a cell for each of `sections`: the rows of a big brand, drawn in
    Python rather than by a template loop (a third of the time). Every text is escaped; the
    sentences are the messages the template's blocks had."""
    dash = _MISSING
    # The words a row repeats (kinds, criticalities, days) are looked up once per call.
    kinds, criticalities, days = {}, {}, {}
    html = []
    for row in rows:
        project = row.project
        link = reverse("project_detail", args=[project.code])
        cells = [f'<th scope="row"><a href="{link}">{escape(project.name)}</a></th>']
        if row.overall is None:
            if row.open:
                note = f'<span class="muted">{escape(gettext("No figure yet"))}</span>'
            else:
                note = gettext('No assessment yet — <a href="%(start_url)s">start one</a>') % {
                    "start_url": link
                }
            cells.append(f'<td colspan="2">{note}</td>')
        else:
            cells.append(f'<td class="num">{percent(row.overall)}</td>')
            cells.append(f"<td>{escape(row.level) if row.level else _NONE}</td>")
        if row.open:
            open_url = reverse("assessment_detail", args=[row.open.code])
            progress = gettext(
                '<a href="%(open_url)s">%(status)s</a>, %(answered)s of %(total)s answered'
            ) % {
                "open_url": open_url,
                "status": escape(row.open.status_label),
                "answered": escape(localize(row.open.answered)),
                "total": escape(localize(row.open.total)),
            }
            cells.append(f"<td>{progress}</td>")
        else:
            cells.append(f"<td>{dash}</td>")
        if row.assessed_on:
            if row.assessed_on not in days:
                days[row.assessed_on] = escape(date_format(row.assessed_on, "DATE_FORMAT"))
            when = days[row.assessed_on]
            if row.figure_status == "submitted":
                when += f' <span class="tag">{escape(pgettext("figure", "submitted"))}</span>'
            cells.append(f'<td class="num">{when}</td>')
        else:
            cells.append(f'<td class="num">{dash}</td>')
        if project.kind not in kinds:
            kinds[project.kind] = escape(project.get_kind_display())
        if project.criticality not in criticalities:
            criticalities[project.criticality] = escape(project.get_criticality_display())
        cells.append(f"<td>{kinds[project.kind]}</td><td>{criticalities[project.criticality]}</td>")
        line = project.product_line
        cells.append(f"<td>{escape(str(line)) if line else _NONE}</td>")
        if row.overall is None:
            cells.append(f'<td class="num">{dash}</td>' * (len(sections) + 1))
        else:
            cells.append(percent_cells(row.sections))
            cells.append(f'<td class="num">{escape(localize(row.age_days))}</td>')
        html.append(f"<tr>{''.join(cells)}</tr>")
    return SafeString("".join(html))

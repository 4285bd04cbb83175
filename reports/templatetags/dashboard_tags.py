"""Filters of the dashboards' templates."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.safestring import SafeString

from reports.words import signed

register = template.Library()

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


@register.filter(name="signed")
def signed_filter(value, digits: int = 1) -> str:
    """A change with its sign, in the active language's numbers: "+3.5", "-2.0"
    (reports.words.signed)."""
    try:
        return signed(None if value in (None, "") else float(value), int(digits))
    except (TypeError, ValueError):
        return ""

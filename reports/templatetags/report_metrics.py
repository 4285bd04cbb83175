"""Durations in words for the report-jobs metrics page."""

from django import template

register = template.Library()


@register.filter
def seconds(value: float | None) -> str:
    """42.3 -> "42 s", 185 -> "3 min 5 s", 7440 -> "2 h 4 min"; None -> "—"."""
    if value is None:
        return "—"
    if value < 1:
        return "under 1 s"
    whole = round(value)
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@register.filter
def lookup(mapping: dict, key: str):
    return mapping.get(key, 0)

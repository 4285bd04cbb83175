"""Durations in words for the report-jobs metrics page."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def seconds(value: float | None) -> str:
    """42.3 -> "42 s", 185 -> "3 min 5 s", 7440 -> "2 h 4 min"; None -> "—" (in the active
    language)."""
    if value is None:
        return "—"
    if value < 1:
        return _("under 1 s")
    whole = round(value)
    if whole < 60:
        return _("%(seconds)s s") % {"seconds": whole}
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        if rest:
            return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": rest}
        return _("%(minutes)s min") % {"minutes": minutes}
    hours, minutes = divmod(minutes, 60)
    if minutes:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(hours)s h") % {"hours": hours}


@register.filter
def lookup(mapping: dict, key: str):
    return mapping.get(key, 0)

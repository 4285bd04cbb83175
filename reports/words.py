"""Stored values in words: the labels, signs and name order that pages, exports and reports
share, so that none of them prints "realtime" or sorts "Épicerie" after "Zelený"."""

import functools
from collections.abc import Iterable

from django.utils import formats

from brands.models import Criticality, ProjectKind


def choice_label(choices, value: str) -> str:
    """The human label of a stored choice ("Real-time" for "realtime"); an unknown value
    as it is."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def kind_labels(values: Iterable[str]) -> str:
    return ", ".join(choice_label(ProjectKind, v) for v in values)


def criticality_labels(values: Iterable[str]) -> str:
    return ", ".join(choice_label(Criticality, v) for v in values)


def number(
    value: float, digits: int | None = 1, *, sign: bool = False, separator: str | None = None
) -> str:
    """A number to be read by a person, as the active language writes it: "62.5" in English,
    "62,5" in French. `digits` decimals (rounded as f"{value:.1f}" rounds), or with None as
    short as it goes ("14.2857", "30"); `sign`: "+3.5" and "-3.5". Never for what a machine
    reads (chart data, styles, SVG coordinates, spreadsheet cells): those keep Python's own
    format. Figures here stay below a thousand, so no thousands separator is written.
    `separator`: the language's decimal separator when the caller has read it already (a
    chart writing hundreds of numbers reads it once)."""
    plus = "+" if sign else ""
    text = f"{float(value):{plus}g}" if digits is None else f"{float(value):{plus}.{digits}f}"
    return text.replace(".", separator or formats.get_format("DECIMAL_SEPARATOR"))


def signed(value: float | None, digits: int = 1) -> str:
    """A change with its sign, as the active language writes numbers: "+3.5", "-2.0",
    "\u00b10.0" ("+3,5" in French)."""
    if value is None:
        return "\u2013"
    rounded = round(float(value), digits)
    text = number(abs(rounded), digits)
    if rounded > 0:
        return "+" + text
    if rounded < 0:
        return "-" + text
    return "\u00b10" if digits == 0 else "\u00b1" + text


@functools.cache
def _collator():
    from pyuca import Collator

    return Collator()


@functools.lru_cache(maxsize=4096)
def name_key(name: str) -> tuple:
    """The sort key of a name by the Unicode Collation Algorithm (default table): accents
    and case come after the letters, so "Épicerie" sorts among the Es. Kept for the names
    seen last: a page sorts the same brands and projects at every request."""
    return tuple(_collator().sort_key(name or ""))


def by_name(items: Iterable, name=lambda item: item.name) -> list:
    """`items` sorted by their names in Unicode collation order."""
    return sorted(items, key=lambda item: name_key(name(item)))

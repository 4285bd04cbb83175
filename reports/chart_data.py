"""Plain inputs for the chart builders in `reports.charts`.

Selectors turn scores into these; the charts, the accessible tables, the CSV
downloads and the PDF's SVG charts all read the same values, so what a chart
shows and what its table lists cannot drift apart. Percentages run 0..100;
None means "no figure" (nothing validated yet), never zero.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class Band(Protocol):
    """A maturity band: scoring's BandSpec or a question-set version's LevelBand."""

    name: str
    min_percent: float | Decimal
    # Optional `above: bool`: the band is reached only strictly above its minimum (a version
    # whose level boundary rule is "above"); read with getattr, default False.


@dataclass(frozen=True)
class HeatmapCell:
    percent: float | None
    n: int = 0  # projects behind the figure
    first: datetime.date | None = None  # oldest assessment date among them
    last: datetime.date | None = None  # newest


@dataclass(frozen=True)
class TrendPoint:
    label: str  # e.g. "2025 Q1"
    percent: float | None
    n: int = 0


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[TrendPoint]


@dataclass(frozen=True)
class RoundMarker:
    """A closed round as a named point of a trend: its figure at the quarter it closed in.

    `label` is the trend's x label of that quarter; a marker whose label is not among a
    chart's quarters is left out of the chart (its table still lists it).
    """

    name: str  # e.g. "2026 Q3 round"
    label: str  # e.g. "2026 Q3"
    percent: float | None  # None: nothing validated in it (not drawn)
    n: int = 0  # projects validated in it

    @property
    def text(self) -> str:
        """ "2026 Q3 round: 52.4%, 12 projects" (hover text and the SVG's <title>), in the
        active language."""
        from reports.words import number

        if self.percent is None:
            figure = _("no validated figure")
        else:
            figure = _("%(percent)s%%") % {"percent": number(self.percent, 1)}
        projects = ngettext("%(count)s project", "%(count)s projects", self.n) % {"count": self.n}
        return _("%(round)s: %(figure)s, %(projects)s") % {
            "round": self.name,
            "figure": figure,
            "projects": projects,
        }


@dataclass(frozen=True)
class SectionFigure:
    """One section of a profile, with an optional comparison group (median, quartiles, size)."""

    section: str
    percent: float | None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    n: int = 0  # size of the comparison group


@dataclass(frozen=True)
class Mover:
    name: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class ChartTable:
    """The numbers behind a chart: an accessible table and the CSV download.

    The first cell of each row is the row's header (`<th scope="row">`).
    Numbers stay numbers so that the CSV carries them as such.
    """

    caption: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]] = field(default_factory=list)

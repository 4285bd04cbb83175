"""Chart definitions for the dashboards: plotly.js figures from plain inputs.

Pure: no database access. Selectors produce the inputs (`reports.chart_data`);
these functions decide how they look. Every view uses one colour scale, tied
to the question set's maturity bands, so a colour means the same level
everywhere (dashboards, the PDF's SVG charts in `reports.svg`, the Excel
workbook).

Text that users typed (brand, project and section names) goes into plotly as
HTML-escaped text: plotly.js renders labels and hovers as a small subset of
HTML and decodes entities, so escaped names show as typed and cannot become
markup.

Titles, axis titles, legend names and hover texts are in the active language, with
numbers written as it writes them ("62,5 %" is the translators' call); the figures
themselves (x, y, z) stay numbers in the JSON.

A figure is the plain dict plotly.js reads ({"data": [traces], "layout": {...}}), built
here directly: plotly's Python figure objects cost more than reading the figures at group
scale, and the page needs only their JSON. The dicts are laid out as plotly's objects
wrote them (a trace's properties in alphabetical order with its type last, the layout's
top-level properties in alphabetical order), so the JSON is the same text;
tests/reports/test_charts.py builds every kind through plotly with its checks on and
asserts the same output.
"""

import bisect
import datetime
import functools
import json
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from html import escape

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from reports.chart_data import Band, HeatmapCell, Mover, RoundMarker, SectionFigure, Series
from reports.words import number

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif'
INK = "#1d2430"
MUTED = "#5f6b7a"
LINE = "#d9dee5"
ACCENT = "#1f5fae"
WARN = "#a35c00"
NO_DATA = "#eceff3"  # cells without a figure, and figures below the lowest band
WHITE = "#ffffff"
DASH = "\u2013"  # en dash, for ranges and missing figures

# ColorBrewer YlGnBu, the class sets as published for 3..9 classes: sequential,
# colour-blind safe and distinct in greyscale print. Darker means more mature.
_YLGNBU = {
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
    7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
    8: ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
    9: (
        "#ffffd9",
        "#edf8b1",
        "#c7e9b4",
        "#7fcdbb",
        "#41b6c4",
        "#1d91c0",
        "#225ea8",
        "#253494",
        "#081d58",
    ),
}

# Okabe-Ito: lines for series (brands) that have no order among themselves.
SERIES_COLOURS = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#f0e442",
    "#000000",
)

# Figures of groups smaller than this are never shown (DESIGN.md). Selectors
# enforce it; the charts check again so that a slip cannot reach a screen.
MIN_GROUP = 3

CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "displayModeBar": False,
}

# Our plotly template, written as plotly writes a template (every key in alphabetical order).
_TEMPLATE_LAYOUT = {
    "colorway": list(SERIES_COLOURS),
    "font": {"color": INK, "family": FONT, "size": 13},
    "hoverlabel": {"font": {"family": FONT}},
    "paper_bgcolor": WHITE,
    "plot_bgcolor": WHITE,
    "xaxis": {"gridcolor": LINE, "linecolor": LINE, "zeroline": False},
    "yaxis": {"gridcolor": LINE, "linecolor": LINE, "zeroline": False},
}


# --- colour scale ------------------------------------------------------------


def _sorted_bands(bands: Iterable[Band]) -> list[tuple[float, str]]:
    """(min_percent, name) lowest first; bands with the same minimum keep their given order."""
    return sorted(((float(b.min_percent), b.name) for b in bands), key=lambda band: band[0])


def _palette(count: int) -> tuple[str, ...]:
    if count <= 3:
        return _YLGNBU[3][3 - count :] if count else ()
    if count <= 9:
        return _YLGNBU[count]
    # More bands than any published class set: spread them over the widest one.
    widest = _YLGNBU[9]
    return tuple(widest[round(i * 8 / (count - 1))] for i in range(count))


def level_colours(bands: Iterable[Band]) -> list[tuple[float, str]]:
    """(min_percent, colour) per band, lowest band first, with the bands' own thresholds."""
    ordered = _sorted_bands(bands)
    return [(m, c) for (m, _), c in zip(ordered, _palette(len(ordered)), strict=True)]


class Levels:
    """The bands read once, for the many figures of a chart: the band each figure reaches,
    with the same rule as scoring's `level_for` (at or above a band's minimum, or strictly
    above it for a band marked `above`), its name and its colour."""

    def __init__(self, bands: Iterable[Band]):
        ordered = sorted(bands, key=lambda b: float(b.min_percent))  # as _sorted_bands
        self._limits = [(float(b.min_percent), bool(getattr(b, "above", False))) for b in ordered]
        self._minima = [minimum for minimum, _ in self._limits]
        self._names = [b.name for b in ordered]
        self._colours = [colour for _, colour in level_colours(ordered)]

    def index(self, percent: float | None) -> int | None:
        """Index (lowest band first, as `_sorted_bands`) of the band `percent` reaches; None
        below every band or without a figure."""
        if percent is None:
            return None
        value = round(percent, 9)
        # The bands below `value` are reached; of those starting at it, the ones not marked
        # `above` (the minima are sorted: a bisection, then the few equal to it).
        reached = bisect.bisect_left(self._minima, value) - 1
        for index in range(reached + 1, bisect.bisect_right(self._minima, value)):
            if not self._limits[index][1]:
                reached = index
        return None if reached < 0 else reached

    def name(self, percent: float | None) -> str:
        index = self.index(percent)
        return "" if index is None else self._names[index]

    def colour(self, percent: float | None) -> str:
        index = self.index(percent)
        return NO_DATA if index is None else self._colours[index]


def _reached(percent: float | None, bands: Iterable[Band]) -> int | None:
    """Index (lowest band first, as `_sorted_bands`) of the band `percent` reaches (`Levels`)."""
    return Levels(bands).index(percent)


def colour_for(percent: float | None, bands: Iterable[Band]) -> str:
    """The colour of the band `percent` falls in (the same rule as scoring's `level_for`)."""
    return Levels(bands).colour(percent)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@functools.lru_cache(maxsize=256)
def text_colour_on(background: str) -> str:
    """Ink or white, whichever reads better on `background`; black where neither reaches 4.5:1.

    Between black and white one always reaches 4.5:1 (WCAG AA for normal text).
    """
    best = max((INK, WHITE), key=lambda colour: contrast_ratio(colour, background))
    return best if contrast_ratio(best, background) >= 4.5 else "#000000"


def band_legend(bands: Iterable[Band]) -> list[tuple[str, float, float, str]]:
    """(name, from %, to %, colour) per band, for legends and table captions."""
    ordered = _sorted_bands(bands)
    colours = _palette(len(ordered))
    legend = []
    for i, ((minimum, name), colour) in enumerate(zip(ordered, colours, strict=True)):
        upper = ordered[i + 1][0] if i + 1 < len(ordered) else 100.0
        legend.append((name, minimum, upper, colour))
    return legend


def colorscale(bands: Iterable[Band]) -> list[list]:
    """A plotly colorscale for values 0..100 with hard steps at the band boundaries.

    Use with zmin=0, zmax=100. Values below the lowest band take the no-data colour.
    """
    steps = level_colours(bands)
    if not steps:
        return [[0.0, NO_DATA], [1.0, NO_DATA]]
    scale: list[list] = []
    if steps[0][0] > 0:
        scale += [[0.0, NO_DATA], [steps[0][0] / 100, NO_DATA]]
    for i, (minimum, colour) in enumerate(steps):
        upper = steps[i + 1][0] if i + 1 < len(steps) else 100.0
        scale += [[minimum / 100, colour], [upper / 100, colour]]
    return scale


def level_name(percent: float | None, bands: Iterable[Band]) -> str:
    """The name of the band `percent` reaches ("" below every band or without a figure)."""
    return Levels(bands).name(percent)


# --- helpers -----------------------------------------------------------------


def percent_text(percent: float | None, digits: int = 0) -> str:
    """A percentage as a person reads it in the active language: "62%"."""
    if percent is None:
        return DASH
    return _("%(percent)s%%") % {"percent": number(percent, digits)}


_pct = percent_text


def _projects(n: int) -> str:
    return ngettext("%(count)s project", "%(count)s projects", n) % {"count": n}


class _Words:
    """Percentages and project counts in the active language for the many points of one
    chart: the translations and the decimal separator are looked up once (a lookup costs
    more than the rest of a hover text)."""

    def __init__(self):
        self._percent = _("%(percent)s%%")
        self._separator = formats.get_format("DECIMAL_SEPARATOR")
        self._projects: dict[int, str] = {}

    def pct(self, percent: float | None, digits: int = 0) -> str:
        """As `percent_text`."""
        if percent is None:
            return DASH
        return self._percent % {"percent": number(percent, digits, separator=self._separator)}

    def projects(self, n: int) -> str:
        """As `_projects`."""
        if n not in self._projects:
            self._projects[n] = _projects(n)
        return self._projects[n]


def _range(lower: float, upper: float) -> str:
    """A band's range: "40 to 60%" with an en dash."""
    words = {"lower": number(lower, 0), "upper": number(upper, 0)}
    return _("%(lower)s–%(upper)s%%") % words  # noqa: RUF001


def _sorted(value):
    """`value` with the keys of every dict in it in alphabetical order, as plotly's objects
    keep a trace's properties and their parts."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    return value


def trace(kind: str, **properties) -> dict:
    """A trace of plotly.js type `kind` ("scatter", "bar", "heatmap") as plotly writes it."""
    return {**_sorted(properties), "type": kind}


def _figure(title: str, height: int, **layout) -> dict:
    """A figure without traces: our template, the title at the left, the given layout."""
    layout = {
        "template": {"layout": _TEMPLATE_LAYOUT},
        "title": {"text": escape(str(title)), "x": 0, "xanchor": "left", "font": {"size": 16}},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 40, "autoexpand": True},
        **layout,
    }
    return {"data": [], "layout": {key: layout[key] for key in sorted(layout)}}


# A horizontal legend at the very bottom of the chart's box, below the x axis and its title
# (a legend placed relative to the plot overlapped the axis title).
BOTTOM_LEGEND = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0}


def _percent_axis(title: str = "%") -> dict:
    # A hair past 100 so that the 100 tick and a full bar's outline are drawn.
    return {"range": [0, 100.5], "title": {"text": str(title)}, "dtick": 20}


def _band_backgrounds(bands: Iterable[Band], axis: str = "y") -> list[dict]:
    """Light bands behind a 0..100 axis so that each line or bar reads against the levels."""
    shapes = []
    for name, lower, upper, colour in band_legend(bands):
        span = {f"{axis}0": lower, f"{axis}1": upper}
        other = "x" if axis == "y" else "y"
        shapes.append(
            {
                "type": "rect",
                "xref": "paper" if axis == "y" else "x",
                "yref": "paper" if axis == "x" else "y",
                f"{other}0": 0,
                f"{other}1": 1,
                **span,
                "fillcolor": colour,
                "opacity": 0.18,
                "line": {"width": 0},
                "layer": "below",
                "name": name,
            }
        )
    return shapes


# --- figures -------------------------------------------------------------------


def heatmap(
    *,
    rows: Sequence[str],
    cols: Sequence[str],
    cells: Sequence[Sequence[HeatmapCell]],
    bands: Iterable[Band],
    title: str | None = None,
) -> dict:
    """Rows (brands) x columns (sections); the colour is the level band, the number the %."""
    title = title or _("Maturity by brand and section")
    bands = list(bands)
    levels = Levels(bands)
    if len(cells) != len(rows) or any(len(r) != len(cols) for r in cells):
        raise ValueError("cells must have one row per row label and one value per column")
    words = _Words()
    no_figure = _("No validated figure")
    with_level = _("%(figure)s (%(level)s)")
    assessed_between = _("assessed %(first)s to %(last)s")
    assessed_on = _("assessed %(day)s")
    z, text, hover = [], [], []
    for row_name, row in zip(rows, cells, strict=True):
        z.append([c.percent for c in row])
        text.append(["" if c.percent is None else f"{c.percent:.0f}" for c in row])
        hover_row = []
        for col_name, cell in zip(cols, row, strict=True):
            lines = [f"<b>{escape(row_name)}</b> · {escape(col_name)}"]
            if cell.percent is None:
                lines.append(no_figure)
            else:
                level = levels.name(cell.percent)
                figure = words.pct(cell.percent, 1)
                lines.append(
                    with_level % {"figure": figure, "level": escape(level)} if level else figure
                )
                lines.append(words.projects(cell.n))
                if cell.first and cell.last and cell.last != cell.first:
                    lines.append(
                        assessed_between
                        % {"first": cell.first.isoformat(), "last": cell.last.isoformat()}
                    )
                elif cell.first and cell.last:
                    lines.append(assessed_on % {"day": cell.first.isoformat()})
            hover_row.append("<br>".join(lines))
        hover.append(hover_row)
    labels = [escape(c) for c in cols]
    # Section titles are long: wrap them onto short lines so the columns do not collide.
    # Words are never cut: a long word ("d'approvisionnement") keeps a line of its own.
    wrapped = [
        "<br>".join(textwrap.wrap(label, 16, break_long_words=False)) or label for label in labels
    ]
    fig = _figure(
        title,
        height=max(340, 90 + 30 * len(rows)),
        xaxis={
            "side": "top",
            "tickangle": 0,
            "automargin": True,
            "showgrid": False,
            "tickmode": "array",
            "tickvals": labels,
            "ticktext": wrapped,
        },
        yaxis={"autorange": "reversed", "automargin": True, "showgrid": False},
    )
    fig["layout"]["margin"]["t"] = 120
    fig["data"].append(
        trace(
            "heatmap",
            z=z,
            x=labels,
            y=[escape(r) for r in rows],
            text=text,
            texttemplate="%{text}",
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            colorscale=colorscale(bands),
            zmin=0,
            zmax=100,
            xgap=2,
            ygap=2,
            colorbar=_band_colorbar(bands),
        )
    )
    return fig


def _band_colorbar(bands: list[Band]) -> dict:
    legend = band_legend(bands)
    return {
        "title": {"text": pgettext("maturity", "Level")},
        "tickvals": [(lower + upper) / 2 for _, lower, upper, _ in legend],
        "ticktext": [escape(name) for name, *_ in legend],
        "ticks": "",
        "thickness": 14,
        "lenmode": "pixels",  # room for every band's name, however few rows there are
        "len": 32 * max(len(legend), 5),
        "yanchor": "top",
        "y": 1,
    }


# Above this many lines (a group of about twenty brands) the trend highlights the
# highest and lowest few and draws the others thin and grey, with a vertical
# legend ranked by the latest figure; every line keeps its hover and legend entry.
MANY_SERIES = len(SERIES_COLOURS)
HIGHLIGHTED = 3  # at each end
BACKGROUND_LINE = "#b9c1cc"


def _latest_percent(s: Series) -> float | None:
    return next((p.percent for p in reversed(s.points) if p.percent is not None), None)


def trend_order(series: Sequence[Series]) -> tuple[list[Series], set[int]]:
    """The series ranked by their latest figure (highest first, those without one last) and,
    when there are more than MANY_SERIES, the positions of the HIGHLIGHTED highest and lowest
    (all of them otherwise)."""
    ranked = sorted(
        series,
        key=lambda s: (_latest_percent(s) is None, -(_latest_percent(s) or 0), s.name),
    )
    if len(ranked) <= MANY_SERIES:
        return list(series), set(range(len(series)))
    with_figure = [i for i, s in enumerate(ranked) if _latest_percent(s) is not None]
    return ranked, set(with_figure[:HIGHLIGHTED] + with_figure[-HIGHLIGHTED:])


def from_first_figure(series: Sequence[Series]) -> list[Series]:
    """The series without their leading quarters in which no series has a figure, so that a
    trend's axis starts where the data does (the tables keep every quarter)."""
    with_data = {p.label for s in series for p in s.points if p.percent is not None}
    trimmed = []
    for s in series:
        points = list(s.points)
        while points and points[0].label not in with_data:
            points.pop(0)
        trimmed.append(Series(name=s.name, points=points))
    return trimmed


ROUNDS = gettext_lazy("Rounds")  # the name of the closed rounds' marker series


def drawn_rounds(series: Sequence[Series], rounds: Iterable[RoundMarker]) -> list[RoundMarker]:
    """The rounds a trend of `series` draws: those with a figure at one of its quarters (after
    `from_first_figure`); the others are left out of the chart, not of its table."""
    labels = {p.label for s in from_first_figure(series) for p in s.points}
    return [r for r in rounds if r.percent is not None and r.label in labels]


def trend_lines(
    *,
    series: Sequence[Series],
    bands: Iterable[Band],
    title: str | None = None,
    rounds: Sequence[RoundMarker] = (),
) -> dict:
    """One line per series (brand) over quarters; hover says how many projects a point covers.

    `rounds`, the closed rounds, are a series of their own named "Rounds": a diamond at the
    quarter each closed in, at its figure, with its name beside it (never a line).

    With many series the legend is a ranking beside the chart (it scrolls), the highest
    and lowest few lines are coloured and the rest are thin and grey; clicking an entry
    hides its line, double-clicking shows it alone. The numbers of every line stay in the
    chart's table.
    """
    title = title or _("Maturity over time")
    bands = list(bands)
    levels = Levels(bands)
    ordered, highlighted = trend_order(from_first_figure(series))
    many = len(ordered) > MANY_SERIES
    legend = BOTTOM_LEGEND
    if many:
        legend = {
            "orientation": "v",
            "x": 1.02,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "font": {"size": 11},
            "title": {"text": _("Latest figure, highest first")},
            "itemdoubleclick": "toggleothers",
        }
    fig = _figure(
        title,
        height=440 if many else 380,
        yaxis=_percent_axis(_("Overall %")),
        xaxis={"type": "category", "showgrid": False},
        shapes=_band_backgrounds(bands),
        legend=legend,
        hovermode="closest",
        # Room for the percent ticks and the axis title, which the narrow default cut off.
        margin={"l": 64, "r": 10, "t": 50, "b": 40 if many else 90, "autoexpand": True},
    )
    colours = iter(SERIES_COLOURS * 2)
    styles: dict[int, dict] = {}
    for i in range(len(ordered)):
        if not many:
            styles[i] = {}
        elif i in highlighted:
            styles[i] = {
                "line": {"color": next(colours), "width": 3},
                "marker": {"size": 7},
                "legendrank": 1000 + i,
            }
        else:
            styles[i] = {
                "line": {"color": BACKGROUND_LINE, "width": 1},
                "marker": {"size": 4, "color": BACKGROUND_LINE},
                "legendrank": 1000 + i,
            }
    # The highlighted lines are drawn last, over the grey ones; the legend keeps the ranking.
    drawing = sorted(range(len(ordered)), key=lambda i: (many and i in highlighted, i))
    words = _Words()
    with_level = _("%(figure)s (%(level)s)")
    no_level = _("no level")
    fig["data"].extend(
        [
            trace(
                "scatter",
                name=escape(ordered[i].name),
                x=[p.label for p in ordered[i].points],
                y=[p.percent for p in ordered[i].points],
                mode="lines+markers",
                connectgaps=False,
                customdata=[[p.n] for p in ordered[i].points],
                hovertext=[
                    f"<b>{escape(ordered[i].name)}</b> · {escape(p.label)}<br>"
                    + with_level
                    % {
                        "figure": words.pct(p.percent),
                        "level": escape(levels.name(p.percent)) or no_level,
                    }
                    + f"<br>{words.projects(p.n)}"
                    for p in ordered[i].points
                ],
                hovertemplate="%{hovertext}<extra></extra>",
                **styles[i],
            )
            for i in drawing
        ]
    )
    shown = drawn_rounds(ordered, rounds)
    if shown:
        fig["data"].append(
            trace(
                "scatter",
                name=str(ROUNDS),
                x=[r.label for r in shown],
                y=[r.percent for r in shown],
                mode="markers+text",
                marker={
                    "symbol": "diamond",
                    "size": 13,
                    "color": INK,
                    "line": {"color": WHITE, "width": 1.5},
                },
                text=[escape(r.name) for r in shown],
                textposition="top center",
                textfont={"size": 11, "color": INK},
                customdata=[[r.n] for r in shown],
                hovertext=[escape(r.text) for r in shown],
                hovertemplate="%{hovertext}<extra></extra>",
                legendrank=1,
            )
        )
    return fig


def distribution_counts(values: Iterable[float], bands: Iterable[Band]) -> list[tuple[str, int]]:
    """How many values fall in each band, lowest band first (values below every band are left out)."""
    bands = list(bands)
    levels = Levels(bands)
    counts = dict.fromkeys((name for _, name in _sorted_bands(bands)), 0)
    for value in values:
        name = levels.name(value)
        if name:
            counts[name] += 1
    return list(counts.items())


def distribution(
    *,
    values: Sequence[float],
    bands: Iterable[Band],
    title: str | None = None,
) -> dict:
    """A bar per level band: how many project scores fall in it."""
    title = title or _("Projects by maturity level")
    bands = list(bands)
    legend = band_legend(bands)
    counts = dict(distribution_counts(values, bands))
    labels = [f"{escape(name)}<br>{_range(lower, upper)}" for name, lower, upper, _c in legend]
    fig = _figure(
        title,
        height=320,
        xaxis={"type": "category", "showgrid": False, "automargin": True},
        yaxis={"title": {"text": _("Projects")}, "rangemode": "tozero"},
        showlegend=False,
        # Room for the count ticks beside the axis title, which the narrow default clipped.
        margin={"l": 64, "r": 10, "t": 50, "b": 70, "autoexpand": True},
    )
    fig["data"].append(
        trace(
            "bar",
            x=labels,
            y=[counts[name] for name, *_ in legend],
            marker={"color": [c for *_, c in legend], "line": {"color": INK, "width": 0.5}},
            text=[str(counts[name]) for name, *_ in legend],
            textposition="outside",
            hovertext=[
                f"<b>{escape(name)}</b> ({_range(lower, upper)})<br>{_projects(counts[name])}"
                for name, lower, upper, _c in legend
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    return fig


def section_profile(
    *,
    sections: Sequence[SectionFigure],
    bands: Iterable[Band],
    title: str | None = None,
    label: str | None = None,
    comparison: str | None = None,
) -> dict:
    """Bars of the figure per section; the comparison group's median with its quartiles as whiskers."""
    title = title or _("Section profile")
    label = label or _("This project")
    comparison = comparison or pgettext("comparison", "Group")
    levels = Levels(bands)
    names = [escape(s.section) for s in sections]
    fig = _figure(
        title,
        height=max(300, 110 + 34 * len(sections)),
        xaxis=_percent_axis(_("Score %")),
        yaxis={"autorange": "reversed", "automargin": True, "showgrid": False},
        legend=BOTTOM_LEGEND,
        margin={"l": 10, "r": 10, "t": 50, "b": 90, "autoexpand": True},
        barmode="overlay",
    )
    fig["data"].append(
        trace(
            "bar",
            name=escape(label),
            orientation="h",
            y=names,
            x=[s.percent for s in sections],
            marker={
                "color": [levels.colour(s.percent) for s in sections],
                "line": {"color": INK, "width": 0.5},
            },
            hovertext=[
                f"<b>{escape(s.section)}</b><br>"
                + _("%(name)s: %(figure)s") % {"name": escape(label), "figure": _pct(s.percent)}
                for s in sections
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    shown = [s for s in sections if s.median is not None and s.n >= MIN_GROUP]
    if shown:
        fig["data"].append(
            trace(
                "scatter",
                name=_("%(group)s median and quartiles") % {"group": escape(comparison)},
                mode="markers",
                y=[escape(s.section) for s in shown],
                x=[s.median for s in shown],
                marker={"symbol": "diamond", "size": 10, "color": INK},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [(s.q3 - s.median) if s.q3 is not None else 0 for s in shown],
                    "arrayminus": [(s.median - s.q1) if s.q1 is not None else 0 for s in shown],
                    "color": INK,
                    "thickness": 1.5,
                    "width": 6,
                },
                customdata=[[s.n] for s in shown],
                hovertext=[
                    f"<b>{escape(s.section)}</b><br>"
                    + _("%(group)s median %(median)s (quartiles %(lower)s to %(upper)s)")
                    % {
                        "group": escape(comparison),
                        "median": _pct(s.median),
                        "lower": _pct(s.q1),
                        "upper": _pct(s.q3),
                    }
                    + f"<br>{_projects(s.n)}"
                    for s in shown
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    return fig


def core_counts(per_project: Iterable[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(core statements met, projects meeting all that apply to them, the other projects),
    for every count from 0 to the most core statements any project has."""
    per_project = list(per_project)
    counted = Counter((met, met == total) for met, total in per_project)
    top = max((total for _, total in per_project), default=0)
    return [(met, counted[met, True], counted[met, False]) for met in range(top + 1)]


def _core_hover(met: int, projects: int, *, all_met: bool) -> str:
    """ "3 core statements met: 2 projects (all core met)"."""
    if all_met:
        text = ngettext(
            "%(count)s core statement met: %(projects)s (all core met)",
            "%(count)s core statements met: %(projects)s (all core met)",
            met,
        )
    else:
        text = ngettext(
            "%(count)s core statement met: %(projects)s (some core missed)",
            "%(count)s core statements met: %(projects)s (some core missed)",
            met,
        )
    return text % {"count": met, "projects": _projects(projects)}


def core_distribution(
    *,
    per_project: Iterable[tuple[int, int]],
    title: str | None = None,
) -> dict:
    """How many core statements each project meets: a bar per count, split into projects that
    meet every core statement applying to them and those that miss some."""
    title = title or _("Projects by core statements met")
    rows = core_counts(per_project)
    fig = _figure(
        title,
        height=320,
        barmode="stack",
        xaxis={
            "type": "category",
            "title": {"text": _("Core statements met")},
            "showgrid": False,
        },
        yaxis={"title": {"text": _("Projects")}, "rangemode": "tozero"},
        legend=BOTTOM_LEGEND,
        margin={"l": 64, "r": 10, "t": 50, "b": 100, "autoexpand": True},
    )
    for name, index, colour in (
        (_("All core met"), 1, "#253494"),
        (_("Some core missed"), 2, "#c3c8d0"),
    ):
        fig["data"].append(
            trace(
                "bar",
                name=name,
                x=[str(row[0]) for row in rows],
                y=[row[index] for row in rows],
                marker={"color": colour},
                hovertext=[_core_hover(row[0], row[index], all_met=index == 1) for row in rows],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    return fig


def core_share(*, met: int, total: int, title: str | None = None) -> dict:
    """One stacked bar: projects meeting every core statement vs the rest."""
    if met < 0 or total < 0 or met > total:
        raise ValueError(f"met ({met}) must be between 0 and total ({total})")
    title = title or _("Projects meeting all core statements")
    share = met / total * 100 if total else 0.0
    fig = _figure(
        _("%(title)s: %(count)s of %(total)s") % {"title": title, "count": met, "total": total}
        if total
        else title,
        height=170,
        barmode="stack",
        xaxis={"range": [0, max(total, 1)], "title": {"text": _("Projects")}, "showgrid": False},
        yaxis={"visible": False},
        legend={"orientation": "h", "y": -0.6},
    )
    fig["layout"]["margin"]["b"] = 60
    for name, count, colour in (
        (_("All core met"), met, "#253494"),
        (_("Core missed"), total - met, LINE),
    ):
        fig["data"].append(
            trace(
                "bar",
                name=name,
                orientation="h",
                y=[_("Projects")],
                x=[count],
                marker={"color": colour},
                text=[str(count)] if count else [""],
                textposition="inside",
                insidetextanchor="middle",
                textfont={"color": text_colour_on(colour)},
                hovertext=[
                    _("%(name)s: %(count)s of %(total)s (%(share)s)")
                    % {
                        "name": name,
                        "count": count,
                        "total": total,
                        "share": _pct(count / total * 100 if total else 0),
                    }
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    fig["layout"]["meta"] = {"share": share}  # last, as plotly added it
    return fig


def movers(
    *,
    items: Sequence[Mover],
    title: str | None = None,
    limit: int | None = 10,
) -> dict:
    """Horizontal bars of the change in percentage points, the largest moves first.

    Up and down are blue and orange (told apart with any colour vision) and
    carry a sign in their label, so colour is never the only cue.
    """
    title = title or _("Movers of the quarter")
    ranked = sorted(items, key=lambda m: (-abs(m.delta), m.name))
    if limit is not None:
        ranked = ranked[:limit]
    fig = _figure(
        title,
        height=max(220, 80 + 30 * len(ranked)),
        xaxis={"title": {"text": _("Change (points)")}, "zeroline": True, "zerolinecolor": MUTED},
        yaxis={"autorange": "reversed", "automargin": True, "showgrid": False},
        showlegend=False,
    )
    fig["data"].append(
        trace(
            "bar",
            orientation="h",
            y=[escape(m.name) for m in ranked],
            x=[m.delta for m in ranked],
            marker={"color": [ACCENT if m.delta >= 0 else WARN for m in ranked]},
            text=[number(m.delta, 1, sign=True) for m in ranked],
            textposition="outside",
            customdata=[[m.before, m.after] for m in ranked],
            hovertext=[
                f"<b>{escape(m.name)}</b><br>"
                + _("%(before)s → %(after)s (%(change)s points)")
                % {
                    "before": _pct(m.before, 1),
                    "after": _pct(m.after, 1),
                    "change": number(m.delta, 1, sign=True),
                }
                for m in ranked
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    return fig


# --- embedding -------------------------------------------------------------------


def _plain(value):
    """What plotly's JSON encoder made of the values our inputs may hold besides JSON's own."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def figure_json(fig: dict) -> str:
    """The figure as JSON (its data and layout), the same text plotly wrote: NaN and
    infinities become null."""
    payload = {"data": fig.get("data", []), "layout": fig.get("layout", {})}
    text = json.dumps(payload, default=_plain)
    if "NaN" in text or "Infinity" in text:
        text = json.dumps(json.loads(text, parse_constant=lambda _: None))
    return text


def figure_data(fig: dict) -> dict:
    """What `templates/reports/_chart.html` embeds: data, layout and our plotly.js config,
    as plain JSON values (lists, floats, strings) of their own."""
    payload = json.loads(figure_json(fig))
    return {"data": payload["data"], "layout": payload["layout"], "config": CONFIG}

"""Small SVG charts drawn in pure Python, for the PDF reports and as the no-JavaScript fallback.

plotly.py's own image export needs kaleido and a browser; workers have
neither (DESIGN.md), so these string builders draw the same charts with the
same colour scale (`reports.charts`). Every piece of text goes through
`xml.sax.saxutils` escaping; the output is a standalone, well-formed
`<svg>` element with a `<title>` as its accessible name.

Coordinates and sizes are written by Python's own number format (a dot, whatever the
language: a PDF or a browser reads them); the words and the figures a person reads are in
the active language.
"""

import textwrap
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

from django.utils import formats
from django.utils.translation import gettext as _

from reports.chart_data import Band, HeatmapCell, RoundMarker, Series
from reports.charts import (
    DASH,
    FONT,
    INK,
    LINE,
    MUTED,
    ROUNDS,
    SERIES_COLOURS,
    WHITE,
    Levels,
    band_legend,
    drawn_rounds,
    from_first_figure,
    text_colour_on,
)
from reports.words import number

_SVG_FONT = '"DejaVu Sans", ' + FONT.split(",")[-1].strip()  # what WeasyPrint has everywhere
_CHAR = 0.58  # average glyph width as a share of the font size, to size label columns


def _num(value: float) -> str:
    """A coordinate or a size: never localised, an SVG reader wants a dot."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _pct(value: float, digits: int = 0) -> str:
    """A percentage a person reads ("62%"), in the active language."""
    return _("%(percent)s%%") % {"percent": number(value, digits)}


def _text(x: float, y: float, content: str, *, size: int = 12, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{size}"{extra}>{escape(str(content))}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return (
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" height="{_num(max(h, 0))}"'
        f" fill={quoteattr(fill)}{extra}/>"
    )


# The top band a chart's visible title takes (its baseline is at 18).
_TITLE_BAND = 26


def _svg(
    width: float,
    height: float,
    title: str,
    body: list[str],
    desc: str = "",
    *,
    show_title: bool = True,
) -> str:
    """The chart. Without `show_title` (a report whose heading already says it) the visible
    title (the first element of `body`) and its band are left out; <title> stays, as the
    chart's accessible name."""
    top = 0
    if not show_title:
        body = body[1:]
        top = _TITLE_BAND
        height -= _TITLE_BAND
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg"'
        f' viewBox="0 {_num(top)} {_num(width)} {_num(height)}"'
        f' width="{_num(width)}" height="{_num(height)}" role="img"'
        f" font-family={quoteattr(_SVG_FONT)} fill={quoteattr(INK)}>"
        f"<title>{escape(str(title))}</title>"
    )
    if desc:
        head += f"<desc>{escape(str(desc))}</desc>"
    return head + "".join(body) + "</svg>"


def _label_width(labels: Iterable[str], size: int = 12) -> float:
    return max((len(label) for label in labels), default=0) * size * _CHAR + 12


def _label_lines(label: str) -> list[str]:
    """A quarter label with a note in brackets ("2026 Q4 (so far)") as two lines."""
    head, sep, note = label.partition(" (")
    return [head, sep.strip() + note] if sep else [label]


def _legend(bands: Iterable[Band], x: float, y: float) -> tuple[list[str], float]:
    """A row of band swatches with their names and ranges; returns the parts and the row's end."""
    parts = []
    for name, lower, upper, colour in band_legend(bands):
        label = _("%(level)s %(lower)s–%(upper)s%%") % {  # noqa: RUF001
            "level": name,
            "lower": number(lower, 0),
            "upper": number(upper, 0),
        }
        parts.append(_rect(x, y - 10, 12, 12, colour, stroke=MUTED, stroke_width="0.5"))
        parts.append(_text(x + 16, y, label, size=11))
        x += 16 + len(label) * 11 * _CHAR + 14
    return parts, x


def svg_bar_chart(
    *,
    labels: Sequence[str],
    values: Sequence[float | None],
    bands: Iterable[Band],
    title: str,
    width: int = 640,
    markers: Sequence[tuple[float | None, float | None, float | None]] | None = None,
    marker_name: str = "",
    show_title: bool = True,
) -> str:
    """Horizontal bars of percentages, one per label, coloured by level band.

    `markers`, one per label, draw a comparison group on each bar: a diamond
    at its median with a whisker from the lower to the upper quartile
    (median, lower quartile, upper quartile; None leaves that bar without
    one). `marker_name` names them in the key.
    """
    bands = list(bands)
    levels = Levels(bands)
    if len(labels) != len(values):
        raise ValueError("one value per label")
    if markers is not None and len(markers) != len(labels):
        raise ValueError("one marker (or None) per label")
    compared = any(m is not None and m[0] is not None for m in markers or ())
    bar, gap, top = 20, 8, 36
    left = _label_width(labels)
    plot_w = width - left - 50
    height = top + len(labels) * (bar + gap) + 60
    body = [_text(0, 18, title, size=15, font_weight="bold")]
    axis_y = top + len(labels) * (bar + gap)
    for tick in range(0, 101, 20):
        x = left + plot_w * tick / 100
        body.append(
            f'<line x1="{_num(x)}" y1="{top - 4}" x2="{_num(x)}" y2="{_num(axis_y)}"'
            f' stroke="{LINE}" stroke-width="1"/>'
        )
        body.append(_text(x, axis_y + 14, _pct(tick), size=10, text_anchor="middle", fill=MUTED))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (bar + gap)
        body.append(_text(left - 8, y + bar * 0.7, label, text_anchor="end"))
        if value is None:
            body.append(
                _text(left + 4, y + bar * 0.7, _("%(dash)s no figure") % {"dash": DASH}, fill=MUTED)
            )
            continue
        w = plot_w * max(0.0, min(value, 100.0)) / 100
        body.append(_rect(left, y, w, bar, levels.colour(value), stroke=INK, stroke_width="0.5"))
        # With comparison markers the figure goes in a column right of the plot, clear of
        # the whiskers; without, at the bar's end.
        value_x = left + plot_w + 8 if compared else left + w + 4
        body.append(_text(value_x, y + bar * 0.7, _pct(value)))
    drawn = False
    for i, marker in enumerate(markers or ()):
        median, lower, upper = marker if marker is not None else (None, None, None)
        if median is None:
            continue
        drawn = True
        y = top + i * (bar + gap) + bar / 2

        def x_of(percent: float) -> float:
            return left + plot_w * max(0.0, min(percent, 100.0)) / 100

        if lower is not None and upper is not None:
            body.append(
                f'<line x1="{_num(x_of(lower))}" y1="{_num(y)}" x2="{_num(x_of(upper))}"'
                f' y2="{_num(y)}" stroke="{INK}" stroke-width="1.5"/>'
            )
        body.append(_diamond(x_of(median), y, 5))
    if drawn and marker_name:
        body.append(_diamond(6, axis_y + 24, 5))
        body.append(
            _text(
                16,
                axis_y + 28,
                _("%(group)s: median, whisker from lower to upper quartile")
                % {"group": marker_name},
                size=11,
            )
        )
        height += 10
    legend, legend_end = _legend(bands, 0, axis_y + (48 if drawn and marker_name else 40))
    body += legend
    return _svg(max(width, legend_end), height, title, body, show_title=show_title)


def _diamond(x: float, y: float, r: float) -> str:
    points = f"{_num(x)},{_num(y - r)} {_num(x + r)},{_num(y)} {_num(x)},{_num(y + r)} {_num(x - r)},{_num(y)}"
    return f'<polygon points="{points}" fill="{INK}" stroke="{WHITE}" stroke-width="0.8"/>'


def svg_heatmap(
    *,
    rows: Sequence[str],
    cols: Sequence[str],
    cells: Sequence[Sequence[HeatmapCell]],
    bands: Iterable[Band],
    title: str,
    wrap: int | None = None,
    show_title: bool = True,
) -> str:
    """A grid of rows x columns; each cell is coloured by its band and shows its percentage.

    `wrap` breaks column titles longer than that many characters onto several
    lines, so that long section titles do not make every column wide.
    """
    bands = list(bands)
    levels = Levels(bands)
    separator = formats.get_format("DECIMAL_SEPARATOR")
    if len(cells) != len(rows) or any(len(r) != len(cols) for r in cells):
        raise ValueError("cells must have one row per row label and one value per column")
    # Words are never cut (a long French or German word widens its column instead).
    heads = [
        (textwrap.wrap(col, wrap, break_long_words=False) or [col]) if wrap else [col]
        for col in cols
    ]
    lines = max((len(head) for head in heads), default=1)
    cell_w = max(56.0, _label_width([part for head in heads for part in head], 11))
    cell_h, top = 26, 64 + 13 * (lines - 1)
    left = _label_width(rows)
    width = left + cell_w * len(cols) + 10
    height = top + cell_h * len(rows) + 50
    body = [_text(0, 18, title, size=15, font_weight="bold")]
    for j, head in enumerate(heads):
        for k, part in enumerate(head):
            body.append(
                _text(
                    left + cell_w * (j + 0.5),
                    top - 8 - 13 * (len(head) - 1 - k),
                    part,
                    size=11,
                    text_anchor="middle",
                    fill=MUTED,
                )
            )
    for i, (row, row_cells) in enumerate(zip(rows, cells, strict=True)):
        y = top + i * cell_h
        body.append(_text(left - 8, y + cell_h * 0.65, row, text_anchor="end"))
        for j, cell in enumerate(row_cells):
            x = left + j * cell_w
            fill = levels.colour(cell.percent)
            body.append(_rect(x + 1, y + 1, cell_w - 2, cell_h - 2, fill))
            shown = DASH if cell.percent is None else number(cell.percent, 0, separator=separator)
            body.append(
                _text(
                    x + cell_w / 2,
                    y + cell_h * 0.65,
                    shown,
                    size=11,
                    text_anchor="middle",
                    fill=MUTED if cell.percent is None else text_colour_on(fill),
                )
            )
    legend, legend_end = _legend(bands, 0, top + cell_h * len(rows) + 30)
    body += legend
    return _svg(
        max(width, legend_end),
        height,
        title,
        body,
        desc=_("%(dash)s: no validated figure") % {"dash": DASH},
        show_title=show_title,
    )


def svg_lines(
    *,
    series: Sequence[Series],
    bands: Iterable[Band],
    title: str,
    width: int = 640,
    height: int = 320,
    show_title: bool = True,
    rounds: Sequence[RoundMarker] = (),
) -> str:
    """Lines over shared x labels (quarters) on a 0..100 axis, over light band backgrounds;
    the axis starts at the first quarter with a figure.

    `rounds`, the closed rounds, are diamonds at the quarter each closed in, at its figure,
    named beside them and in their <title>, with a "Rounds" entry in the key."""
    bands = list(bands)
    series = from_first_figure(series)
    labels: list[str] = []
    for s in series:
        for p in s.points:
            if p.label not in labels:
                labels.append(p.label)
    # The quarter labels are centred under their points, a note such as "(so far)" on a
    # second line: leave room for half of the first and of the last one at the chart's edges.
    lines = [_label_lines(label) for label in labels]
    widths = [max(len(line) for line in ls) * 10 * _CHAR + 6 for ls in lines]
    left = max([44.0] + [w / 2 for w in widths[:1]])
    right = max([32.0] + [w / 2 for w in widths[-1:]])
    top, bottom = 34, 80
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(labels) - 1, 1)

    def y_of(percent: float) -> float:
        return top + plot_h * (1 - max(0.0, min(percent, 100.0)) / 100)

    body = [_text(0, 18, title, size=15, font_weight="bold")]
    for _name, lower, upper, colour in band_legend(bands):
        body.append(
            _rect(left, y_of(upper), plot_w, y_of(lower) - y_of(upper), colour, fill_opacity="0.25")
        )
    for tick in range(0, 101, 20):
        body.append(_text(left - 6, y_of(tick) + 4, _pct(tick), size=10, text_anchor="end"))
    # Where the labels would touch, only every n-th is written, counted back from the last.
    every, last = 1, len(lines) - 1
    while every < len(lines) and any(
        (widths[k] + widths[k + every]) / 2 > every * step
        for k in range(last % every, last - every + 1, every)
    ):
        every += 1
    for k, label_lines in enumerate(lines):
        if (last - k) % every:
            continue
        for n, line in enumerate(label_lines):
            body.append(
                _text(
                    left + k * step,
                    top + plot_h + 16 + 12 * n,
                    line,
                    size=10,
                    text_anchor="middle",
                    fill=MUTED,
                )
            )
    key_x, key_y = 0.0, height - 36
    for n, s in enumerate(series):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        by_label = {p.label: p.percent for p in s.points}
        run: list[str] = []
        runs: list[list[str]] = []
        for k, label in enumerate(labels):
            value = by_label.get(label)
            if value is None:  # a gap: no figure that quarter, so the line breaks
                if run:
                    runs.append(run)
                run = []
                continue
            x, y = left + k * step, y_of(value)
            run.append(f"{_num(x)},{_num(y)}")
            body.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" fill="{colour}"/>')
        if run:
            runs.append(run)
        for points in runs:
            if len(points) > 1:
                body.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}"'
                    ' stroke-width="2"/>'
                )
        if key_x + len(s.name) * 11 * _CHAR + 30 > width:
            key_x, key_y = 0.0, key_y + 16
        body.append(_rect(key_x, key_y - 9, 14, 4, colour))
        body.append(_text(key_x + 18, key_y, s.name, size=11))
        key_x += 18 + len(s.name) * 11 * _CHAR + 14
    shown = drawn_rounds(series, rounds)
    for r in shown:
        x, y = left + labels.index(r.label) * step, y_of(r.percent)
        body.append(f"<g><title>{escape(r.text)}</title>{_diamond(x, y, 6)}</g>")
        # The name above the diamond, kept inside the chart at either end.
        anchor = "start" if x - left < 40 else "end" if left + plot_w - x < 40 else "middle"
        body.append(_text(x, y - 10, r.name, size=10, text_anchor=anchor, font_weight="bold"))
    if shown:
        rounds_name = str(ROUNDS)
        if key_x + len(rounds_name) * 11 * _CHAR + 30 > width:
            key_x, key_y = 0.0, key_y + 16
        body.append(_diamond(key_x + 7, key_y - 4, 5))
        body.append(_text(key_x + 18, key_y, rounds_name, size=11))
    legend, legend_end = _legend(bands, 0, key_y + 22)
    body += legend
    return _svg(max(width, legend_end), key_y + 32, title, body, show_title=show_title)

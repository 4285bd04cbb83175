"""The numbers behind each chart, as a table (accessible view and CSV download).

Built from the same inputs as `reports.charts`, so table, CSV and chart agree.
Percentages are rounded to one decimal; None stays None (shown as a dash,
written as an empty CSV cell).
"""

from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reports.chart_data import (
    Band,
    ChartTable,
    HeatmapCell,
    Mover,
    RoundMarker,
    SectionFigure,
    Series,
)
from reports.charts import MIN_GROUP, band_legend, distribution_counts


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def heatmap_table(
    *,
    rows: Sequence[str],
    cols: Sequence[str],
    cells: Sequence[Sequence[HeatmapCell]],
    caption: str | None = None,
    row_header: str | None = None,
) -> ChartTable:
    caption = caption or _("Maturity by brand and section (%)")
    row_header = row_header or _("Brand")
    table_rows = []
    for name, row in zip(rows, cells, strict=True):
        projects = max((c.n for c in row), default=0)
        table_rows.append([name, *(_r(c.percent) for c in row), projects])
    return ChartTable(caption=caption, headers=[row_header, *cols, _("Projects")], rows=table_rows)


def trend_table(
    *,
    series: Sequence[Series],
    caption: str | None = None,
    rounds: Sequence[RoundMarker] = (),
) -> ChartTable:
    """A row per series and quarter, then one per closed round (its name, the quarter it
    closed in, its figure and projects), also those the chart leaves out."""
    labels: list[str] = []
    for s in series:
        labels += [p.label for p in s.points if p.label not in labels]
    rows = []
    for s in series:
        by_label = {p.label: p for p in s.points}
        for label in labels:
            point = by_label.get(label)
            if point is not None:
                rows.append([s.name, label, _r(point.percent), point.n])
    rows += [[r.name, r.label, _r(r.percent), r.n] for r in rounds]
    return ChartTable(
        caption=caption or _("Maturity over time (%)"),
        headers=[_("Name"), _("Quarter"), _("Overall %"), _("Projects")],
        rows=rows,
    )


def distribution_table(
    *, values: Iterable[float], bands: Iterable[Band], caption: str | None = None
) -> ChartTable:
    bands = list(bands)
    counts = dict(distribution_counts(values, bands))
    rows = [[name, lower, upper, counts[name]] for name, lower, upper, _c in band_legend(bands)]
    return ChartTable(
        caption=caption or _("Projects by maturity level"),
        headers=[pgettext("maturity", "Level"), _("From %"), _("To %"), _("Projects")],
        rows=rows,
    )


def section_table(
    *,
    sections: Sequence[SectionFigure],
    caption: str | None = None,
    label: str | None = None,
    comparison: str | None = None,
) -> ChartTable:
    caption = caption or _("Section profile (%)")
    label = label or _("This project")
    comparison = comparison or pgettext("comparison", "Group")
    rows = []
    for s in sections:
        shown = s.n >= MIN_GROUP
        rows.append(
            [
                s.section,
                _r(s.percent),
                _r(s.q1) if shown else None,
                _r(s.median) if shown else None,
                _r(s.q3) if shown else None,
                s.n if shown else None,
            ]
        )
    words = {"group": comparison}
    headers = [
        _("Section"),
        label,
        _("%(group)s lower quartile") % words,
        _("%(group)s median") % words,
        _("%(group)s upper quartile") % words,
        _("%(group)s projects") % words,
    ]
    return ChartTable(caption=caption, headers=headers, rows=rows)


def core_share_table(*, met: int, total: int, caption: str | None = None) -> ChartTable:
    def share(count: int) -> float | None:
        return round(count / total * 100, 1) if total else None

    rows = [
        [_("All core statements met"), met, share(met)],
        [_("A core statement missed"), total - met, share(total - met)],
        [_("Assessed projects"), total, share(total)],
    ]
    return ChartTable(
        caption=caption or _("Projects meeting all core statements"),
        headers=[_("Projects"), _("Count"), _("Share %")],
        rows=rows,
    )


def movers_table(*, items: Sequence[Mover], caption: str | None = None) -> ChartTable:
    ranked = sorted(items, key=lambda m: (-abs(m.delta), m.name))
    rows = [[m.name, _r(m.before), _r(m.after), _r(m.delta)] for m in ranked]
    return ChartTable(
        caption=caption or _("Movers of the quarter"),
        headers=[_("Name"), _("Before %"), _("After %"), _("Change (points)")],
        rows=rows,
    )


def core_distribution_table(
    *,
    rows: Sequence[tuple[int, int, int]],
    caption: str | None = None,
) -> ChartTable:
    """rows: (core statements met, projects meeting every core statement, other projects)."""
    return ChartTable(
        caption=caption or _("Projects by core statements met"),
        headers=[
            _("Core statements met"),
            _("Projects meeting all core"),
            _("Projects missing some"),
        ],
        rows=[[str(met), complete, partial] for met, complete, partial in rows],
    )

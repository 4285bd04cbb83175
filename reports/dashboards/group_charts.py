"""The group dashboard's charts and their tables, from `GroupDashboard`.

The page, its HTMX partial and the CSV downloads all read the same tables
from here, so what a chart draws and what a download holds cannot drift apart.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reports import chart_tables, charts, svg_charts
from reports.chart_data import ChartTable, HeatmapCell, Mover, RoundMarker, Series, TrendPoint
from reports.dashboards.common import Cell
from reports.dashboards.group import GroupDashboard, LevelCount

# The charts that can be downloaded as CSV (the URL's <chart>).
CSV_CHARTS = ("heatmap", "trend", "distribution", "movers")
OVERALL = gettext_lazy("Overall")


@dataclass(frozen=True)
class Chart:
    """What templates/reports/_chart.html takes."""

    chart_id: str
    title: str
    figure: dict
    table: ChartTable
    svg: str = ""
    html: str = ""  # the chart as the include draws it, when a page keeps it drawn (`drawn`)


def drawn(chart: Chart, *, csv_url: str = "", phone_table: bool = False) -> Chart:
    """`chart` with its HTML: templates/reports/_chart.html rendered in the active language, as
    `{% include "reports/_chart.html" with ... %}` renders it. The dashboards keep their charts
    drawn with their figures (figures_cache): drawing the tables and the JSON was most of the
    time of a page served from the cache."""
    context = {
        "chart_id": chart.chart_id,
        "title": chart.title,
        "figure": chart.figure,
        "table": chart.table,
        "svg": chart.svg,
        "csv_url": csv_url,
        "phone_table": phone_table,
    }
    return replace(chart, html=render_to_string("reports/_chart.html", context))


def drawn_group_charts(charts: dict[str, Chart], query: str) -> dict[str, Chart]:
    """The group dashboard's charts drawn, each with the address of its CSV download for the
    filters' `query`; the heat map with its table for phones."""
    return {
        name: drawn(
            chart,
            csv_url=f"{reverse('group_dashboard_csv', args=[name])}?{query}"
            if name in CSV_CHARTS
            else "",
            phone_table=name == "heatmap",
        )
        for name, chart in charts.items()
    }


def bands(data: GroupDashboard) -> list[LevelCount]:
    """The reference version's level bands (levels outside them have no lower bound)."""
    return [level for level in data.distribution.levels if level.min_percent is not None]


def _heatmap_cell(cell: Cell) -> HeatmapCell:
    return HeatmapCell(cell.mean, cell.n, cell.first_assessed, cell.last_assessed)


def _heatmap_inputs(data: GroupDashboard) -> tuple[list[str], list[str], list[list[HeatmapCell]]]:
    rows = [row.brand.name for row in data.brands]
    cols = [str(OVERALL), *(s.title for s in data.sections)]
    cells = [
        [_heatmap_cell(row.overall), *(_heatmap_cell(c) for c in row.sections)]
        for row in data.brands
    ]
    return rows, cols, cells


def _series(data: GroupDashboard) -> list[Series]:
    return [
        Series(
            name=row.brand.name,
            points=[
                TrendPoint(label=p.label, percent=p.figure.mean, n=p.figure.n) for p in row.trend
            ],
        )
        for row in data.brands
    ]


def _movers(data: GroupDashboard) -> list[Mover]:
    return [
        Mover(name=f"{m.project_name} ({m.brand_name})", before=m.before, after=m.after)
        for m in data.movers_up + data.movers_down
    ]


def table(data: GroupDashboard, chart: str, rounds: Sequence[RoundMarker] = ()) -> ChartTable:
    """The numbers behind one chart of CSV_CHARTS (the trend's with the closed `rounds`)."""
    if chart == "heatmap":
        rows, cols, cells = _heatmap_inputs(data)
        return chart_tables.heatmap_table(rows=rows, cols=cols, cells=cells)
    if chart == "trend":
        return chart_tables.trend_table(series=_series(data), rounds=rounds)
    if chart == "distribution":
        return chart_tables.distribution_table(values=data.distribution.percents, bands=bands(data))
    if chart == "movers":
        return chart_tables.movers_table(items=_movers(data))
    raise ValueError(f"unknown chart {chart!r}")


def group_charts(data: GroupDashboard, rounds: Sequence[RoundMarker] = ()) -> dict[str, Chart]:
    """Every chart of the page, by name; the trend marks the closed `rounds` of the set shown
    (`reports.dashboards.common.round_markers`)."""
    level_bands = bands(data)
    rows, cols, cells = _heatmap_inputs(data)
    heatmap_title = _("Maturity by brand and section")
    series = _series(data)
    movers = _movers(data)
    return {
        "heatmap": Chart(
            chart_id="chart-heatmap",
            title=heatmap_title,
            figure=charts.figure_data(
                charts.heatmap(rows=rows, cols=cols, cells=cells, bands=level_bands)
            ),
            table=chart_tables.heatmap_table(rows=rows, cols=cols, cells=cells),
            svg=svg_charts.svg_heatmap(
                rows=rows, cols=cols, cells=cells, bands=level_bands, title=heatmap_title
            ),
        ),
        "trend": Chart(
            chart_id="chart-trend",
            title=_("Maturity over time"),
            figure=charts.figure_data(
                charts.trend_lines(series=series, bands=level_bands, rounds=rounds)
            ),
            table=chart_tables.trend_table(series=series, rounds=rounds),
            svg=svg_charts.svg_lines(
                series=series, bands=level_bands, title=_("Maturity over time"), rounds=rounds
            ),
        ),
        "distribution": Chart(
            chart_id="chart-distribution",
            title=_("Projects by maturity level"),
            figure=charts.figure_data(
                charts.distribution(values=data.distribution.percents, bands=level_bands)
            ),
            table=chart_tables.distribution_table(
                values=data.distribution.percents, bands=level_bands
            ),
        ),
        "core": Chart(
            chart_id="chart-core",
            title=ngettext(
                "Projects by core statements met (%(met)s of %(total)s meets all that apply to it)",
                "Projects by core statements met (%(met)s of %(total)s meet all that apply "
                "to them)",
                data.core.met,
            )
            % {"met": data.core.met, "total": data.core.total},
            figure=charts.figure_data(charts.core_distribution(per_project=data.core.per_project)),
            table=chart_tables.core_distribution_table(
                rows=charts.core_counts(data.core.per_project)
            ),
        ),
        "movers": Chart(
            chart_id="chart-movers",
            title=_("Movers of the quarter"),
            figure=charts.figure_data(charts.movers(items=movers)),
            table=chart_tables.movers_table(items=movers),
        ),
    }

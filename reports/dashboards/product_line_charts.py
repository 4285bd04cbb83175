"""The product line page's grouped bar chart (brands side by side, by section) and its table."""

from html import escape

import plotly.graph_objects as go

from reports import charts, svg_charts
from reports.chart_data import ChartTable, HeatmapCell
from reports.dashboards.group_charts import Chart
from reports.dashboards.product_lines import Figures, ProductLineView

TITLE = "Sections by brand"
OTHERS = "Other brands (mean)"


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _series(view: ProductLineView) -> list[tuple[str, Figures, int]]:
    series = [(block.brand.name, block.mean, block.n) for block in view.brands if block.n]
    if view.others is not None and view.others.shown:
        series.append((OTHERS, view.others.mean, view.others.n))
    return series


def line_table(view: ProductLineView) -> ChartTable:
    headers = ["Brand", "Overall %", *(f"{c.title} %" for c in view.sections), "Projects"]
    rows = [
        [name, _r(f.overall), *(_r(f.sections.get(c.key)) for c in view.sections), n]
        for name, f, n in _series(view)
    ]
    return ChartTable(caption=f"{view.line.name}: mean by brand (%)", headers=headers, rows=rows)


def line_chart(view: ProductLineView) -> Chart:
    labels = ["Overall", *(c.title for c in view.sections)]
    fig = go.Figure(
        layout={
            "title": {"text": escape(TITLE), "x": 0, "xanchor": "left"},
            "barmode": "group",
            "height": 380,
            "font": {"family": charts.FONT, "color": charts.INK},
            "paper_bgcolor": charts.WHITE,
            "plot_bgcolor": charts.WHITE,
            "yaxis": {"range": [0, 100.5], "title": {"text": "%"}, "dtick": 20},
            "xaxis": {"type": "category"},
            "legend": {"orientation": "h", "y": -0.25},
        }
    )
    for i, (name, figures, n) in enumerate(_series(view)):
        values = [figures.overall, *(figures.sections.get(c.key) for c in view.sections)]
        fig.add_trace(
            go.Bar(
                name=escape(name),
                x=[escape(label) for label in labels],
                y=values,
                marker={"color": charts.SERIES_COLOURS[i % len(charts.SERIES_COLOURS)]},
                hovertext=[
                    f"<b>{escape(name)}</b> · {escape(label)}<br>"
                    f"{charts.DASH if v is None else f'{v:.0f}%'}<br>{n} project{'s' if n != 1 else ''}"
                    for label, v in zip(labels, values, strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    series = _series(view)
    return Chart(
        chart_id="chart-product-line",
        title=TITLE,
        figure=charts.figure_data(fig),
        table=line_table(view),
        # Without JavaScript: the same means as a grid, brands by sections.
        svg=svg_charts.svg_heatmap(
            rows=[name for name, _, _ in series],
            cols=labels,
            cells=[
                [
                    HeatmapCell(f.overall, n),
                    *(HeatmapCell(f.sections.get(c.key), n) for c in view.sections),
                ]
                for _, f, n in series
            ],
            bands=view.bands,
            title=TITLE,
            wrap=14,
        ),
    )

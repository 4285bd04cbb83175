"""The product line page's grouped bar chart (brands side by side, by section) and its table."""

from html import escape

import plotly.graph_objects as go
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reports import charts, svg_charts
from reports.chart_data import ChartTable, HeatmapCell
from reports.dashboards.group_charts import Chart
from reports.dashboards.product_lines import Figures, ProductLineView

TITLE = gettext_lazy("Sections by brand")
OTHERS = gettext_lazy("Other brands (mean)")


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _series(view: ProductLineView) -> list[tuple[str, Figures, int]]:
    series = [(block.brand.name, block.mean, block.n) for block in view.brands if block.n]
    if view.others is not None and view.others.shown:
        series.append((str(OTHERS), view.others.mean, view.others.n))
    return series


def line_table(view: ProductLineView) -> ChartTable:
    headers = [
        _("Brand"),
        _("Overall %"),
        *(_("%(section)s %%") % {"section": c.title} for c in view.sections),
        _("Projects"),
    ]
    rows = [
        [name, _r(f.overall), *(_r(f.sections.get(c.key)) for c in view.sections), n]
        for name, f, n in _series(view)
    ]
    return ChartTable(
        caption=_("%(line)s: mean by brand (%%)") % {"line": view.line.name},
        headers=headers,
        rows=rows,
    )


def line_chart(view: ProductLineView) -> Chart:
    title = str(TITLE)
    labels = [_("Overall"), *(c.title for c in view.sections)]
    # A plotly figure object, unlike reports.charts' plain dicts: this chart is drawn with
    # plotly's default template, which the object adds.
    fig = go.Figure(
        layout={
            "title": {"text": escape(title), "x": 0, "xanchor": "left"},
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
                    f"{charts.percent_text(v)}<br>"
                    + ngettext("%(count)s project", "%(count)s projects", n)
                    % {"count": n}
                    for label, v in zip(labels, values, strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    series = _series(view)
    return Chart(
        chart_id="chart-product-line",
        title=title,
        figure=charts.figure_data(fig.to_dict()),
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
            title=title,
            wrap=14,
        ),
    )

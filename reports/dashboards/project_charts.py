"""The project page's section profile chart and its table, from `ProjectPage`.

The page and the CSV download read the same table from here.
"""

from html import escape

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reports import charts, svg_charts
from reports.chart_data import ChartTable, SectionFigure
from reports.dashboards.group_charts import Chart
from reports.dashboards.project import ProjectPage

TITLE = gettext_lazy("Section profile")


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def profile_table(page: ProjectPage) -> ChartTable:
    """The project, the brand's other projects (mean) and the other brands (median, quartiles)."""
    rows = []
    for row in page.profile:
        brand, group = row.brand, row.group
        rows.append(
            [
                row.title,
                _r(row.percent),
                _r(brand.mean) if brand.shown else None,
                brand.n if brand.shown else None,
                _r(group.lower_quartile) if group.shown else None,
                _r(group.median) if group.shown else None,
                _r(group.upper_quartile) if group.shown else None,
                group.n if group.shown else None,
            ]
        )
    headers = [
        _("Section"),
        _("This project %"),
        _("Brand mean %"),
        _("Brand projects"),
        _("Group lower quartile %"),
        _("Group median %"),
        _("Group upper quartile %"),
        _("Group projects"),
    ]
    caption = _("Section profile against the brand's other projects and the other brands (%)")
    return ChartTable(caption=caption, headers=headers, rows=rows)


def profile_chart(page: ProjectPage) -> Chart:
    sections = [
        SectionFigure(
            section=row.title,
            percent=row.percent,
            median=row.group.median if row.group.shown else None,
            q1=row.group.lower_quartile if row.group.shown else None,
            q3=row.group.upper_quartile if row.group.shown else None,
            n=row.group.n if row.group.shown else 0,
        )
        for row in page.profile
    ]
    title = str(TITLE)
    fig = charts.section_profile(
        sections=sections, bands=page.bands, title=title, comparison=_("Other brands")
    )
    shown = [row for row in page.profile if row.brand.shown]
    if shown:
        fig["data"].append(
            charts.trace(
                "scatter",
                name=_("Brand mean"),
                mode="markers",
                y=[escape(row.title) for row in shown],
                x=[row.brand.mean for row in shown],
                marker={"symbol": "line-ns-open", "size": 16, "color": charts.WARN},
                hovertext=[
                    f"<b>{escape(row.title)}</b><br>"
                    + _("Brand mean %(figure)s") % {"figure": charts.percent_text(row.brand.mean)}
                    + "<br>"
                    + ngettext("%(count)s project", "%(count)s projects", row.brand.n)
                    % {"count": row.brand.n}
                    for row in shown
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    return Chart(
        chart_id="chart-profile",
        title=title,
        figure=charts.figure_data(fig),
        table=profile_table(page),
        svg=svg_charts.svg_bar_chart(
            labels=[row.title for row in page.profile],
            values=[row.percent for row in page.profile],
            bands=page.bands,
            title=title,
        ),
    )

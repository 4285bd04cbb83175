"""The brand dashboard's charts, its projects table (sorted and searched) and their CSV tables.

The page, its HTMX partial and the CSV downloads all read the same tables
from here, so what the page shows and what a download holds cannot drift apart.
Pure Python over `BrandDashboard`: no query.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from reports import chart_tables, charts, svg_charts
from reports.chart_data import ChartTable, RoundMarker, SectionFigure, Series, TrendPoint
from reports.dashboards.brand import BrandDashboard, ProjectRow
from reports.dashboards.group_charts import Chart, drawn
from reports.words import name_key

# The tables that can be downloaded as CSV (the URL's <chart>).
CSV_CHARTS = ("projects", "profile", "trend")
# Columns of the projects table that sort, besides each section's key.
FIXED_COLUMNS = (
    ("name", gettext_lazy("Project")),
    ("kind", gettext_lazy("Kind")),
    ("criticality", gettext_lazy("Criticality")),
    ("line", gettext_lazy("Product line")),
    ("overall", gettext_lazy("Overall %")),
    ("level", pgettext_lazy("maturity", "Level")),
)
TAIL_COLUMNS = (
    ("assessed", gettext_lazy("Last assessed")),
    ("age", gettext_lazy("Age (days)")),
    ("status", gettext_lazy("Open assessment")),
)
DEFAULT_SORT = "name"
MAX_QUERY_LENGTH = 100
_CRITICALITY_ORDER = {"low": 0, "medium": 1, "high": 2}


@dataclass(frozen=True)
class TableView:
    """How the projects table is shown: sorted by a column, narrowed by a text on the name."""

    sort: str = DEFAULT_SORT
    descending: bool = False
    q: str = ""

    @classmethod
    def parse(cls, data: Mapping, data_columns: list[str]) -> "TableView":
        """From the query string; an unknown column or direction falls back to the default."""
        sort = str(data.get("sort") or DEFAULT_SORT)
        if sort not in data_columns:
            sort = DEFAULT_SORT
        descending = str(data.get("dir") or "").lower() == "desc"
        q = str(data.get("q") or "").strip()[:MAX_QUERY_LENGTH]
        return cls(sort=sort, descending=descending, q=q)

    @property
    def direction(self) -> str:
        return "desc" if self.descending else "asc"

    def params(self) -> list[tuple[str, str]]:
        """Only what differs from the default, so the plain view keeps a short address."""
        pairs = []
        if self.sort != DEFAULT_SORT or self.descending:
            pairs += [("sort", self.sort), ("dir", self.direction)]
        if self.q:
            pairs.append(("q", self.q))
        return pairs


def columns(data: BrandDashboard) -> list[tuple[str, str]]:
    """(key, header) of every column of the projects table, in order; headers in the active
    language."""
    return [
        *((key, str(label)) for key, label in FIXED_COLUMNS),
        *((s.key, s.title) for s in data.sections),
        *((key, str(label)) for key, label in TAIL_COLUMNS),
    ]


def _sort_value(row: ProjectRow, column: str, section_index: dict[str, int]):
    project = row.project
    if column == "name":
        return name_key(project.name)
    if column == "kind":
        return project.kind
    if column == "criticality":
        return _CRITICALITY_ORDER.get(project.criticality, 0)
    if column == "line":
        return name_key(project.product_line.name) if project.product_line else None
    if column in ("overall", "level"):
        return row.overall
    if column == "assessed":
        return row.assessed_on
    if column == "age":
        return row.age_days
    if column == "status":
        return (row.open.status, row.open.answered) if row.open else None
    return row.sections[section_index[column]]


def table_rows(data: BrandDashboard, view: TableView) -> list[ProjectRow]:
    """The projects whose name contains `view.q`, sorted; rows without a value always last."""
    rows = data.projects
    if view.q:
        needle = view.q.casefold()
        rows = [r for r in rows if needle in r.project.name.casefold()]
    section_index = {s.key: i for i, s in enumerate(data.sections)}
    keyed = [(_sort_value(r, view.sort, section_index), r) for r in rows]
    # Stable sorts: ties keep the rows' order by name.
    present = sorted(
        (pair for pair in keyed if pair[0] is not None),
        key=lambda pair: pair[0],
        reverse=view.descending,
    )
    return [r for _, r in present] + [r for value, r in keyed if value is None]


def page_columns(data: BrandDashboard) -> list[tuple[str, str]]:
    """The page's order of the same columns: what a reader needs first (the figure and the
    open work) before the details, so that a narrow screen shows it without scrolling."""
    by_key = dict(columns(data))
    first = ["name", "overall", "level", "status", "assessed", "kind", "criticality", "line"]
    rest = [key for key in by_key if key not in first]
    return [(key, by_key[key]) for key in first + rest]


def headers(data: BrandDashboard, view: TableView, base: list[tuple[str, str]]) -> list[dict]:
    """Each column's header, in the page's order, with the query that sorts by it (the other
    direction when it is the current column), and its aria-sort."""
    result = []
    for key, label in page_columns(data):
        current = key == view.sort
        descending = not view.descending if current else False
        sort = [("sort", key), ("dir", "desc" if descending else "asc")]
        search = [("q", view.q)] if view.q else []
        result.append(
            {
                "key": key,
                "label": label,
                "query": urlencode(base + sort + search),
                "aria_sort": (view.direction + "ending") if current else "none",
                "numeric": key not in ("name", "kind", "criticality", "line", "level", "status"),
            }
        )
    return result


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def projects_table(data: BrandDashboard, rows: list[ProjectRow]) -> ChartTable:
    headers_ = [label for _, label in columns(data)]
    headers_[-1:] = [_("Open assessment"), _("Answered"), _("Statements")]
    body = []
    for row in rows:
        project = row.project
        body.append(
            [
                project.name,
                project.get_kind_display(),
                project.get_criticality_display(),
                project.product_line.name if project.product_line else "",
                _r(row.overall),
                row.level,
                *(_r(v) for v in row.sections),
                row.assessed_on.isoformat() if row.assessed_on else "",
                row.age_days,
                row.open.status if row.open else "",
                row.open.answered if row.open else None,
                row.open.total if row.open else None,
            ]
        )
    return ChartTable(
        caption=_("Projects of %(brand)s on %(day)s")
        % {"brand": data.brand.name, "day": date_format(data.as_of, "d M Y")},
        headers=headers_,
        rows=body,
    )


def _profile_figures(data: BrandDashboard) -> list[SectionFigure]:
    return [
        SectionFigure(
            section=row.title,
            percent=row.brand.mean,
            median=row.group.median,
            q1=row.group.lower_quartile,
            q3=row.group.upper_quartile,
            n=row.group.n,
        )
        for row in data.profile
    ]


def _series(data: BrandDashboard) -> list[Series]:
    return [
        Series(
            name=data.brand.name,
            points=[
                TrendPoint(label=p.label, percent=p.figure.mean, n=p.figure.n) for p in data.trend
            ],
        )
    ]


def _profile_table(data: BrandDashboard) -> ChartTable:
    return chart_tables.section_table(
        sections=_profile_figures(data),
        caption=_("Section profile of %(brand)s against other brands (%%)")
        % {"brand": data.brand.name},
        label=data.brand.name,
        comparison=_("Other brands"),
    )


def table(
    data: BrandDashboard,
    chart: str,
    view: TableView | None = None,
    rounds: Sequence[RoundMarker] = (),
) -> ChartTable:
    """The numbers behind one table or chart of CSV_CHARTS (the trend's with the brand's
    figures of the closed `rounds`)."""
    if chart == "projects":
        return projects_table(data, table_rows(data, view or TableView()))
    if chart == "profile":
        return _profile_table(data)
    if chart == "trend":
        return chart_tables.trend_table(series=_series(data), rounds=rounds)
    raise ValueError(f"unknown chart {chart!r}")


def brand_charts(data: BrandDashboard, rounds: Sequence[RoundMarker] = ()) -> dict[str, Chart]:
    """Every chart of the page, by name; the trend marks the brand's figures of the closed
    `rounds` (`reports.dashboards.common.round_markers`)."""
    bands = list(data.bands)
    figures = _profile_figures(data)
    series = _series(data)
    profile_title = _("Section profile of %(brand)s") % {"brand": data.brand.name}
    return {
        "profile": Chart(
            chart_id="chart-profile",
            title=profile_title,
            figure=charts.figure_data(
                charts.section_profile(
                    sections=figures,
                    bands=bands,
                    title=profile_title,
                    label=data.brand.name,
                    comparison=_("Other brands"),
                )
            ),
            table=_profile_table(data),
            svg=svg_charts.svg_bar_chart(
                labels=[f.section for f in figures],
                values=[f.percent for f in figures],
                bands=bands,
                title=profile_title,
            ),
        ),
        "trend": Chart(
            chart_id="chart-trend",
            title=_("Maturity over time"),
            figure=charts.figure_data(
                charts.trend_lines(series=series, bands=bands, rounds=rounds)
            ),
            table=chart_tables.trend_table(series=series, rounds=rounds),
            svg=svg_charts.svg_lines(
                series=series, bands=bands, title=_("Maturity over time"), rounds=rounds
            ),
        ),
    }


def drawn_brand_charts(charts: dict[str, Chart], brand_code, query: str) -> dict[str, Chart]:
    """The brand page's charts drawn (`group_charts.drawn`), each with the address of its CSV
    download for the filters' `query`."""
    return {
        name: drawn(
            chart, csv_url=f"{reverse('brand_dashboard_csv', args=[brand_code, name])}?{query}"
        )
        for name, chart in charts.items()
    }

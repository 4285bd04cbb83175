"""What the group and brand dashboards share: the projects the filters keep, and aggregate cells."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Brand, Project
from reports.chart_data import RoundMarker
from reports.dashboards.filters import DashboardFilters, Quarter
from scoring.selectors import MIN_GROUP_SIZE, common_gaps
from scoring.selectors.dashboard import Figure, VersionInfo
from scoring.selectors.gaps import GapReport
from scoring.selectors.quarter_figures import FigureSum
from scoring.selectors.rounds import closed_round_points_for, closed_round_points_of_brand


def filtered_projects(projects: QuerySet[Project], filters: DashboardFilters) -> QuerySet[Project]:
    """`projects` narrowed by product line, kind and criticality (brands are each caller's own)."""
    if filters.product_lines:
        projects = projects.filter(product_line__code__in=filters.product_lines)
    if filters.kinds:
        projects = projects.filter(kind__in=filters.kinds)
    if filters.criticalities:
        projects = projects.filter(criticality__in=filters.criticalities)
    return projects


def filtered_gaps(brands: Sequence[Brand], filters: DashboardFilters) -> GapReport:
    """The common gaps of `brands`' projects that pass every filter, at `filters.as_of`."""
    return common_gaps(
        brands=brands,
        quarter_end=filters.as_of,
        question_set_code=filters.question_set,
        projects=filtered_projects(Project.objects.all(), filters),
        version_code=filters.version or None,
    )


@dataclass(frozen=True)
class Cell:
    """The mean of `n` project figures in percent, with the dates of the assessments behind it."""

    mean: float | None  # None when n is 0
    n: int
    first_assessed: datetime.date | None = None
    last_assessed: datetime.date | None = None

    @property
    def empty(self) -> bool:
        return self.n == 0

    @property
    def small_group(self) -> bool:
        """Fewer than MIN_GROUP_SIZE projects: shown to group roles with a mark, to nobody else."""
        return 0 < self.n < MIN_GROUP_SIZE


def cell(pairs: Iterable[tuple[float | None, datetime.date]]) -> Cell:
    """A cell from (percent, assessed on) pairs; pairs without a figure are left out."""
    values, dates = [], []
    for percent, assessed_on in pairs:
        if percent is not None:
            values.append(percent)
            dates.append(assessed_on)
    if not values:
        return Cell(mean=None, n=0)
    return Cell(
        mean=sum(values) / len(values),
        n=len(values),
        first_assessed=min(dates),
        last_assessed=max(dates),
    )


def cell_of(sums: FigureSum) -> Cell:
    """A cell from figures the database has added up (`scoring.selectors.quarter_figures`)."""
    if not sums.n:
        return Cell(mean=None, n=0)
    return Cell(
        mean=sums.mean_percent,
        n=sums.n,
        first_assessed=sums.first_assessed,
        last_assessed=sums.last_assessed,
    )


@dataclass(frozen=True)
class TrendPoint:
    quarter: Quarter
    figure: Cell
    at: datetime.date  # the quarter's end, or today in the current quarter
    so_far: bool = False  # the current quarter: the figure can still change

    @classmethod
    def of(cls, quarter: Quarter, figure: Cell, filters: DashboardFilters) -> "TrendPoint":
        return cls(
            quarter,
            figure,
            at=filters.point_at(quarter),
            so_far=quarter.end >= filters.today,
        )

    @property
    def label(self) -> str:
        """ "2026 Q4 (so far)" for the current quarter, "2026 Q3" for the others."""
        if self.so_far:
            return _("%(quarter)s (so far)") % {"quarter": self.quarter.label}
        return self.quarter.label


def figure_versions(figures: Iterable[Figure], info: dict[int, VersionInfo]) -> list[str]:
    """Labels of the versions behind `figures`, oldest first."""
    ids = {f.version_id for f in figures}
    return [v.label for v in sorted(info.values(), key=lambda v: v.number) if v.id in ids]


def reference_version(
    figures: Iterable[Figure], info: dict[int, VersionInfo], filters: DashboardFilters
) -> VersionInfo | None:
    """The version whose level bands the figures are counted in: the one filtered on, else
    the newest one behind a figure."""
    if filters.version is not None:
        return next((v for v in info.values() if v.code == filters.version), None)
    used = [info[f.version_id] for f in figures if f.version_id in info]
    return max(used, key=lambda v: v.number, default=None)


def closed_round_points(filters: DashboardFilters, *, brand: Brand | None = None) -> list:
    """The closed rounds of the filters' set (scoring's RoundPoint), each with its figures
    over the round's members the filters keep (chosen brands, product lines, kinds,
    criticalities), on a brand's page over that brand's only. The basis and the version
    filter do not apply: a round's figure is always of its validated assessments."""
    narrows = bool(filters.product_lines or filters.kinds or filters.criticalities)
    if brand is not None:
        projects = Project.objects.filter(brand=brand)
        return closed_round_points_of_brand(
            filters.question_set,
            brand.pk,
            projects=filtered_projects(projects, filters) if narrows else None,
        )
    projects = None
    if narrows or filters.brands:
        projects = Project.objects.all()
        if filters.brands:
            projects = projects.filter(brand__code__in=filters.brands)
        projects = filtered_projects(projects, filters)
    return closed_round_points_for(filters.question_set, projects=projects)


def round_markers(points: Iterable, trend: Sequence[TrendPoint]) -> list[RoundMarker]:
    """Closed rounds (scoring's RoundPoint) as markers of a trend: each at the quarter it
    closed in, labelled as the trend labels that quarter ("2026 Q4 (so far)" in the current
    one); a quarter outside the trend keeps its plain label (the chart leaves it out)."""
    labels = {p.quarter: p.label for p in trend}
    markers = []
    for point in points:
        quarter = Quarter.of(timezone.localtime(point.round.closed_at).date())
        markers.append(
            RoundMarker(
                name=point.name,
                label=labels.get(quarter, quarter.label),
                percent=point.mean,
                n=point.n,
            )
        )
    return markers

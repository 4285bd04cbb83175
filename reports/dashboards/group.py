"""The group dashboard's figures: brands by sections, trends, distribution, movers and gaps.

For group roles only: they see every brand, so aggregates of fewer than three
projects are shown, marked as a small group (`Cell.small_group`), and the
movers name their projects.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from brands.models import Brand, Project, User
from brands.selectors import brands_for_user
from reports.dashboards.common import (
    Cell,
    TrendPoint,
    cell_of,
    figure_versions,
    filtered_gaps,
    filtered_projects,
    reference_version,
)
from reports.dashboards.filters import DashboardFilters, Quarter
from reports.words import by_name
from scoring.selectors.dashboard import (
    Figure,
    SectionColumn,
    section_columns,
    versions_info,
)
from scoring.selectors.gaps import GapReport
from scoring.selectors.quarter_figures import (
    FigureSum,
    added,
    brand_figures_at,
    brand_section_figures,
    figures_on_two_days,
)

TREND_QUARTERS = 8
MOVERS = 5


@dataclass(frozen=True)
class BrandRow:
    """One brand (or the whole selection, with `brand` None) at the quarter's end."""

    brand: Brand | None
    overall: Cell
    sections: list[Cell]  # in the order of GroupDashboard.sections
    trend: list[TrendPoint]  # in the order of GroupDashboard.quarters


@dataclass(frozen=True)
class LevelCount:
    name: str
    min_percent: float | None  # None: a level not in the reference version's bands
    count: int
    above: bool = False  # reached only strictly above min_percent (see LevelBandInfo)


@dataclass(frozen=True)
class ScoreDistribution:
    percents: list[float]  # every project's overall figure, ascending
    levels: list[LevelCount]  # the reference version's bands, lowest first
    version: str  # the version the bands come from ("" when there is no figure)


@dataclass(frozen=True)
class CoreShare:
    met: int  # projects meeting every core statement
    total: int  # projects with a figure
    # (core statements met, of how many apply) of each project with a figure
    per_project: tuple[tuple[int, int], ...] = ()

    @property
    def percent(self) -> float | None:
        return self.met / self.total * 100 if self.total else None


@dataclass(frozen=True)
class Mover:
    project_name: str
    project_code: str
    brand_name: str
    brand_code: str
    before: float  # figure at the previous quarter's end
    after: float  # figure at this quarter's end
    before_assessed_on: datetime.date
    after_assessed_on: datetime.date

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class GroupDashboard:
    filters: DashboardFilters
    as_of: datetime.date
    quarters: list[Quarter]  # of the trends, oldest first; the last is filters.quarter
    sections: list[SectionColumn]
    brands: list[BrandRow]  # every brand the filters keep, by name, with or without figures
    total: BrandRow  # all of them together
    projects: int  # projects the filters keep
    project_brands: int  # brands with at least one of them
    distribution: ScoreDistribution
    core: CoreShare
    movers_up: list[Mover]  # biggest rise first
    movers_down: list[Mover]  # biggest fall first
    gaps: GapReport | None  # of the projects the filters keep (validated assessments only)
    versions: list[str]  # versions behind the quarter's figures, oldest first


def _cell(sums: dict[int, FigureSum], brand_id: int | None) -> Cell:
    """The cell of one brand, or of all of them together (`brand_id` None)."""
    return cell_of(added(sums.values()) if brand_id is None else sums.get(brand_id, FigureSum()))


def _keys(sections: list[SectionColumn]) -> list[str]:
    return [s.key for s in sections]


def _movers(
    now: dict[int, Figure], before: dict[int, Figure]
) -> tuple[list[tuple[float, Figure, Figure]], list[tuple[float, Figure, Figure]]]:
    moved = []
    for project_id, after in now.items():
        previous = before.get(project_id)
        if previous is None or previous.percent is None or after.percent is None:
            continue
        delta = after.percent - previous.percent
        if delta:
            moved.append((delta, previous, after))
    up = sorted((m for m in moved if m[0] > 0), key=lambda m: (-m[0], m[2].project_id))
    down = sorted((m for m in moved if m[0] < 0), key=lambda m: (m[0], m[2].project_id))
    return up[:MOVERS], down[:MOVERS]


def _chosen_brands(user: User, filters: DashboardFilters) -> list[Brand]:
    if not (user.is_authenticated and user.is_active and (user.group_role or user.is_superuser)):
        raise PermissionDenied("The group dashboard is for group roles.")
    brands = brands_for_user(user)
    if filters.brands:
        brands = brands.filter(code__in=filters.brands)
    return by_name(brands)


def group_dashboard_gaps_data(user: User, filters: DashboardFilters) -> GapReport:
    """The common gaps `group_dashboard_data(..., with_gaps=True)` would give, on their own."""
    return filtered_gaps(_chosen_brands(user, filters), filters)


def group_dashboard_data(
    user: User, filters: DashboardFilters, *, with_gaps: bool = True
) -> GroupDashboard:
    """The group dashboard at the end of `filters.quarter`, for a group role.

    The common gaps are most of the cost at group scale (two aggregations over
    the answers); `with_gaps=False` leaves them out (`gaps` is None), so that a
    page can load them in a request of their own.

    A fixed number of queries whatever the number of brands, projects and
    assessments (see the tests). The figures are of one question set: the filters', else
    the group's main set.
    """
    brands = _chosen_brands(user, filters)
    projects = filtered_projects(Project.objects.filter(brand__in=brands), filters)

    as_of = filters.as_of
    quarters = filters.quarters(TREND_QUARTERS)
    options = {
        "include_submitted": filters.include_submitted,
        "version_code": filters.version,
        "question_set_code": filters.question_set,
    }
    # Each project's figure now and at the previous quarter's end (distribution, core
    # statements, levels, movers), then the brands' means computed by the database: every
    # quarter of the trend in one query, the sections now in another.
    now, before = figures_on_two_days(
        projects, on=as_of, before=filters.quarter.previous().end, **options
    )
    points = {quarter: filters.point_at(quarter) for quarter in quarters}
    by_day = brand_figures_at(projects, list(points.values()), **options)
    by_section = brand_section_figures(projects, on=as_of, **options)
    info = versions_info({f.version_id for f in (*now.values(), *before.values())})
    sections = section_columns({f.version_id for f in now.values()})

    def trend(brand_id: int | None) -> list[TrendPoint]:
        return [
            TrendPoint.of(quarter, _cell(by_day[day], brand_id), filters)
            for quarter, day in points.items()
        ]

    def row(brand: Brand | None) -> BrandRow:
        brand_id = brand.pk if brand else None
        per_section = (
            {k: added(s.get(k, FigureSum()) for s in by_section.values()) for k in _keys(sections)}
            if brand is None
            else by_section.get(brand.pk, {})
        )
        return BrandRow(
            brand=brand,
            overall=_cell(by_day[as_of], brand_id),
            sections=[cell_of(per_section.get(s.key, FigureSum())) for s in sections],
            trend=trend(brand_id),
        )

    rows = [row(b) for b in brands]
    total = row(None)

    scored = [f for f in now.values() if f.percent is not None]
    reference = reference_version(scored, info, filters)
    levels = Counter(f.level for f in scored)
    bands = list(reference.bands) if reference else []
    level_counts = [
        LevelCount(b.name, b.min_percent, levels.pop(b.name, 0), b.above) for b in bands
    ]
    level_counts += [LevelCount(name, None, count) for name, count in sorted(levels.items())]

    # The projects the filters keep and their brands, in one query: the summary counts both.
    project_brands = list(projects.values_list("brand_id", flat=True))
    up, down = _movers(now, before)
    names = {
        p.pk: p
        for p in Project.objects.filter(pk__in=[m[2].project_id for m in up + down]).select_related(
            "brand"
        )
    }

    def mover(delta_figures: tuple[float, Figure, Figure]) -> Mover:
        _, before, after = delta_figures
        project = names[after.project_id]
        return Mover(
            project_name=project.name,
            project_code=str(project.code),
            brand_name=project.brand.name,
            brand_code=str(project.brand.code),
            before=before.percent,
            after=after.percent,
            before_assessed_on=before.assessed_on,
            after_assessed_on=after.assessed_on,
        )

    return GroupDashboard(
        filters=filters,
        as_of=as_of,
        quarters=quarters,
        sections=sections,
        brands=rows,
        total=total,
        projects=len(project_brands),
        project_brands=len(set(project_brands)),
        distribution=ScoreDistribution(
            percents=sorted(f.percent for f in scored),
            levels=level_counts,
            version=reference.label if reference else "",
        ),
        core=CoreShare(
            met=sum(1 for f in scored if f.all_core_met),
            total=len(scored),
            per_project=tuple((f.core_met, f.core_total) for f in scored),
        ),
        movers_up=[mover(m) for m in up],
        movers_down=[mover(m) for m in down],
        gaps=filtered_gaps(brands, filters) if with_gaps else None,
        versions=figure_versions(now.values(), info),
    )

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
    cell,
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
    figure_history,
    figures_at,
    section_columns,
    section_figures,
    versions_info,
)
from scoring.selectors.gaps import GapReport

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


def _brand_row(
    brand: Brand | None,
    figures: list[Figure],
    sections: list[SectionColumn],
    section_values: dict[int, dict[str, float | None]],
    trend: list[TrendPoint],
) -> BrandRow:
    return BrandRow(
        brand=brand,
        overall=cell((f.percent, f.assessed_on) for f in figures),
        sections=[
            cell(
                (section_values.get(f.assessment_id, {}).get(s.key), f.assessed_on) for f in figures
            )
            for s in sections
        ],
        trend=trend,
    )


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
    history = figure_history(
        projects,
        until=as_of,
        include_submitted=filters.include_submitted,
        version_code=filters.version,
        question_set_code=filters.question_set,
    )
    now = figures_at(history, as_of)
    section_values = section_figures(f.assessment_id for f in now.values())
    info = versions_info({f.version_id for fs in history.values() for f in fs})
    sections = section_columns({f.version_id for f in now.values()})

    by_brand: dict[int, list[Figure]] = {}
    for figure in now.values():
        by_brand.setdefault(figure.brand_id, []).append(figure)
    trend_by_brand: dict[int | None, list[TrendPoint]] = {b.pk: [] for b in brands}
    trend_by_brand[None] = []
    for quarter in quarters:
        at = now if quarter == filters.quarter else figures_at(history, filters.point_at(quarter))
        figures_of: dict[int, list[Figure]] = {}
        for figure in at.values():
            figures_of.setdefault(figure.brand_id, []).append(figure)
        for brand in brands:
            trend_by_brand[brand.pk].append(
                TrendPoint.of(
                    quarter,
                    cell((f.percent, f.assessed_on) for f in figures_of.get(brand.pk, [])),
                    filters,
                )
            )
        trend_by_brand[None].append(
            TrendPoint.of(quarter, cell((f.percent, f.assessed_on) for f in at.values()), filters)
        )

    rows = [
        _brand_row(b, by_brand.get(b.pk, []), sections, section_values, trend_by_brand[b.pk])
        for b in brands
    ]
    total = _brand_row(None, list(now.values()), sections, section_values, trend_by_brand[None])

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
    up, down = _movers(now, figures_at(history, filters.quarter.previous().end))
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

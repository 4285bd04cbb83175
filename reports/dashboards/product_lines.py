"""Product lines: the same product across the brands that run it, side by side.

Role rules (DESIGN.md): group roles see every brand and project by name; a
brand member sees their own brands' projects by name and the other brands only
as one aggregate, withheld when it would cover fewer than three projects.
Figures are the stored scores of each project's latest validated assessment,
read through scoring's selectors. A fixed number of queries.
"""

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from brands.models import Brand, ProductLine, Project, User
from brands.selectors import brand_ids_for_user, brands_for_user
from scoring.selectors.benchmarks import MIN_GROUP_SIZE
from scoring.selectors.dashboard import (
    LevelBandInfo,
    SectionColumn,
    latest_figures,
    section_columns,
    section_figures,
    versions_info,
)


@dataclass(frozen=True)
class LineSummary:
    line: ProductLine
    brands: int  # brands with a project of the line
    projects: int
    own_projects: int  # of the user's brands (all, for group roles)


def product_line_summaries(user: User) -> list[LineSummary]:
    """Every product line with how many brands and projects run it. One or two queries."""
    visible = brand_ids_for_user(user)
    own = Q() if visible is None else Q(projects__brand_id__in=visible)
    lines = ProductLine.objects.annotate(
        brand_count=Count("projects__brand", distinct=True),
        project_count=Count("projects", distinct=True),
        own_count=Count("projects", filter=own, distinct=True),
    ).order_by("name")
    return [
        LineSummary(line, line.brand_count, line.project_count, line.own_count) for line in lines
    ]


@dataclass(frozen=True)
class Figures:
    """Overall and per-section figures (percent) of one project or one group of projects."""

    overall: float | None
    sections: dict[str, float | None]
    cells: tuple[float | None, ...] = ()  # the section figures in the page's column order


@dataclass(frozen=True)
class ProjectRow:
    project: Project
    figures: Figures | None  # None: no validated assessment
    assessed_on: datetime.date | None = None
    level: str = ""


@dataclass(frozen=True)
class BrandBlock:
    brand: Brand
    projects: list[ProjectRow]
    mean: Figures  # mean of its projects with a figure
    n: int


@dataclass(frozen=True)
class Aggregate:
    """Other brands' projects as one group; figures withheld below MIN_GROUP_SIZE."""

    n: int
    mean: Figures | None = None
    median: Figures | None = None

    @property
    def shown(self) -> bool:
        return self.n >= MIN_GROUP_SIZE


@dataclass(frozen=True)
class ProductLineView:
    line: ProductLine
    as_of: datetime.date
    sections: list[SectionColumn]
    bands: tuple[LevelBandInfo, ...]
    brands: list[BrandBlock]  # brands the user may see by name
    others: Aggregate | None  # None for group roles (every brand is named)


def _combine(rows: list[Figures], keys: list[str], how) -> Figures:
    def of(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return how(present) if present else None

    sections = {key: of([r.sections.get(key) for r in rows]) for key in keys}
    return Figures(
        overall=of([r.overall for r in rows]),
        sections=sections,
        cells=tuple(sections[key] for key in keys),
    )


def product_line_view(
    *, user: User, line: ProductLine, on: datetime.date, question_set_code: str | None = None
) -> ProductLineView:
    """The line's projects side by side, in one question set (`question_set_code`, else the
    group's main set)."""
    projects: QuerySet[Project] = Project.objects.filter(product_line=line)
    named = list(projects.select_related("brand").order_by("brand__name", "name"))
    latest = latest_figures(projects, on=on, question_set_code=question_set_code)
    by_section = section_figures(f.assessment_id for f in latest.values())
    version_ids = {f.version_id for f in latest.values()}
    columns = section_columns(version_ids)
    keys = [c.key for c in columns]
    newest = max(versions_info(version_ids).values(), key=lambda v: v.number, default=None)

    visible = brand_ids_for_user(user)
    visible_ids = (
        None if visible is None else set(brands_for_user(user).values_list("id", flat=True))
    )

    def figures_of(project: Project) -> Figures | None:
        figure = latest.get(project.pk)
        if figure is None:
            return None
        sections = by_section.get(figure.assessment_id, {})
        return Figures(figure.percent, sections, tuple(sections.get(key) for key in keys))

    blocks: dict[int, list[ProjectRow]] = {}
    brands: dict[int, Brand] = {}
    others: list[Figures] = []
    for project in named:
        figures = figures_of(project)
        if visible_ids is None or project.brand_id in visible_ids:
            figure = latest.get(project.pk)
            brands[project.brand_id] = project.brand
            blocks.setdefault(project.brand_id, []).append(
                ProjectRow(
                    project,
                    figures,
                    figure.assessed_on if figure else None,
                    figure.level if figure else "",
                )
            )
        elif figures is not None:
            others.append(figures)

    brand_blocks = []
    for brand_id, rows in blocks.items():
        scored = [r.figures for r in rows if r.figures is not None]
        brand_blocks.append(
            BrandBlock(
                brands[brand_id], rows, _combine(scored, keys, statistics.fmean), len(scored)
            )
        )
    aggregate = None
    if visible_ids is not None:
        if len(others) >= MIN_GROUP_SIZE:
            aggregate = Aggregate(
                n=len(others),
                mean=_combine(others, keys, statistics.fmean),
                median=_combine(others, keys, statistics.median),
            )
        else:
            aggregate = Aggregate(n=len(others))
    return ProductLineView(
        line=line,
        as_of=on,
        sections=columns,
        bands=newest.bands if newest else (),
        brands=brand_blocks,
        others=aggregate,
    )

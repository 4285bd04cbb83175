"""What a brand or a project is compared with: every other project's figures, by key.

These are the group-wide reads of the brand and project pages (every project's
latest figure and its sections), so they are kept in the figures cache
(`figures_cache`) until a figure changes; what is kept is already reduced to
means and quartiles, so a page reads a few dozen numbers instead of a
thousand figures. The values are the stored scores, in percent, read through
`dashboard.latest_figures` and `dashboard.section_figures` exactly as before;
tests compare them with a recomputation.
"""

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import QuerySet

from brands.models import Project
from scoring.selectors.benchmarks import MIN_GROUP_SIZE, Distribution, distribution
from scoring.selectors.dashboard import (
    Figure,
    LevelBandInfo,
    SectionColumn,
    latest_figures,
    section_columns,
    section_figures,
    versions_info,
)
from scoring.selectors.figures_cache import cached_figures

OVERALL = "overall"


@dataclass(frozen=True)
class Mean:
    """The mean of `n` figures; withheld below MIN_GROUP_SIZE."""

    n: int
    mean: float | None = None

    @property
    def shown(self) -> bool:
        return self.n >= MIN_GROUP_SIZE


def mean_of(values: list[float]) -> Mean:
    if len(values) < MIN_GROUP_SIZE:
        return Mean(n=len(values))
    return Mean(n=len(values), mean=statistics.fmean(values))


def values_by_key(
    figures: list[Figure], sections: dict[int, dict[str, float | None]]
) -> dict[str, list[float]]:
    """The figures' overall percents under "overall" and their section percents by section key,
    figures without a value left out."""
    found: dict[str, list[float]] = {OVERALL: []}
    for figure in figures:
        if figure.percent is not None:
            found[OVERALL].append(figure.percent)
        for key, value in sections.get(figure.assessment_id, {}).items():
            if value is not None:
                found.setdefault(key, []).append(value)
    return found


@dataclass(frozen=True)
class GroupComparison:
    """Other brands' projects: their distribution per key, and the versions behind them."""

    version_ids: frozenset[int]
    distributions: dict[str, Distribution]  # "overall" and section keys

    def get(self, key: str) -> Distribution:
        return self.distributions.get(key, Distribution(n=0))


def other_brands_comparison(
    projects: QuerySet[Project],
    *,
    brand_id: int,
    on: datetime.date,
    include_submitted: bool = False,
    version_code: str | None = None,
    question_set_code: str | None = None,
    cache_parts: tuple = (),
) -> GroupComparison:
    """The distribution of the figures on `on` of `projects` outside brand `brand_id`.

    `projects` may be narrowed by the dashboard filters; `cache_parts` must then
    name those filters (they become part of the cache key). Two queries when
    not cached.
    """

    def compute() -> GroupComparison:
        figures = latest_figures(
            projects.exclude(brand_id=brand_id),
            on=on,
            include_submitted=include_submitted,
            version_code=version_code,
            question_set_code=question_set_code,
        )
        found = values_by_key(
            list(figures.values()), section_figures(f.assessment_id for f in figures.values())
        )
        return GroupComparison(
            version_ids=frozenset(f.version_id for f in figures.values()),
            distributions={key: distribution(values) for key, values in found.items()},
        )

    parts = (brand_id, on, include_submitted, version_code, question_set_code, cache_parts)
    return cached_figures("other-brands", parts, compute)


@dataclass(frozen=True)
class ProjectComparison:
    """A project's peers on a date: its brand's other projects (mean) and other brands'
    projects (distribution), per key; with the sections of every version involved (as
    `section_columns` names them) and the level bands of the project's own version."""

    version_ids: frozenset[int]
    brand: dict[str, Mean]
    group: dict[str, Distribution]
    sections: tuple[SectionColumn, ...] = ()
    bands: tuple[LevelBandInfo, ...] = ()

    def brand_mean(self, key: str) -> Mean:
        return self.brand.get(key, Mean(n=0))

    def group_distribution(self, key: str) -> Distribution:
        return self.group.get(key, Distribution(n=0))


def project_comparison(
    project: Project, *, on: datetime.date, version_id: int, question_set_code: str | None = None
) -> ProjectComparison:
    """The figures `project` is compared with on its page (validated only, every version of
    one question set: `question_set_code`, the set of the project's own figure, else the
    group's main set; peers are never figures of another set). `version_id` is the version
    of the project's own figure. Five queries when not cached."""

    def compute() -> ProjectComparison:
        figures = latest_figures(
            Project.objects.exclude(pk=project.pk), on=on, question_set_code=question_set_code
        )
        sections = section_figures(f.assessment_id for f in figures.values())
        same = [f for f in figures.values() if f.brand_id == project.brand_id]
        others = [f for f in figures.values() if f.brand_id != project.brand_id]
        version_ids = frozenset(f.version_id for f in figures.values())
        return ProjectComparison(
            version_ids=version_ids,
            brand={k: mean_of(v) for k, v in values_by_key(same, sections).items()},
            group={k: distribution(v) for k, v in values_by_key(others, sections).items()},
            sections=tuple(section_columns(version_ids | {version_id})),
            bands=versions_info([version_id])[version_id].bands,
        )

    parts = (project.pk, project.brand_id, on, version_id, question_set_code)
    return cached_figures("project-peers", parts, compute)

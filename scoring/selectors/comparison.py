"""What a brand or a project is compared with: every other project's figures, by key.

These are the group-wide reads of the brand and project pages (every project's
latest figure and its sections). The database reduces them (`peer_figures`):
one query gives, per key ("overall" and each section key) and per side (the
brand's own projects or the other brands'), how many figures there are, their
sum and their three quartiles, so a cold page reads a few dozen rows instead
of a thousand figures and ten thousand section scores. What is kept in the
figures cache (`figures_cache`) until a figure changes is that reduction.

The figures are the stored scores, in percent, chosen by
`quarter_figures.chosen_assessments` (the rule of `dashboard.latest_figures`).
`values_by_key` and `mean_of`, with `dashboard.latest_figures`,
`dashboard.section_figures` and `benchmarks.distribution`, are the same
computation in Python: tests compare the two on random data and on the demo,
on SQLite and PostgreSQL, and both with the engine's recomputation.
"""

import datetime
import statistics
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from brands.models import Project
from scoring.models import Score, SectionScore
from scoring.selectors.benchmarks import MIN_GROUP_SIZE, Distribution
from scoring.selectors.dashboard import (
    Figure,
    LevelBandInfo,
    SectionColumn,
    section_columns,
    versions_info,
)
from scoring.selectors.figures_cache import cached_figures
from scoring.selectors.quarter_figures import chosen_assessments
from surveys.models import Assessment, Section

OVERALL = "overall"
OWN, OTHERS = 0, 1  # the sides of `peer_figures`: the brand's own projects, the other brands'


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
    figures without a value left out (the Python reference of `peer_figures`)."""
    found: dict[str, list[float]] = {OVERALL: []}
    for figure in figures:
        if figure.percent is not None:
            found[OVERALL].append(figure.percent)
        for key, value in sections.get(figure.assessment_id, {}).items():
            if value is not None:
                found.setdefault(key, []).append(value)
    return found


@dataclass(frozen=True)
class KeyFigures:
    """`n` figures of one key on one side (stored values, 0 to 1): their sum and their
    inclusive quartiles (as `statistics.quantiles(method="inclusive")`)."""

    n: int
    total: float
    lower_quartile: float
    median: float
    upper_quartile: float

    def mean(self) -> Mean:
        if self.n < MIN_GROUP_SIZE:
            return Mean(n=self.n)
        return Mean(n=self.n, mean=self.total * 100 / self.n)

    def distribution(self) -> Distribution:
        if self.n < MIN_GROUP_SIZE:
            return Distribution(n=self.n)
        return Distribution(
            n=self.n,
            median=self.median * 100,
            lower_quartile=self.lower_quartile * 100,
            upper_quartile=self.upper_quartile * 100,
        )


# Python's inclusive quartile i (1 to 3) of n sorted values v[0..n-1]: with m = n - 1,
# j = i*m // 4 and delta = i*m - 4*j, q_i = (v[j]*(4 - delta) + v[j+1]*delta) / 4. Each
# value is ranked (y_i, from 0) in its side and key; a conditional sum picks v[j] and
# v[j+1] with their weights. Integer division of integers truncates on both databases
# (never a CAST, which rounds on PostgreSQL); 4.0 keeps the division of a sum of
# integer-stored values (SQLite keeps 1 and 0 as integers) from truncating.
_QUARTILE = (
    "SUM(CASE WHEN y_i = {i} * y_m / 4 THEN y_value * (4 - ({i} * y_m - 4 * ({i} * y_m / 4)))"
    " WHEN y_i = {i} * y_m / 4 + 1 THEN y_value * ({i} * y_m - 4 * ({i} * y_m / 4))"
    " ELSE 0 END) / 4.0"
)

_PEER_FIGURES = """
WITH chosen AS ({chosen}),
peer_values AS (
    SELECT y_side, '{overall}' AS y_key, y_overall AS y_value
    FROM chosen WHERE y_overall IS NOT NULL
    UNION ALL
    SELECT chosen.y_side, sec.{key} AS y_key, ss.{value} AS y_value
    FROM chosen
    JOIN {section_score} ss ON ss.{score_id} = chosen.y_score
    JOIN {section} sec ON sec.{id} = ss.{section_id}
    WHERE ss.{value} IS NOT NULL
),
ranked AS (
    SELECT y_side, y_key, y_value,
        ROW_NUMBER() OVER (PARTITION BY y_side, y_key ORDER BY y_value) - 1 AS y_i,
        COUNT(*) OVER (PARTITION BY y_side, y_key) - 1 AS y_m
    FROM peer_values
)
SELECT y_side, y_key, MAX(y_m) + 1, SUM(y_value), {q1}, {q2}, {q3}
FROM ranked
GROUP BY y_side, y_key
"""


def peer_figures(
    projects: QuerySet[Project],
    *,
    brand_id: int,
    on: datetime.date,
    include_submitted: bool = False,
    version_code: str | None = None,
    question_set_code: str | None = None,
) -> dict[tuple[int, str], KeyFigures]:
    """{(side, key): the figures on `on` of `projects`, reduced}: side OWN for the projects of
    brand `brand_id`, OTHERS for the rest; key "overall" or a section key (sections are named
    by key, the same across versions). Figures without a value are left out. One query."""
    chosen = chosen_assessments(
        projects,
        on=on,
        include_submitted=include_submitted,
        version_code=version_code,
        question_set_code=question_set_code,
    )
    scores = (
        Score.objects.filter(assessment_id__in=chosen)
        .order_by()
        .annotate(
            y_score=F("id"),
            y_overall=F("overall"),
            y_side=Case(
                When(assessment__project__brand_id=brand_id, then=Value(OWN)),
                default=Value(OTHERS),
                output_field=IntegerField(),
            ),
        )
        .values("y_score", "y_overall", "y_side")
    )
    try:
        chosen_sql, params = scores.query.sql_with_params()
    except EmptyResultSet:  # no project to read
        return {}
    quote = connection.ops.quote_name
    sql = _PEER_FIGURES.format(
        chosen=chosen_sql,
        overall=OVERALL,
        section_score=quote(SectionScore._meta.db_table),
        section=quote(Section._meta.db_table),
        score_id=quote(SectionScore._meta.get_field("score").column),
        section_id=quote(SectionScore._meta.get_field("section").column),
        value=quote(SectionScore._meta.get_field("value").column),
        key=quote(Section._meta.get_field("key").column),
        id=quote(Section._meta.pk.column),
        q1=_QUARTILE.format(i=1),
        q2=_QUARTILE.format(i=2),
        q3=_QUARTILE.format(i=3),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        (side, key): KeyFigures(int(n), float(total), float(q1), float(q2), float(q3))
        for side, key, n, total, q1, q2, q3 in rows
    }


def peer_versions(
    projects: QuerySet[Project],
    *,
    on: datetime.date,
    include_submitted: bool = False,
    version_code: str | None = None,
    question_set_code: str | None = None,
) -> frozenset[int]:
    """The versions of the figures on `on` of `projects` (those without a value too). One
    query."""
    chosen = chosen_assessments(
        projects,
        on=on,
        include_submitted=include_submitted,
        version_code=version_code,
        question_set_code=question_set_code,
    )
    return frozenset(
        Assessment.objects.filter(pk__in=chosen)
        .order_by()
        .values_list("version_id", flat=True)
        .distinct()
    )


def _side(found: dict[tuple[int, str], KeyFigures], side: int) -> dict[str, KeyFigures]:
    return {key: figures for (one, key), figures in found.items() if one == side}


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
        others = projects.exclude(brand_id=brand_id)
        options = {
            "on": on,
            "include_submitted": include_submitted,
            "version_code": version_code,
            "question_set_code": question_set_code,
        }
        found = _side(peer_figures(others, brand_id=brand_id, **options), OTHERS)
        distributions = {OVERALL: Distribution(n=0)}
        distributions.update({key: f.distribution() for key, f in found.items()})
        return GroupComparison(
            version_ids=peer_versions(others, **options), distributions=distributions
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
        peers = Project.objects.exclude(pk=project.pk)
        options = {"on": on, "question_set_code": question_set_code}
        found = peer_figures(peers, brand_id=project.brand_id, **options)
        version_ids = peer_versions(peers, **options)
        brand = {OVERALL: Mean(n=0)}
        brand.update({key: f.mean() for key, f in _side(found, OWN).items()})
        group = {OVERALL: Distribution(n=0)}
        group.update({key: f.distribution() for key, f in _side(found, OTHERS).items()})
        return ProjectComparison(
            version_ids=version_ids,
            brand=brand,
            group=group,
            sections=tuple(section_columns(version_ids | {version_id})),
            bands=versions_info([version_id])[version_id].bands,
        )

    parts = (project.pk, project.brand_id, on, version_id, question_set_code)
    return cached_figures("project-peers", parts, compute)

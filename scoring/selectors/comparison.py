"""What a brand or a project is compared with: every other project's figures, by key.

These are the group-wide reads of the brand and project pages (every project's
latest figure and its sections). The database reduces them (`peer_figures`):
one query gives, per key ("overall" and each section key) and per side (the
brand's own projects or the other brands'), how many figures there are, their
sum and their three quartiles, and the versions behind them, so a cold page
reads a few dozen rows instead of a thousand figures and ten thousand section
scores. What is kept in the
figures cache (`figures_cache`) until a figure changes is that reduction.

The figures are the stored scores, in percent, chosen by
`standings.chosen_standings` (the rule of `dashboard.latest_figures`).
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
from scoring.selectors.standings import chosen_standings
from surveys.models import Section

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
# (never a CAST to an integer, which rounds on PostgreSQL). The values are read as doubles:
# PostgreSQL sorts and adds them faster than its numerics, the figures are floats in
# Python too, and SQLite, which keeps a stored 1 or 0 as an integer, never divides them
# as integers.
_QUARTILE = (
    "SUM(CASE WHEN y_i = {i} * y_m / 4 THEN y_value * (4 - ({i} * y_m - 4 * ({i} * y_m / 4)))"
    " WHEN y_i = {i} * y_m / 4 + 1 THEN y_value * ({i} * y_m - 4 * ({i} * y_m / 4))"
    " END) / 4.0"
)

# `chosen_ids`: each project's chosen assessment, its side and its version, used twice (the
# values and the versions), so PostgreSQL computes it once. Section keys are numbered (the
# lowest id of a section with the key; 0 for "overall", which a section key equal to it joins,
# as `values_by_key` does) so that the sort behind the quartiles compares integers, not texts.
# The versions come as extra rows, every column but the last empty.
_PEER_FIGURES = """
WITH chosen_ids AS ({chosen}),
chosen AS (
    SELECT chosen_ids.y_side, score.{score_pk} AS y_score, score.{overall} AS y_overall
    FROM chosen_ids JOIN {score} score ON score.{assessment_id} = chosen_ids.latest_id
),
section_keys AS (
    SELECT {key} AS y_key, CASE WHEN {key} = '{overall_key}' THEN 0 ELSE MIN({section_pk}) END
        AS y_key_id
    FROM {section} GROUP BY {key}
),
peer_values AS (
    SELECT y_side, 0 AS y_key_id, CAST(y_overall AS DOUBLE PRECISION) AS y_value
    FROM chosen WHERE y_overall IS NOT NULL
    UNION ALL
    SELECT chosen.y_side, section_keys.y_key_id, CAST(section_score.{value} AS DOUBLE PRECISION)
    FROM chosen
    JOIN {section_score} section_score ON section_score.{score_id} = chosen.y_score
    JOIN {section} sec ON sec.{section_pk} = section_score.{section_id}
    JOIN section_keys ON section_keys.y_key = sec.{key}
    WHERE section_score.{value} IS NOT NULL
),
{reduced}
SELECT reduced.y_side, COALESCE(section_keys.y_key, '{overall_key}'), y_n, y_total,
    y_q1, y_q2, y_q3, NULL
FROM reduced LEFT JOIN section_keys ON section_keys.y_key_id = reduced.y_key_id
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, y_version
FROM (SELECT DISTINCT y_version FROM chosen_ids) versions
"""
# `reduced`: per side and key, the count, the sum and the three quartiles. PostgreSQL has them
# as ordered-set aggregates (`percentile_cont` interpolates as Python's inclusive method does).
_REDUCED_POSTGRESQL = """reduced AS (
    SELECT y_side, y_key_id, COUNT(*) AS y_n, SUM(y_value) AS y_total,
        percentile_cont(0.25) WITHIN GROUP (ORDER BY y_value) AS y_q1,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY y_value) AS y_q2,
        percentile_cont(0.75) WITHIN GROUP (ORDER BY y_value) AS y_q3
    FROM peer_values GROUP BY y_side, y_key_id
)"""
# Elsewhere (SQLite) each value is ranked in its side and key and `_QUARTILE` picks the two
# values around each quartile.
_REDUCED_RANKED = """ranked AS (
    SELECT y_side, y_key_id, y_value, ROW_NUMBER() OVER w - 1 AS y_i, COUNT(*) OVER w - 1 AS y_m
    FROM peer_values
    WINDOW w AS (
        PARTITION BY y_side, y_key_id ORDER BY y_value
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    )
),
reduced AS (
    SELECT y_side, y_key_id, MAX(y_m) + 1 AS y_n, SUM(y_value) AS y_total,
        {q1} AS y_q1, {q2} AS y_q2, {q3} AS y_q3
    FROM ranked GROUP BY y_side, y_key_id
)""".format(**{f"q{i}": _QUARTILE.format(i=i) for i in (1, 2, 3)})


@dataclass(frozen=True)
class Peers:
    """`peer_figures`: the figures by side and key, and the versions of all of them."""

    figures: dict[tuple[int, str], KeyFigures]
    version_ids: frozenset[int]

    def side(self, side: int) -> dict[str, KeyFigures]:
        return {key: figures for (one, key), figures in self.figures.items() if one == side}


def peer_figures(
    projects: QuerySet[Project],
    *,
    brand_id: int,
    on: datetime.date,
    include_submitted: bool = False,
    version_code: str | None = None,
    question_set_code: str | None = None,
) -> Peers:
    """The figures on `on` of `projects`, reduced by side and key: side OWN for the projects
    of brand `brand_id`, OTHERS for the rest; key "overall" or a section key (sections are
    named by key, the same across versions). Figures without a value are left out of the
    reduction; the versions are those of every figure. One query."""
    chosen = chosen_standings(
        projects,
        on=on,
        include_submitted=include_submitted,
        version_code=version_code,
        question_set_code=question_set_code,
    ).values(
        latest_id=F("assessment_id"),
        y_version=F("version_id"),
        y_side=Case(
            When(project__brand_id=brand_id, then=Value(OWN)),
            default=Value(OTHERS),
            output_field=IntegerField(),
        ),
    )
    try:
        chosen_sql, params = chosen.query.sql_with_params()
    except EmptyResultSet:  # no project to read
        return Peers({}, frozenset())
    quote = connection.ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    sql = _PEER_FIGURES.format(
        chosen=chosen_sql,
        overall_key=OVERALL,
        score=quote(Score._meta.db_table),
        score_pk=column(Score, "id"),
        overall=column(Score, "overall"),
        assessment_id=column(Score, "assessment"),
        section=quote(Section._meta.db_table),
        section_pk=column(Section, "id"),
        key=column(Section, "key"),
        section_score=quote(SectionScore._meta.db_table),
        score_id=column(SectionScore, "score"),
        section_id=column(SectionScore, "section"),
        value=column(SectionScore, "value"),
        reduced=_REDUCED_POSTGRESQL if connection.vendor == "postgresql" else _REDUCED_RANKED,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    figures, version_ids = {}, set()
    for side, key, n, total, q1, q2, q3, version_id in rows:
        if version_id is not None:
            version_ids.add(version_id)
        else:
            figures[side, key] = KeyFigures(int(n), float(total), float(q1), float(q2), float(q3))
    return Peers(figures, frozenset(version_ids))


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
    name those filters (they become part of the cache key). One query when
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
        peers = peer_figures(others, brand_id=brand_id, **options)
        distributions = {OVERALL: Distribution(n=0)}
        distributions.update({key: f.distribution() for key, f in peers.side(OTHERS).items()})
        return GroupComparison(version_ids=peers.version_ids, distributions=distributions)

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
    of the project's own figure. Four queries when not cached (the version ids come with
    the figures)."""

    def compute() -> ProjectComparison:
        peers = Project.objects.exclude(pk=project.pk)
        options = {"on": on, "question_set_code": question_set_code}
        found = peer_figures(peers, brand_id=project.brand_id, **options)
        version_ids = found.version_ids
        brand = {OVERALL: Mean(n=0)}
        brand.update({key: f.mean() for key, f in found.side(OWN).items()})
        group = {OVERALL: Distribution(n=0)}
        group.update({key: f.distribution() for key, f in found.side(OTHERS).items()})
        return ProjectComparison(
            version_ids=version_ids,
            brand=brand,
            group=group,
            sections=tuple(section_columns(version_ids | {version_id})),
            bands=versions_info([version_id])[version_id].bands,
        )

    parts = (project.pk, project.brand_id, on, version_id, question_set_code)
    return cached_figures("project-peers", parts, compute)

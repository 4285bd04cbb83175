"""Brands' figures quarter by quarter, computed by the database from the stored scores.

The rule is `dashboard`'s (DESIGN.md): a project's figure at a date is its
latest assessment that counts (validated; submitted self-fills too when asked)
at or before that date, ties on the date going to the one created last. A
brand's figure at a date is the mean of its projects' figures, with how many
projects have one and the dates of the oldest and newest assessment behind it.

Here the database does the choosing and the averaging, so that a page whose
figures cache is empty reads a few rows per brand instead of every assessment. The
choosing is kept: triggers keep, for every assessment, the dates between which it
stands for its project (`scoring.models.Standing`, `scoring.selectors.standings`).

- `brand_figures_at`: one query for every brand and every date asked for. Each
  standing meets the dates it holds (dated on or before the date, the project's
  next one dated after it or none), and the chosen figures are summed, counted
  and dated by brand and date.
- `brand_section_figures`: one query, the section scores of each project's
  chosen assessment on one date summed and counted by brand and section key.

Both return sums rather than means so that callers can add brands together
(the group's total) exactly as the figures were chosen. The percent is the
stored value times 100, as `dashboard.Figure.percent` reads it; the mean is
the sum of the stored values times 100 over their count, which equals the
mean of the percents up to float rounding (tests compare the two on random
data and on the demo, on SQLite and PostgreSQL).

Works on PostgreSQL and SQLite; the outer aggregation is plain SQL around the ORM's
own compiled query.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Count,
    F,
    FloatField,
    Max,
    Min,
    QuerySet,
    Sum,
)

from brands.models import Project
from scoring.models import Score, SectionScore
from scoring.selectors.dashboard import Figure, _figure
from scoring.selectors.standings import chosen_assessments, standing_on_q, standings


@dataclass(frozen=True)
class FigureSum:
    """`n` project figures (stored values, 0 to 1) added up, with the dates behind them."""

    n: int = 0
    total: float = 0.0  # the sum of the stored values (0 to 1 each)
    first_assessed: datetime.date | None = None
    last_assessed: datetime.date | None = None

    @property
    def mean_percent(self) -> float | None:
        return self.total * 100 / self.n if self.n else None

    def __add__(self, other: "FigureSum") -> "FigureSum":
        if not other.n:
            return self
        if not self.n:
            return other
        return FigureSum(
            n=self.n + other.n,
            total=self.total + other.total,
            first_assessed=min(self.first_assessed, other.first_assessed),
            last_assessed=max(self.last_assessed, other.last_assessed),
        )


def added(sums: Iterable[FigureSum]) -> FigureSum:
    found = FigureSum()
    for one in sums:
        found = found + one
    return found


def _date(value) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def brand_figures_at(
    projects: QuerySet[Project],
    days: Sequence[datetime.date],
    *,
    include_submitted: bool = False,
    version_code: str | None = None,
    question_set_code: str | None = None,
) -> dict[datetime.date, dict[int, FigureSum]]:
    """{day: {brand id: the brand's projects' figures on that day, added up}} for every day
    asked for (brands without a figure left out). One query."""
    days = sorted(set(days))
    found: dict[datetime.date, dict[int, FigureSum]] = {day: {} for day in days}
    if not days:
        return found
    inner = (
        standings(
            projects,
            include_submitted=include_submitted,
            version_code=version_code,
            question_set_code=question_set_code,
        )
        .filter(stands_from__lte=days[-1])
        .order_by()
        .values(
            y_brand=F("project__brand_id"),
            y_assessment=F("assessment_id"),
            y_from=F("stands_from"),
            y_until=F("stands_until"),
        )
    )
    try:
        inner_sql, inner_params = inner.query.sql_with_params()
    except EmptyResultSet:  # no project to read (no brand chosen, or none visible)
        return found
    # Each standing meets the days it holds (a handful: projects are assessed a few times a
    # year), then the sums by brand and day.
    day_rows = " UNION ALL ".join(f"SELECT {i} AS y_i, %s AS y_day" for i in range(len(days)))
    score = Score._meta.db_table
    sql = f"""
        SELECT chosen.y_brand, asked.y_i, SUM(score.overall), COUNT(*),
            MIN(chosen.y_from), MAX(chosen.y_from)
        FROM ({inner_sql}) chosen
        JOIN {score} score ON score.assessment_id = chosen.y_assessment
        JOIN ({day_rows}) asked ON chosen.y_from <= asked.y_day
            AND (chosen.y_until IS NULL OR chosen.y_until > asked.y_day)
        WHERE score.overall IS NOT NULL
        GROUP BY chosen.y_brand, asked.y_i"""
    params = [connection.ops.adapt_datefield_value(day) for day in days]
    with connection.cursor() as cursor:
        cursor.execute(sql, (*inner_params, *params))
        rows = cursor.fetchall()
    for brand_id, i, total, n, first, last in rows:
        found[days[i]][brand_id] = FigureSum(n, float(total), _date(first), _date(last))
    return found


def brand_section_figures(
    projects: QuerySet[Project],
    *,
    on: datetime.date,
    include_submitted: bool = False,
    version_code: str | None = None,
    question_set_code: str | None = None,
) -> dict[int, dict[str, FigureSum]]:
    """{brand id: {section key: the brand's projects' section figures on `on`, added up}}.
    Sections are named by key, the same across versions. One query."""
    chosen = chosen_assessments(
        projects,
        on=on,
        include_submitted=include_submitted,
        version_code=version_code,
        question_set_code=question_set_code,
    )
    rows = (
        SectionScore.objects.filter(score__assessment_id__in=chosen, value__isnull=False)
        .order_by()
        .values(y_brand=F("score__assessment__project__brand_id"), y_key=F("section__key"))
        .annotate(
            total=Sum("value", output_field=FloatField()),
            n=Count("id"),
            first=Min("score__assessment__assessed_on"),
            last=Max("score__assessment__assessed_on"),
        )
    )
    found: dict[int, dict[str, FigureSum]] = {}
    for row in rows:
        found.setdefault(row["y_brand"], {})[row["y_key"]] = FigureSum(
            row["n"], float(row["total"]), _date(row["first"]), _date(row["last"])
        )
    return found


# `dashboard._FIELDS`, read through the standing.
_STANDING_FIELDS = (
    "assessment_id",
    "assessment__code",
    "project_id",
    "project__brand_id",
    "assessment__status",
    "stands_from",
    "version_id",
    "assessment__score__overall",
    "assessment__score__level",
    "assessment__score__all_core_met",
    "assessment__score__core_met",
    "assessment__score__core_total",
)


def figures_on_two_days(
    projects: QuerySet[Project],
    *,
    on: datetime.date,
    before: datetime.date,
    include_submitted: bool = False,
    version_code: str | None = None,
    question_set_code: str | None = None,
) -> tuple[dict[int, Figure], dict[int, Figure]]:
    """Each project's figure on `on` and on the earlier day `before`, by project id (projects
    without one left out), as `dashboard.latest_figures` reads them. One query."""
    before = min(before, on)
    rows = (
        standings(
            projects,
            include_submitted=include_submitted,
            version_code=version_code,
            question_set_code=question_set_code,
        )
        .filter(standing_on_q(on) | standing_on_q(before))
        .order_by("project_id", "stands_from", "assessment__created_at", "assessment_id")
        .values_list(*_STANDING_FIELDS)
    )
    now: dict[int, Figure] = {}
    then: dict[int, Figure] = {}
    for figure in map(_figure, rows):
        # Oldest first: the last row of a project is its figure on `on`, the last one dated
        # by `before` its figure then (the same assessment when nothing came after it).
        now[figure.project_id] = figure
        if figure.assessed_on <= before:
            then[figure.project_id] = figure
    return now, then

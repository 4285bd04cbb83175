"""Each project's figure on a day, read from the kept standings (`scoring.models.Standing`).

The rule is `dashboard`'s (DESIGN.md): a project's figure on a day is its latest assessment
that counts (validated; submitted self-fills too when asked) dated on or before that day,
ties on the date going to the one created last, of one question set (the one asked for,
else the group's main set) and, when asked, of one version. The triggers of
`scoring.standing_triggers` keep, for every assessment and way of counting, the dates
between which it is that latest one; so the assessment standing on a day is the one row
whose range holds the day, an index range read instead of a choice among the project's
assessments for every project.
"""

import datetime

from django.db.models import Q, QuerySet

from brands.models import Project
from scoring.models import Standing, StandingKind


def standings(
    projects: QuerySet[Project],
    *,
    include_submitted: bool = False,
    version_code: str | None = None,
    question_set_code: str | None = None,
    question_set_id: int | None = None,
) -> QuerySet[Standing]:
    """The standings of `projects`' assessments that count under these options, in one
    question set: `question_set_id`'s or `question_set_code`'s, else the group's main set."""
    if version_code is None:
        kind = StandingKind.COUNTED_IN_SET if include_submitted else StandingKind.VALIDATED_IN_SET
    else:
        kind = (
            StandingKind.COUNTED_IN_VERSION
            if include_submitted
            else StandingKind.VALIDATED_IN_VERSION
        )
    rows = Standing.objects.filter(kind=kind, project__in=projects)
    if question_set_id is not None:
        rows = rows.filter(question_set_id=question_set_id)
    elif question_set_code is not None:
        rows = rows.filter(question_set__code=question_set_code)
    else:
        rows = rows.filter(question_set__is_main=True)
    if version_code is not None:
        rows = rows.filter(version__code=version_code)
    return rows


def standing_on_q(day: datetime.date) -> Q:
    """The condition of a standing that stands for its project on `day`."""
    return Q(stands_from__lte=day) & (Q(stands_until__isnull=True) | Q(stands_until__gt=day))


def stands_on(
    stands_from: datetime.date, stands_until: datetime.date | None, day: datetime.date
) -> bool:
    """`standing_on_q` for a standing's dates already read."""
    return stands_from <= day and (stands_until is None or stands_until > day)


def standing_on(rows: QuerySet[Standing], day: datetime.date) -> QuerySet[Standing]:
    """Of `rows`, those standing for their project on `day` (at most one per project)."""
    return rows.filter(standing_on_q(day))


def chosen_standings(
    projects: QuerySet[Project],
    *,
    on: datetime.date,
    include_submitted: bool = False,
    version_code: str | None = None,
    question_set_code: str | None = None,
) -> QuerySet[Standing]:
    """The standing of each of `projects` that has a figure on `on`."""
    rows = standings(
        projects,
        include_submitted=include_submitted,
        version_code=version_code,
        question_set_code=question_set_code,
    )
    return standing_on(rows, on).order_by()


def chosen_assessments(projects: QuerySet[Project], *, on: datetime.date, **options) -> QuerySet:
    """The ids of the assessments standing for `projects`' figures on `on` (a subquery)."""
    return chosen_standings(projects, on=on, **options).values("assessment_id")

"""The statements most projects fail: across one brand or the whole group, now and a quarter ago.

A statement is *met* when it is answered with the top option of its version's
scale (as core statements are in the engine); Partly and No leave it unmet.
N/A answers and statements that do not apply to a project's kind are left out
of both counts, as they are left out of the scores.
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from brands.models import Brand, Project, ProjectKind
from scoring.selectors.figures_cache import cached_figures
from scoring.selectors.standings import standing_on, standing_on_q, standings, stands_on
from surveys.models import Answer, AnswerOption, Assessment, Question


def in_question_set(
    assessments: QuerySet[Assessment],
    question_set_code: str | None = None,
    question_set_id: int | None = None,
) -> QuerySet[Assessment]:
    """`assessments` of one question set: `question_set_id`'s or `question_set_code`'s, else
    the group's main set's. Figures never mix sets, so every figure's query goes through it."""
    if question_set_id is not None:
        return assessments.filter(version__question_set_id=question_set_id)
    if question_set_code is not None:
        return assessments.filter(version__question_set__code=question_set_code)
    return assessments.filter(version__question_set__is_main=True)


def latest_validated_assessments(
    projects: QuerySet[Project],
    *,
    on: datetime.date | None = None,
    question_set_code: str | None = None,
    question_set_id: int | None = None,
) -> QuerySet[Assessment]:
    """Each project's latest validated assessment at or before `on` (default: any date), in
    one question set: `question_set_id`'s or `question_set_code`'s, else the group's main set.

    One query when evaluated; usable as a subquery. Ties on the date go to the
    assessment created last, as in `latest_validated_scores`.
    """
    rows = standings(projects, question_set_code=question_set_code, question_set_id=question_set_id)
    # Any date: the one whose standing has no end, the project's newest.
    rows = rows.filter(stands_until__isnull=True) if on is None else standing_on(rows, on)
    return Assessment.objects.filter(pk__in=rows.values("assessment_id"))


def top_score() -> Subquery:
    """For an Answer query: the top score of the scale of the answer's question-set version."""
    return Subquery(
        AnswerOption.objects.filter(version=OuterRef("assessment__version"))
        .order_by("-score")
        .values("score")[:1]
    )


def top_of_scale() -> Subquery:
    """For an Assessment query: the top score of the scale of the assessment's version."""
    return Subquery(
        AnswerOption.objects.filter(version=OuterRef("version"))
        .order_by("-score")
        .values("score")[:1]
    )


def applicable_answers() -> Q:
    """Answers with an option (not N/A) to a statement that applies to the project's kind."""
    return Q(option__isnull=False) & (
        Q(question__applies_to="all")
        | Q(assessment__project__kind=ProjectKind.BOTH)
        | Q(question__applies_to=F("assessment__project__kind"))
    )


def quarter_end(day: datetime.date) -> datetime.date:
    """The last day of the quarter `day` is in."""
    last_month = (day.month - 1) // 3 * 3 + 3
    following = datetime.date(day.year + last_month // 12, last_month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def previous_quarter_end(day: datetime.date) -> datetime.date:
    """The last day of the quarter before the one `day` is in."""
    first_month = (day.month - 1) // 3 * 3 + 1
    return datetime.date(day.year, first_month, 1) - datetime.timedelta(days=1)


def quarter_label(day: datetime.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class BrandCount:
    name: str
    code: uuid.UUID
    unmet: int


@dataclass(frozen=True)
class Gap:
    """One statement that at least one project does not meet."""

    key: str
    text: str
    section: str
    core: bool
    unmet: int  # projects that do not meet it
    applicable: int  # projects it applies to (answered, not N/A)
    brands: tuple[BrandCount, ...]  # most concerned first
    rank: int
    previous_rank: int | None  # None: no project failed it then
    previous_unmet: int
    previous_applicable: int

    @property
    def share(self) -> float:
        return self.unmet / self.applicable if self.applicable else 0.0

    @property
    def percent(self) -> float:
        return self.share * 100

    @property
    def movement(self) -> str:
        """new, up (more projects fail it), down (fewer), same: compared by count."""
        if self.previous_rank is None:
            return "new"
        if self.unmet > self.previous_unmet:
            return "up"
        if self.unmet < self.previous_unmet:
            return "down"
        return "same"


@dataclass(frozen=True)
class ClosedGap:
    """A statement some project failed at the previous quarter's end and none fails now."""

    key: str
    text: str
    previous_rank: int
    previous_unmet: int


@dataclass(frozen=True)
class GapReport:
    as_of: datetime.date
    previous_as_of: datetime.date
    projects: int  # projects with a validated assessment at `as_of`
    previous_projects: int
    gaps: list[Gap]
    closed: list[ClosedGap]

    @property
    def previous_quarter(self) -> str:
        return quarter_label(self.previous_as_of)


@dataclass
class _Count:
    unmet: int = 0
    applicable: int = 0


def _counts(
    assessment_ids: list[int], tops: dict[int, Decimal | None]
) -> dict[str, dict[int, _Count]]:
    """Per statement (key) and brand: projects that fail it and projects it applies to.

    One query, grouped in the database by statement, brand, version and score;
    the assessments are given by id so that the database reads only their answers.
    """
    counts: dict[str, dict[int, _Count]] = {}
    if not assessment_ids:
        return counts
    rows = (
        Answer.objects.filter(assessment_id__in=assessment_ids)
        .filter(applicable_answers())
        .values_list(
            "question__key",
            "assessment__project__brand_id",
            "assessment__version_id",
            "option__score",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    for key, brand_id, version_id, score, n in rows:
        count = counts.setdefault(key, {}).setdefault(brand_id, _Count())
        count.applicable += n
        top = tops.get(version_id)
        if top is not None and score < top:
            count.unmet += n
    return counts


def _ranked(counts: dict[str, dict[int, _Count]]) -> tuple[dict[str, _Count], dict[str, int]]:
    totals: dict[str, _Count] = {}
    for key, by_brand in counts.items():
        total = totals.setdefault(key, _Count())
        for count in by_brand.values():
            total.unmet += count.unmet
            total.applicable += count.applicable
    failing = sorted(
        (key for key, total in totals.items() if total.unmet),
        key=lambda key: (-totals[key].unmet, -totals[key].unmet / totals[key].applicable, key),
    )
    return totals, {key: index for index, key in enumerate(failing, start=1)}


@dataclass(frozen=True)
class _Statement:
    text: str
    section: str
    core: bool


def common_gaps(
    *,
    brands: QuerySet[Brand] | list[Brand],
    quarter_end: datetime.date | None = None,
    question_set_code: str | None = None,
    projects: QuerySet[Project] | None = None,
    version_code: str | None = None,
) -> GapReport:
    """The statements most of `brands`' projects fail, at `quarter_end` (default: today).

    Assessments of one question set count: `question_set_code`'s, else the group's main
    set. `projects` narrows the projects counted (a dashboard's filters: kind, product
    line, criticality), always within `brands`; `version_code` counts only assessments of
    that question-set version.

    Each project counts with its latest validated assessment at that date. The
    list is compared with the end of the quarter before, so the central team
    sees what moved: a statement's rank and count then, the new ones, and the
    ones no project fails any more.

    Four queries whatever the number of brands, projects and assessments: the
    projects' latest validated assessments at both dates, the statements of
    their versions (with each version's top score), and one aggregation over
    the answers per date; kept in the figures cache until a figure changes (then
    two queries: the figures token and the projects' ids).
    """
    as_of = quarter_end or timezone.localdate()
    projects = (projects if projects is not None else Project.objects.all()).filter(
        brand__in=brands
    )
    # Kept until a figure changes (figures_cache): the lazy part of the group dashboard, asked
    # by every reader, and two aggregations over tens of thousands of answers at group scale.
    # The projects are named by their ids (one short query), whatever filters chose them.
    ids = tuple(projects.order_by("pk").values_list("pk", flat=True))
    parts = (ids, as_of, question_set_code, version_code)
    return cached_figures(
        "common-gaps",
        parts,
        lambda: _common_gaps(projects, as_of, question_set_code, version_code),
    )


def _common_gaps(
    projects: QuerySet[Project],
    as_of: datetime.date,
    question_set_code: str | None,
    version_code: str | None,
) -> GapReport:
    previous_as_of = previous_quarter_end(as_of)
    # Each project's latest validated assessment at both dates, from its standings: one
    # range read, a row per assessment standing on either date.
    standing = standings(
        projects, version_code=version_code, question_set_code=question_set_code
    ).filter(standing_on_q(as_of) | standing_on_q(previous_as_of))
    by_project: dict[int, list] = {}
    for brand_id, name, brand_code, project_id, pk, version_id, since, until in (
        standing.order_by()
        .values_list(
            "project__brand_id",
            "project__brand__name",
            "project__brand__code",
            "project_id",
            "assessment_id",
            "version_id",
            "stands_from",
            "stands_until",
        )
        .iterator()
    ):
        row = by_project.setdefault(
            project_id, [brand_id, name, brand_code, None, None, None, None]
        )
        for day, at in ((as_of, 3), (previous_as_of, 5)):
            if stands_on(since, until, day):
                row[at], row[at + 1] = pk, version_id
    latest = list(by_project.values())
    brand_names = {row[0]: (row[1], row[2]) for row in latest}
    now_ids = sorted({row[3] for row in latest if row[3] is not None})
    then_ids = sorted({row[5] for row in latest if row[5] is not None})
    versions = {v for row in latest for v in (row[4], row[6]) if v is not None}

    # Every statement of the versions used, oldest version first: the newest wording wins.
    statements: dict[str, _Statement] = {}
    tops: dict[int, Decimal | None] = {}
    questions = (
        Question.objects.filter(version_id__in=versions)
        .order_by("version__number")
        .annotate(
            top=Subquery(
                AnswerOption.objects.filter(version=OuterRef("version"))
                .order_by("-score")
                .values("score")[:1]
            )
        )
        .values_list("key", "text", "section__title", "core", "version_id", "top")
    )
    for key, text, section, core, version_id, top in questions:
        statements[key] = _Statement(text=text, section=section, core=core)
        tops[version_id] = top

    current = _counts(now_ids, tops)
    totals, ranks = _ranked(current)
    previous_totals, previous_ranks = _ranked(_counts(then_ids, tops))

    gaps = []
    for key, rank in sorted(ranks.items(), key=lambda item: item[1]):
        statement = statements.get(key)
        before = previous_totals.get(key, _Count())
        concerned = [
            BrandCount(name=brand_names[b][0], code=brand_names[b][1], unmet=count.unmet)
            for b, count in current[key].items()
            if count.unmet
        ]
        gaps.append(
            Gap(
                key=key,
                text=statement.text if statement else key,
                section=statement.section if statement else "",
                core=statement.core if statement else False,
                unmet=totals[key].unmet,
                applicable=totals[key].applicable,
                brands=tuple(sorted(concerned, key=lambda b: (-b.unmet, b.name))),
                rank=rank,
                previous_rank=previous_ranks.get(key),
                previous_unmet=before.unmet,
                previous_applicable=before.applicable,
            )
        )
    closed = [
        ClosedGap(
            key=key,
            text=statements[key].text if key in statements else key,
            previous_rank=rank,
            previous_unmet=previous_totals[key].unmet,
        )
        for key, rank in sorted(previous_ranks.items(), key=lambda item: item[1])
        if key not in ranks
    ]
    return GapReport(
        as_of=as_of,
        previous_as_of=previous_as_of,
        projects=len(now_ids),
        previous_projects=len(then_ids),
        gaps=gaps,
        closed=closed,
    )

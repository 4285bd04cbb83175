"""Figures over time: a project's figure at a date, brands quarter by quarter, a project's history.

DESIGN.md's rules: a project's figure at a date is its latest validated
assessment at or before that date (ties on the date go to the one created
last, as everywhere else); a brand's figure at a quarter's end is the mean of
its projects' figures at that date, with how many projects it covers and how
many of those figures are older than a year.

Every figure says which question-set version produced it. On the "shared
questions" basis, every assessment involved is re-scored with the engine on
only the questions (by key) that all the versions involved have in common,
each under its own version's weights, scale, sections and rule
(`engine.restricted`), so a figure cannot move just because questions were
added to or removed from the set. With a single version involved, the two
bases are the same and the stored scores are used.

All reads take a fixed number of queries, whatever the number of brands,
projects or assessments (plus a few per question-set version the first time
a process scores with it).
"""

import bisect
import datetime
from dataclasses import dataclass

from django.db.models import Min, QuerySet
from django.utils import timezone

from brands.models import Brand, Project
from scoring import engine
from scoring.selectors.gaps import in_question_set, quarter_end, quarter_label
from scoring.selectors.scores import version_spec
from surveys.models import Answer, Assessment, AssessmentStatus, Question, QuestionSetVersion

OWN, SHARED = "own", "shared"
# Ties on the date go to the assessment created last (as in latest_validated_scores).
_LATEST_LAST = ("assessed_on", "created_at", "id")


def year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def is_stale(assessed_on: datetime.date, at: datetime.date) -> bool:
    """A figure is stale at `at` when its assessment is more than a year older."""
    return assessed_on < year_before(at)


def quarter_ends(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The last day of every quarter from the one `first` is in to the one `last` is in."""
    ends = []
    end = quarter_end(first)
    while first <= last and end <= quarter_end(last):
        ends.append(end)
        end = quarter_end(end + datetime.timedelta(days=1))
    return ends


def version_label(version: QuestionSetVersion) -> str:
    return f"{version.question_set.name} v{version.number}"


@dataclass(frozen=True)
class Basis:
    """Which questions the figures of a trend count."""

    common_questions: bool
    versions: tuple[str, ...]  # labels of the versions the figures come from, oldest first
    shared_questions: int | None = None  # how many questions they share (shared basis only)

    @property
    def key(self) -> str:
        return SHARED if self.common_questions else OWN

    @property
    def mixed(self) -> bool:
        return len(self.versions) > 1


@dataclass(frozen=True)
class FigureAt:
    """A project's figure at a date: its latest validated assessment at or before it."""

    project_id: int
    assessment_code: str
    assessed_on: datetime.date
    percent: float | None
    level: str
    version: str
    stale: bool

    @property
    def quarter(self) -> str:
        return quarter_label(self.assessed_on)


def project_figure_at(project: Project, day: datetime.date) -> FigureAt | None:
    """`project`'s figure on `day`, or None before its first validated assessment."""
    assessment = (
        Assessment.objects.filter(
            project=project, status=AssessmentStatus.VALIDATED, assessed_on__lte=day
        )
        .select_related("score", "version__question_set")
        .order_by(*(f"-{name}" for name in _LATEST_LAST))
        .first()
    )
    if assessment is None:
        return None
    score = getattr(assessment, "score", None)
    return FigureAt(
        project_id=project.pk,
        assessment_code=str(assessment.code),
        assessed_on=assessment.assessed_on,
        percent=score.percent if score else None,
        level=score.level if score else "",
        version=version_label(assessment.version),
        stale=is_stale(assessment.assessed_on, day),
    )


@dataclass(frozen=True)
class _Row:
    """A validated assessment as the trends read it."""

    id: int
    code: str
    project_id: int
    brand_id: int
    kind: str
    assessed_on: datetime.date
    version_id: int
    overall: float | None
    level: str
    core_met: int | None
    core_total: int | None


def _rows(assessments: QuerySet[Assessment]) -> list[_Row]:
    """Validated assessments with their stored figures, oldest first, in one query."""
    fields = (
        "id",
        "code",
        "project_id",
        "project__brand_id",
        "project__kind",
        "assessed_on",
        "version_id",
        "score__overall",
        "score__level",
        "score__core_met",
        "score__core_total",
    )
    return [
        _Row(
            *values[:7],
            overall=None if values[7] is None else float(values[7]),
            level=values[8] or "",
            core_met=values[9],
            core_total=values[10],
        )
        for values in assessments.filter(status=AssessmentStatus.VALIDATED)
        .order_by("project_id", *_LATEST_LAST)
        .values_list(*fields)
    ]


class _Figures:
    """The figures of a set of chosen assessments on one basis, with the versions' labels."""

    def __init__(self, rows: list[_Row], *, common_questions: bool):
        version_ids = {r.version_id for r in rows}
        versions = {
            v.id: v
            for v in QuestionSetVersion.objects.filter(id__in=version_ids).select_related(
                "question_set"
            )
        }
        ordered = sorted(versions.values(), key=lambda v: (v.question_set.name, v.number))
        self.labels = {v.id: version_label(v) for v in ordered}
        self.percent: dict[int, float | None] = {
            r.id: None if r.overall is None else r.overall * 100 for r in rows
        }
        self.level: dict[int, str] = {r.id: r.level for r in rows}
        shared = None
        if common_questions:
            shared = self._rescore_on_shared(rows, versions)
        self.basis = Basis(
            common_questions=common_questions,
            versions=tuple(self.labels.values()),
            shared_questions=None if shared is None else len(shared),
        )

    def _rescore_on_shared(
        self, rows: list[_Row], versions: dict[int, QuestionSetVersion]
    ) -> frozenset[str]:
        keys_of: dict[int, set[str]] = {vid: set() for vid in versions}
        for version_id, key in Question.objects.filter(version_id__in=versions).values_list(
            "version_id", "key"
        ):
            keys_of[version_id].add(key)
        shared = (
            frozenset.intersection(*map(frozenset, keys_of.values())) if keys_of else frozenset()
        )
        # A version that has no question beyond the shared ones scores as stored.
        narrowed = {vid for vid, keys in keys_of.items() if keys - shared}
        todo = [r for r in rows if r.version_id in narrowed]
        if not todo:
            return shared
        specs = {vid: engine.restricted(version_spec(versions[vid]), shared) for vid in narrowed}
        answers: dict[int, list[engine.AnswerInput]] = {}
        for assessment_id, key, option, is_na in Answer.objects.filter(
            assessment_id__in=[r.id for r in todo], question__key__in=shared
        ).values_list("assessment_id", "question__key", "option__key", "is_na"):
            answers.setdefault(assessment_id, []).append(engine.AnswerInput(key, option, is_na))
        for row in todo:
            result = engine.score(specs[row.version_id], answers.get(row.id, ()), row.kind)
            self.percent[row.id] = result.percent
            self.level[row.id] = result.level
        return shared


@dataclass(frozen=True)
class QuarterFigure:
    """A brand's figure at the end of a quarter."""

    at: datetime.date
    percent: float | None  # mean of its projects' figures; None when none has one
    projects: int  # how many projects the mean covers
    stale: int  # how many of those figures are more than a year old at `at`
    versions: tuple[str, ...]  # the versions the figures come from

    @property
    def quarter(self) -> str:
        return quarter_label(self.at)

    @property
    def so_far(self) -> bool:
        """The quarter has not ended yet: the figure is as of today (its last day included)."""
        return quarter_end(self.at) >= timezone.localdate()


@dataclass(frozen=True)
class BrandSeries:
    brand: Brand
    points: list[QuarterFigure]  # one per quarter end asked for, oldest first


@dataclass(frozen=True)
class BrandTrend:
    series: list[BrandSeries]  # in the order the brands were given
    basis: Basis


def _latest_at(dates: list[datetime.date], day: datetime.date) -> int:
    """Index of the last of the ascending `dates` that is on or before `day`, or -1."""
    return bisect.bisect_right(dates, day) - 1


def brand_series(
    brands: QuerySet[Brand] | list[Brand],
    quarters: list[datetime.date],
    *,
    common_questions: bool = False,
    question_set_code: str | None = None,
) -> BrandTrend:
    """Each brand's figure at each of `quarters` (quarter ends, or any dates).

    On the shared basis, the questions counted are those shared by every version
    that produced one of the figures, across all the brands and quarters asked for,
    so that every figure of the trend is comparable with every other.
    """
    brands = list(brands)
    quarters = sorted(quarters)
    rows = (
        _rows(
            in_question_set(
                Assessment.objects.filter(project__brand__in=brands, assessed_on__lte=quarters[-1]),
                question_set_code,
            )
        )
        if brands and quarters
        else []
    )
    by_project: dict[int, list[_Row]] = {}
    for row in rows:
        by_project.setdefault(row.project_id, []).append(row)

    # The figure of each project at each quarter end: its latest row at or before it.
    chosen: dict[tuple[int, datetime.date], list[_Row]] = {}
    for project_rows in by_project.values():
        dates = [r.assessed_on for r in project_rows]
        for day in quarters:
            index = _latest_at(dates, day)
            if index >= 0:
                row = project_rows[index]
                chosen.setdefault((row.brand_id, day), []).append(row)

    used = {r.id: r for figures in chosen.values() for r in figures}
    figures = _Figures(list(used.values()), common_questions=common_questions)
    series = []
    for brand in brands:
        points = []
        for day in quarters:
            counted = [
                r for r in chosen.get((brand.pk, day), []) if figures.percent[r.id] is not None
            ]
            values = [figures.percent[r.id] for r in counted]
            versions = {r.version_id for r in counted}
            points.append(
                QuarterFigure(
                    at=day,
                    percent=sum(values) / len(values) if values else None,
                    projects=len(values),
                    stale=sum(1 for r in counted if is_stale(r.assessed_on, day)),
                    versions=tuple(
                        label for vid, label in figures.labels.items() if vid in versions
                    ),
                )
            )
        series.append(BrandSeries(brand=brand, points=points))
    return BrandTrend(series=series, basis=figures.basis)


def brand_quarter_ends(
    brand: Brand, *, today: datetime.date | None = None, question_set_code: str | None = None
) -> list[datetime.date]:
    """Quarter ends from the brand's first validated assessment (in the set, as brand_series)
    to the current quarter, whose point is today: an assessment dated later in the quarter
    does not count before its day."""
    today = today or timezone.localdate()
    first = in_question_set(
        Assessment.objects.filter(
            project__brand=brand, status=AssessmentStatus.VALIDATED, assessed_on__lte=today
        ),
        question_set_code,
    ).aggregate(first=Min("assessed_on"))["first"]
    return [min(end, today) for end in quarter_ends(first, today)] if first else []


@dataclass(frozen=True)
class ProjectPoint:
    """One validated assessment of a project on the trend's basis."""

    assessment_code: str
    assessed_on: datetime.date
    percent: float | None
    level: str
    core_met: int | None  # own basis only: core statements are counted on the whole set
    core_total: int | None
    version: str
    previous_code: str | None  # the validated assessment before this one

    @property
    def quarter(self) -> str:
        return quarter_label(self.assessed_on)


@dataclass(frozen=True)
class ProjectTrend:
    points: list[ProjectPoint]  # oldest first
    basis: Basis


def project_series(
    project: Project,
    *,
    common_questions: bool = False,
    today: datetime.date | None = None,
    question_set_code: str | None = None,
) -> ProjectTrend:
    """Every validated assessment of `project` in one question set (`question_set_code`; all
    when None) dated up to `today` (default: the local date), under its own version or on
    shared questions; one dated later has no point yet."""
    today = today or timezone.localdate()
    assessments = Assessment.objects.filter(project=project, assessed_on__lte=today)
    if question_set_code is not None:
        assessments = assessments.filter(version__question_set__code=question_set_code)
    rows = _rows(assessments)
    figures = _Figures(rows, common_questions=common_questions)
    return ProjectTrend(
        points=[
            ProjectPoint(
                assessment_code=str(r.code),
                assessed_on=r.assessed_on,
                percent=figures.percent[r.id],
                level=figures.level[r.id],
                core_met=None if common_questions else r.core_met,
                core_total=None if common_questions else r.core_total,
                version=figures.labels[r.version_id],
                previous_code=str(rows[i - 1].code) if i else None,
            )
            for i, r in enumerate(rows)
        ],
        basis=figures.basis,
    )

"""Stored figures as the dashboards read them: many projects, many dates, a fixed number of queries.

The rule is DESIGN.md's: a project's figure at a date is its latest validated
assessment at or before that date (ties on the date go to the one created
last, as in `trends`). Dashboards may also count submitted self-fills
(`include_submitted`): then the figure is the latest validated OR submitted
assessment, submitted ones that were upgraded to a newer version left out.
They may also keep to one question-set version: only its assessments count. Figures are
always of one question set (the one asked for, else the group's main set): a figure never
mixes sets.

Figures are the stored scores, in percent (0 to 100); nothing is re-scored here.
"""

import bisect
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, F, Q, QuerySet

from brands.models import Project
from scoring import engine
from scoring.models import ACTIVE_ACTION_STATUSES, ImprovementAction, SectionScore
from scoring.selectors.figures_cache import cached_figures
from scoring.selectors.gaps import in_question_set
from scoring.selectors.standings import chosen_assessments
from surveys.models import Assessment, AssessmentStatus, QuestionSetVersion, Section

_LATEST_LAST = ("assessed_on", "created_at", "id")
_FIELDS = (
    "id",
    "code",
    "project_id",
    "project__brand_id",
    "status",
    "assessed_on",
    "version_id",
    "score__overall",
    "score__level",
    "score__all_core_met",
    "score__core_met",
    "score__core_total",
)


class Figure(NamedTuple):
    """One scored assessment standing for its project's figure.

    A named tuple rather than a frozen dataclass: the group dashboard builds 8,000 of
    them per computation, and a tuple is made several times faster.
    """

    assessment_id: int
    assessment_code: str
    project_id: int
    brand_id: int
    status: str
    assessed_on: datetime.date
    version_id: int
    percent: float | None  # 0 to 100; None when nothing applied (or no score stored)
    level: str
    all_core_met: bool
    core_met: int
    core_total: int


def _counted(
    assessments: QuerySet[Assessment],
    *,
    include_submitted: bool,
    version_code: str | None,
    question_set_code: str | None = None,
) -> QuerySet[Assessment]:
    """The assessments that may stand for a project's figure (of one question set when
    `question_set_code` is given: a figure never mixes sets)."""
    counted = Q(status=AssessmentStatus.VALIDATED)
    if include_submitted:
        counted |= Q(status=AssessmentStatus.SUBMITTED, superseded_by__isnull=True)
    assessments = assessments.filter(counted)
    if version_code is not None:
        assessments = assessments.filter(version__code=version_code)
    return in_question_set(assessments, question_set_code)


def _figure(values: tuple) -> Figure:
    (pk, code, project_id, brand_id, status, assessed_on, version_id, overall, level) = values[:9]
    return Figure(
        pk,
        str(code),
        project_id,
        brand_id,
        status,
        assessed_on,
        version_id,
        None if overall is None else float(overall) * 100,
        level or "",
        bool(values[9]),
        values[10] or 0,
        values[11] or 0,
    )


def figure_of(assessment: Assessment, *, brand_id: int) -> Figure:
    """The figure of an assessment read with its stored score (`scores_for_assessments`)."""
    score = getattr(assessment, "score", None)
    return Figure(
        assessment_id=assessment.pk,
        assessment_code=str(assessment.code),
        project_id=assessment.project_id,
        brand_id=brand_id,
        status=assessment.status,
        assessed_on=assessment.assessed_on,
        version_id=assessment.version_id,
        percent=None if score is None or score.overall is None else float(score.overall) * 100,
        level=(score.level if score else "") or "",
        all_core_met=bool(score and score.all_core_met),
        core_met=(score.core_met if score else 0) or 0,
        core_total=(score.core_total if score else 0) or 0,
    )


def latest_of(assessments: Iterable[Assessment], *, on: datetime.date) -> Assessment | None:
    """The validated assessment standing for the project's figure on `on`, among the
    project's `assessments` (already read): the rule of `latest_figures`, in Python."""
    counted = [
        a for a in assessments if a.status == AssessmentStatus.VALIDATED and a.assessed_on <= on
    ]
    return max(counted, key=lambda a: (a.assessed_on, a.created_at, a.pk), default=None)


def loaded_section_figures(
    assessments: Iterable[Assessment],
) -> dict[int, dict[str, float | None]] | None:
    """`section_figures` of assessments whose section scores `scores_for_assessments` has
    loaded already, without a query; None when they are not loaded."""
    figures: dict[int, dict[str, float | None]] = {}
    for assessment in assessments:
        score = getattr(assessment, "score", None)
        if score is None:
            continue
        loaded = getattr(score, "_prefetched_objects_cache", {}).get("sections")
        if loaded is None:
            return None
        for row in loaded:
            figures.setdefault(assessment.pk, {})[row.section.key] = row.percent
    return figures


def figure_history(
    projects: QuerySet[Project],
    *,
    until: datetime.date,
    include_submitted: bool = False,
    version_code: str | None = None,
    question_set_code: str | None = None,
) -> dict[int, list[Figure]]:
    """Every assessment of `projects` that can stand for a figure up to `until`, by project id,
    oldest first (the order `figure_at` needs). One query."""
    assessments = _counted(
        Assessment.objects.filter(project__in=projects, assessed_on__lte=until),
        include_submitted=include_submitted,
        version_code=version_code,
        question_set_code=question_set_code,
    )
    history: dict[int, list[Figure]] = {}
    for values in assessments.order_by("project_id", *_LATEST_LAST).values_list(*_FIELDS):
        figure = _figure(values)
        history.setdefault(figure.project_id, []).append(figure)
    return history


def figure_at(history: list[Figure], day: datetime.date) -> Figure | None:
    """The project's figure on `day` from its `figure_history`; None before the first one."""
    index = bisect.bisect_right(history, day, key=lambda f: f.assessed_on) - 1
    return history[index] if index >= 0 else None


def figures_at(history: dict[int, list[Figure]], day: datetime.date) -> dict[int, Figure]:
    """Each project's figure on `day` (projects without one left out)."""
    figures = {}
    for project_id, figures_of_project in history.items():
        figure = figure_at(figures_of_project, day)
        if figure is not None:
            figures[project_id] = figure
    return figures


def latest_figures(
    projects: QuerySet[Project],
    *,
    on: datetime.date,
    include_submitted: bool = False,
    version_code: str | None = None,
    question_set_code: str | None = None,
) -> dict[int, Figure]:
    """Each project's figure on `on`, by project id, without reading its history. One query."""
    ids = chosen_assessments(
        projects,
        on=on,
        include_submitted=include_submitted,
        version_code=version_code,
        question_set_code=question_set_code,
    )
    return {
        figure.project_id: figure
        for figure in map(
            _figure, Assessment.objects.filter(pk__in=ids).order_by().values_list(*_FIELDS)
        )
    }


def section_figures(assessment_ids: Iterable[int]) -> dict[int, dict[str, float | None]]:
    """Section figures in percent of the given assessments: {assessment id: {section key: %}}.

    Sections are named by key, which stays the same across versions. One query.
    """
    figures: dict[int, dict[str, float | None]] = {}
    ids = list(assessment_ids)
    if not ids:
        return figures
    rows = SectionScore.objects.filter(score__assessment_id__in=ids).values_list(
        "score__assessment_id", "section__key", "value"
    )
    for assessment_id, key, value in rows:
        figures.setdefault(assessment_id, {})[key] = None if value is None else float(value) * 100
    return figures


@dataclass(frozen=True)
class SectionColumn:
    key: str
    title: str


@dataclass(frozen=True)
class LevelBandInfo:
    name: str
    min_percent: float
    # Reached only strictly above its minimum (a version whose boundary rule is "above";
    # never the lowest band): the same rule as the engine's `level_for`.
    above: bool = False


@dataclass(frozen=True)
class VersionInfo:
    id: int
    code: str
    label: str  # "MLOps maturity v2"
    number: int
    bands: tuple[LevelBandInfo, ...]  # lowest first


def versions_info(version_ids: Iterable[int]) -> dict[int, VersionInfo]:
    """Labels and level bands of question-set versions, by id. One query, none while
    cached (figures_cache: a version's changes change the token)."""
    ids = tuple(sorted(set(version_ids)))
    return cached_figures("versions-info", ids, lambda: _versions_info(ids))


def _versions_info(version_ids: tuple[int, ...]) -> dict[int, VersionInfo]:
    # One query: the versions joined to their level bands (a row per band; one row with
    # no band for a version without any), bands in their own order.
    rows = (
        QuestionSetVersion.objects.filter(id__in=version_ids)
        .order_by("id", "levels__order", "levels__id")
        .values_list(
            "id",
            "code",
            "number",
            "question_set__name",
            "level_boundary",
            "levels__name",
            "levels__min_percent",
        )
    )
    found: dict[int, tuple] = {}
    for pk, code, number, set_name, boundary, band, min_percent in rows:
        _, _, _, _, bands = found.setdefault(pk, (code, number, set_name, boundary, []))
        if band is not None:
            bands.append((band, float(min_percent)))
    return {
        pk: VersionInfo(
            id=pk,
            code=str(code),
            label=f"{set_name} v{number}",
            number=number,
            bands=tuple(
                # Under the "above" rule a band past the lowest starts just above its minimum.
                LevelBandInfo(name, minimum, above=boundary == engine.ABOVE and index > 0)
                for index, (name, minimum) in enumerate(sorted(bands, key=lambda b: b[1]))
            ),
        )
        for pk, (code, number, set_name, boundary, bands) in found.items()
    }


def section_columns(version_ids: Iterable[int]) -> list[SectionColumn]:
    """The sections of the versions, by key: in the newest version's order, named as there;
    sections only older versions have come after. One query, none while cached."""
    ids = tuple(sorted(set(version_ids)))
    return list(cached_figures("section-columns", ids, lambda: _section_columns(ids)))


def _section_columns(version_ids: tuple[int, ...]) -> tuple[SectionColumn, ...]:
    sections = Section.objects.filter(version_id__in=version_ids).order_by(
        "-version__number", "version_id", "order"
    )
    columns: dict[str, SectionColumn] = {}
    for key, title in sections.values_list("key", "title"):
        columns.setdefault(key, SectionColumn(key, title))
    return tuple(columns.values())


@dataclass(frozen=True)
class ActionSummary:
    counts: dict[str, int]  # active actions by status (open, in_progress), zeros included
    urgent: list[ImprovementAction]  # overdue and soonest due first, undated last

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def active_actions(projects: QuerySet[Project], *, limit: int = 10) -> ActionSummary:
    """The open and in-progress improvement actions of `projects`: how many, and the most
    urgent ones (with project and owner). Two queries."""
    actions = ImprovementAction.objects.filter(
        project__in=projects, status__in=ACTIVE_ACTION_STATUSES
    )
    counts = {str(status): 0 for status in ACTIVE_ACTION_STATUSES}
    for status, count in actions.values_list("status").annotate(n=Count("id")).order_by():
        counts[status] = count
    urgent = list(
        actions.select_related("project", "owner").order_by(
            F("due_on").asc(nulls_last=True), "created_at", "id"
        )[:limit]
    )
    return ActionSummary(counts=counts, urgent=urgent)

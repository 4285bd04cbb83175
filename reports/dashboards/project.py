"""The project page's figures: its latest validated profile against its brand and the group,
what moved between validated assessments, its answers and the top of its improvement plan.

Scores are read only through scoring's selectors; nothing here computes a score.
The number of queries does not grow with the number of projects or assessments.
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django.utils.translation import gettext

from brands.models import Project
from scoring.selectors import assessment_movement, project_plan
from scoring.selectors.benchmarks import MIN_GROUP_SIZE, Distribution
from scoring.selectors.comparison import project_comparison
from scoring.selectors.dashboard import (
    Figure,
    LevelBandInfo,
    figure_of,
    latest_of,
    loaded_section_figures,
    section_figures,
)
from scoring.selectors.figures_cache import cached_settled, settled
from scoring.selectors.movement import Movement
from scoring.selectors.plans import PlanItem
from surveys.models import Answer, Assessment, AssessmentStatus, Question, QuestionSet
from surveys.selectors import default_question_set

PLAN_ITEMS = 5


def chosen_set(
    project: Project, assessments: list[Assessment], wanted: str | None
) -> tuple[QuestionSet | None, list[Assessment]]:
    """The question set a project's page or report shows, and the assessments in it.

    `wanted` is a set's code (`?set=`, or a report's filters); a set the project has no
    assessment in is not chosen. By default: the set of the project's newest assessment
    (`assessments` are newest first), else the set new work on it would use. Figures never
    mix sets, so the page, the PDF and the Excel report all read one set's assessments.
    """
    sets = {str(a.version.question_set.code): a.version.question_set for a in assessments}
    question_set = sets.get((wanted or "").strip())
    if question_set is None:
        question_set = (
            assessments[0].version.question_set if assessments else default_question_set(project)
        )
    chosen = [
        a
        for a in assessments
        if question_set is not None and a.version.question_set_id == question_set.pk
    ]
    return question_set, chosen


@dataclass(frozen=True)
class BrandMean:
    """The mean of the brand's other projects; withheld below MIN_GROUP_SIZE."""

    n: int
    mean: float | None = None

    @property
    def shown(self) -> bool:
        return self.n >= MIN_GROUP_SIZE


def brand_mean(values: list[float]) -> BrandMean:
    if len(values) < MIN_GROUP_SIZE:
        return BrandMean(n=len(values))
    return BrandMean(n=len(values), mean=statistics.fmean(values))


@dataclass(frozen=True)
class ProfileRow:
    key: str  # "overall" or a section key
    title: str
    percent: float | None
    brand: BrandMean
    group: Distribution


@dataclass(frozen=True)
class SectionDelta:
    title: str
    before: float | None
    after: float | None

    @property
    def points(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass
class HistoryRow:
    """An assessment of the project, with what moved since the previous validated one."""

    assessment: Assessment
    previous: Assessment | None = None
    overall_points: float | None = None
    sections: list[SectionDelta] = field(default_factory=list)
    changed_answers: int | None = None  # answers that differ, on the questions both versions ask
    core_met_change: int | None = None  # core statements met, after minus before


@dataclass(frozen=True)
class AnswerSection:
    title: str
    answers: list[Answer]


@dataclass
class ProjectPage:
    project: Project
    latest: Figure | None  # the latest validated assessment's stored figure
    bands: tuple[LevelBandInfo, ...]
    profile: list[ProfileRow]  # overall first, then sections in question-set order
    history: list[HistoryRow]  # newest first
    movement: Movement | None  # latest validated against the one before, if there are two
    answers: list[AnswerSection]
    plan_items: list[PlanItem]
    plan_total: int

    @property
    def overall(self) -> ProfileRow | None:
        return self.profile[0] if self.profile else None

    @property
    def sections(self) -> list[ProfileRow]:
        return self.profile[1:]


def _percent(value) -> float | None:
    return None if value is None else float(value) * 100


def project_page_data(
    *, project: Project, assessments: list[Assessment], on: datetime.date
) -> ProjectPage:
    """The page's figures; `assessments` are the project's, newest first, with their scores."""
    latest_assessment = latest_of(assessments, on=on)
    if latest_assessment is None:
        return ProjectPage(project, None, (), [], _history(assessments, {}), None, [], [], 0)
    latest = figure_of(latest_assessment, brand_id=project.brand_id)

    # The other projects' figures, reduced to means and quartiles and cached until a
    # figure changes: at group scale they are most of the page's reading.
    peers = project_comparison(
        project,
        on=on,
        version_id=latest.version_id,
        question_set_code=str(latest_assessment.version.question_set.code),
    )
    validated = [a for a in assessments if a.status == AssessmentStatus.VALIDATED]
    by_section = loaded_section_figures(validated)
    if by_section is None:
        by_section = section_figures(a.pk for a in validated)
    columns = list(peers.sections)
    own_sections = by_section.get(latest.assessment_id, {})

    def row(key: str, title: str, percent: float | None) -> ProfileRow:
        mean = peers.brand_mean(key)
        return ProfileRow(
            key=key,
            title=title,
            percent=percent,
            brand=BrandMean(n=mean.n, mean=mean.mean),
            group=peers.group_distribution(key),
        )

    profile = [row("overall", gettext("Overall"), latest.percent)]
    profile += [
        row(column.key, column.title, own_sections.get(column.key))
        for column in columns
        if column.key in own_sections
    ]

    titles = {c.key: c.title for c in columns}
    history = _history(assessments, by_section, titles)
    _count_changed_answers(history)
    previous = next((r.previous for r in history if r.assessment.pk == latest.assessment_id), None)
    movement = None
    if previous is not None:
        # Two validated assessments: what moved between them is kept whatever the token, so
        # that a validation elsewhere does not make this page compute it again.
        movement = cached_settled(
            "movement",
            (*settled(previous), *settled(latest_assessment), project.kind),
            lambda: assessment_movement(previous, latest_assessment),
        )

    latest_answers = _answers_shown(latest_assessment)
    grouped: dict[str, list[Answer]] = {}
    for answer in latest_answers:
        grouped.setdefault(answer.question.section.title, []).append(answer)

    # The plan reads the latest validated assessment of any date; ours is the latest up to `on`.
    newest = max(
        (a for a in assessments if a.status == AssessmentStatus.VALIDATED),
        key=lambda a: (a.assessed_on, a.created_at),
    )
    plan = project_plan(
        project,
        latest=newest,
        answers=latest_answers if newest.pk == latest_assessment.pk else None,
    )
    return ProjectPage(
        project=project,
        latest=latest,
        bands=peers.bands,
        profile=profile,
        history=history,
        movement=movement,
        answers=[AnswerSection(title, answers) for title, answers in grouped.items()],
        plan_items=plan.items[:PLAN_ITEMS],
        plan_total=len(plan.items),
    )


def _answers_shown(assessment: Assessment) -> list[Answer]:
    """The assessment's answers in question order, as the page shows them and the plan reads
    them: with their statements, sections and options, but not the statements' guidance
    nor the texts' translations (the page shows neither), nor who answered."""
    return list(
        assessment.answers.select_related("question__section", "option")
        .defer(
            "interviewer_note",
            "question__why",
            "question__good",
            "question__evidence",
            "question__translations",
            "question__section__description",
            "question__section__translations",
            "option__translations",
        )
        .order_by("question__order")
    )


def _history(
    assessments: list[Assessment],
    by_section: dict[int, dict[str, float | None]],
    titles: dict[str, str] | None = None,
) -> list[HistoryRow]:
    """Each assessment with the deltas since the validated one before it (stored scores)."""
    titles = titles or {}
    rows = [HistoryRow(a) for a in assessments]
    oldest_first = list(reversed(rows))
    previous: Assessment | None = None
    for row in oldest_first:
        a = row.assessment
        if previous is not None and a.status != AssessmentStatus.DRAFT:
            row.previous = previous
            before = getattr(previous, "score", None)
            after = getattr(a, "score", None)
            if (
                before is not None
                and after is not None
                and None not in (before.overall, after.overall)
            ):
                row.overall_points = _percent(after.overall) - _percent(before.overall)
            earlier = by_section.get(previous.pk, {})
            later = by_section.get(a.pk, {})
            row.sections = [
                SectionDelta(titles.get(key, key), earlier.get(key), later.get(key))
                for key in titles
                if key in earlier or key in later
            ]
        if a.status == AssessmentStatus.VALIDATED:
            previous = a
    return rows


def _count_changed_answers(history: list[HistoryRow]) -> None:
    """How many answers changed between each row and its previous validated assessment,
    compared as `assessment_movement` compares them. Two queries for the whole history;
    none while kept (`cached_settled`), when every assessment compared is validated: their
    answers never change."""
    rows = [row for row in history if row.previous is not None]
    if not rows:
        return
    # The previous one always is validated.
    if all(row.assessment.status == AssessmentStatus.VALIDATED for row in rows):
        parts = tuple((*settled(row.assessment), *settled(row.previous)) for row in rows)
        changed = cached_settled("changed-answers", parts, lambda: _changed_answers(rows))
    else:
        changed = _changed_answers(rows)
    for row in rows:
        row.changed_answers = changed[row.assessment.pk, row.previous.pk]
        earlier = getattr(row.previous, "score", None)
        later = getattr(row.assessment, "score", None)
        if earlier is not None and later is not None:
            row.core_met_change = later.core_met - earlier.core_met


def _changed_answers(rows: list[HistoryRow]) -> dict[tuple[int, int], int]:
    ids = {row.assessment.pk for row in rows} | {row.previous.pk for row in rows}
    values: dict[int, dict[str, tuple[str | None, bool]]] = {pk: {} for pk in ids}
    for assessment_id, key, option, is_na in Answer.objects.filter(
        assessment_id__in=ids
    ).values_list("assessment_id", "question__key", "option__key", "is_na"):
        values[assessment_id][key] = (option, is_na)
    versions = {row.assessment.version_id for row in rows} | {
        row.previous.version_id for row in rows
    }
    asked: dict[int, set[str]] = {v: set() for v in versions}
    for version_id, key in Question.objects.filter(version_id__in=versions).values_list(
        "version_id", "key"
    ):
        asked[version_id].add(key)
    nothing = (None, False)
    changed = {}
    for row in rows:
        before, after = values[row.previous.pk], values[row.assessment.pk]
        shared = asked[row.assessment.version_id] & asked[row.previous.version_id]
        changed[row.assessment.pk, row.previous.pk] = sum(
            1 for key in shared if before.get(key, nothing) != after.get(key, nothing)
        )
    return changed

"""What moved between two assessments of a project, and why.

Both assessments are scored with the engine as they stand (for validated ones,
that is what was stored), then compared: the answers that changed, each
section's move in points and the overall move, the core statements newly met
or lost, and the questions only one of the two versions asks. Questions and
sections are matched by key, so two assessments under different versions of
the question set can be compared.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from brands.models import User
from scoring import engine
from scoring.selectors.scores import answer_inputs, version_spec
from surveys.models import Answer, Assessment, AssessmentStatus, Question, Section


@dataclass(frozen=True)
class AnswerMove:
    """An answer that differs between the two assessments."""

    key: str
    text: str  # as the later assessment's version words it
    section: str
    before: str
    after: str
    before_score: float | None  # 0..1; None for N/A or no answer
    after_score: float | None
    by: User | None  # who gave the later answer
    at: datetime.datetime | None

    @property
    def direction(self) -> str:
        if self.before_score is None or self.after_score is None:
            return "changed"
        if self.after_score > self.before_score:
            return "up"
        return "down" if self.after_score < self.before_score else "changed"


@dataclass(frozen=True)
class SectionMove:
    key: str
    title: str
    before: float | None  # percent
    after: float | None
    points: float | None  # None when either side has no figure
    # For a set shown in points: "2.5 of 7" on either side ("" otherwise or without a figure).
    points_text_before: str = ""
    points_text_after: str = ""


@dataclass(frozen=True)
class Statement:
    key: str
    text: str


@dataclass(frozen=True)
class Movement:
    before: Assessment
    after: Assessment
    overall_before: float | None  # percent
    overall_after: float | None
    overall_points: float | None
    level_before: str
    level_after: str
    sections: list[SectionMove]
    answers: list[AnswerMove]  # in the later assessment's question order
    core_newly_met: list[Statement]
    core_lost: list[Statement]
    only_before: list[Statement]  # questions the later version no longer asks
    only_after: list[Statement]  # questions new in the later version
    # For a set shown in points (display: points): "2.5 of 7" on either side, else "".
    points_text_before: str = ""
    points_text_after: str = ""

    @property
    def shows_points(self) -> bool:
        return bool(self.points_text_before or self.points_text_after)

    @property
    def same_version(self) -> bool:
        return self.before.version_id == self.after.version_id

    @property
    def nothing_moved(self) -> bool:
        return not (
            self.answers
            or self.core_newly_met
            or self.core_lost
            or self.only_before
            or self.only_after
            or self.overall_points
            or any(s.points for s in self.sections)
        )


def previous_validated(assessment: Assessment) -> Assessment | None:
    """The project's validated assessment just before `assessment` (by date, then creation),
    in the same question set: what moved is never measured across sets."""
    earlier = Q(assessed_on__lt=assessment.assessed_on) | Q(
        assessed_on=assessment.assessed_on, created_at__lt=assessment.created_at
    )
    return (
        Assessment.objects.filter(
            earlier,
            project_id=assessment.project_id,
            status=AssessmentStatus.VALIDATED,
            version__question_set_id=assessment.version.question_set_id,
        )
        .exclude(pk=assessment.pk)
        .select_related("project__brand", "version__question_set")
        .order_by("-assessed_on", "-created_at", "-id")
        .first()
    )


def latest_two_validated(project_id: int) -> tuple[Assessment, Assessment] | None:
    """The project's two latest validated assessments (earlier first), if it has two."""
    latest = list(
        Assessment.objects.filter(project_id=project_id, status=AssessmentStatus.VALIDATED)
        .select_related("project__brand", "version__question_set")
        .order_by("-assessed_on", "-created_at", "-id")[:2]
    )
    return (latest[1], latest[0]) if len(latest) == 2 else None


def comparable_assessments(assessment: Assessment) -> QuerySet[Assessment]:
    """The project's other assessments in the same question set, newest first: what
    `assessment` can be compared with."""
    return (
        Assessment.objects.filter(
            project_id=assessment.project_id,
            version__question_set_id=assessment.version.question_set_id,
        )
        .exclude(pk=assessment.pk)
        .select_related("version__question_set")
        .order_by("-assessed_on", "-created_at")
    )


def _label(answer: Answer | None, labels: dict[int, str]) -> str:
    if answer is not None and answer.is_na:
        return pgettext("answer", "N/A")
    if answer is None or answer.option_id not in labels:
        return _("no answer")
    return labels[answer.option_id]


def _value(answer: Answer | None) -> tuple[str | None, bool]:
    """What an answer says, comparable across versions: the option's key or N/A."""
    if answer is None:
        return None, False
    return (answer.option.key if answer.option_id else None), answer.is_na


def assessment_movement(before: Assessment, after: Assessment) -> Movement:
    """What moved from `before` to `after` (two assessments of the same project)."""
    if before.project_id != after.project_id:
        raise ValueError("Only two assessments of the same project can be compared.")
    versions = {before.version_id, after.version_id}
    answers: dict[int, list[Answer]] = {before.pk: [], after.pk: []}
    # Only the columns compared or named below are read: the statements' guidance and every
    # translation stay in the database (none of them leaves this function).
    guidance = ("why", "good", "evidence", "translations")
    for answer in (
        Answer.objects.filter(assessment__in=[before.pk, after.pk])
        .select_related("question", "option", "answered_by")
        .defer(
            "na_reason",
            "comment",
            "evidence_url",
            "interviewer_note",
            "option__translations",
            *(f"question__{name}" for name in guidance),
        )
        .order_by("question__order")
    ):
        answers[answer.assessment_id].append(answer)
    questions: dict[int, dict[str, Question]] = {v: {} for v in versions}
    for question in (
        Question.objects.filter(version_id__in=versions)
        .select_related("section")
        .defer(*guidance, "section__description", "section__translations")
        .order_by("order")
    ):
        questions[question.version_id][question.key] = question
    titles: dict[str, str] = {}
    sections = Section.objects.filter(version_id__in=versions).defer("description", "translations")
    for section in sections.order_by("order"):
        # The later version names a section both have.
        if section.version_id == after.version_id or section.key not in titles:
            titles[section.key] = section.title
    option_labels = {
        a.option_id: a.option.label for rows in answers.values() for a in rows if a.option_id
    }
    kind = after.project.kind
    result_before = engine.score(
        version_spec(before.version), answer_inputs(answers[before.pk]), kind
    )
    result_after = engine.score(version_spec(after.version), answer_inputs(answers[after.pk]), kind)
    compared = engine.compare(result_before, result_after)

    old = {a.question.key: a for a in answers[before.pk]}
    new = {a.question.key: a for a in answers[after.pk]}
    moved = []
    for key, question in questions[after.version_id].items():
        if key not in questions[before.version_id]:
            continue
        was, now = old.get(key), new.get(key)
        if _value(was) == _value(now):
            continue
        moved.append(
            AnswerMove(
                key=key,
                text=question.text,
                section=titles.get(question.section.key, ""),
                before=_label(was, option_labels),
                after=_label(now, option_labels),
                before_score=result_before.question_scores.get(key),
                after_score=result_after.question_scores.get(key),
                by=now.answered_by if now is not None else None,
                at=now.answered_at if now is not None else None,
            )
        )

    def percent(result: engine.Result, key: str) -> float | None:
        section = result.sections.get(key)
        return None if section is None else section.percent

    def points_text(result: engine.Result, assessment: Assessment, key: str | None = None) -> str:
        if assessment.version.display != "points":
            return ""
        if key is None:
            return engine.format_points(result.points, result.max_points)
        section = result.sections.get(key)
        if section is None or section.score is None:
            return ""
        return engine.format_points(section.points, section.max_points)

    sections = [
        SectionMove(
            key=key,
            title=titles.get(key, key),
            before=percent(result_before, key),
            after=percent(result_after, key),
            points=points,
            points_text_before=points_text(result_before, before, key),
            points_text_after=points_text(result_after, after, key),
        )
        for key, points in compared.section_points.items()
    ]

    def statements(keys, version_id: int) -> list[Statement]:
        return [Statement(key, questions[version_id][key].text) for key in keys]

    before_keys, after_keys = questions[before.version_id], questions[after.version_id]
    return Movement(
        before=before,
        after=after,
        overall_before=result_before.percent,
        overall_after=result_after.percent,
        overall_points=compared.overall_points,
        level_before=result_before.level,
        level_after=result_after.level,
        sections=sections,
        answers=moved,
        core_newly_met=statements(compared.core_newly_met, after.version_id),
        core_lost=statements(compared.core_lost, before.version_id),
        only_before=statements([k for k in before_keys if k not in after_keys], before.version_id),
        only_after=statements([k for k in after_keys if k not in before_keys], after.version_id),
        points_text_before=points_text(result_before, before),
        points_text_after=points_text(result_after, after),
    )

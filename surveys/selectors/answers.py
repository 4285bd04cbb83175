"""Reads of answers: progress, counts, history and the answer scale."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from surveys.models import (
    Answer,
    AnswerEvent,
    AnswerVia,
    Assessment,
    Question,
    Section,
)


def answers_of_assessment(assessment: Assessment) -> QuerySet[Answer]:
    return assessment.answers.select_related("question__section", "option", "answered_by").order_by(
        "question__order"
    )


class SectionProgress:
    """A section of an assessment with its answers and how many are done."""

    def __init__(self, section: Section, answers: list[Answer]):
        self.section = section
        self.answers = answers
        self.total = len(answers)
        self.done = sum(1 for a in answers if a.is_answered)

    @property
    def percent(self) -> int:
        return round(self.done * 100 / self.total) if self.total else 100

    @property
    def complete(self) -> bool:
        return self.done == self.total


def assessment_progress(assessment: Assessment) -> list[SectionProgress]:
    """The applicable answers of `assessment`, grouped by section, in order."""
    by_section: dict[int, list[Answer]] = {}
    sections: dict[int, Section] = {}
    for answer in answers_of_assessment(assessment):
        section = answer.question.section
        sections[section.id] = section
        by_section.setdefault(section.id, []).append(answer)
    return [SectionProgress(sections[sid], rows) for sid, rows in by_section.items()]


def overall_progress(progress: list[SectionProgress]) -> tuple[int, int]:
    return sum(p.done for p in progress), sum(p.total for p in progress)


def answer_history(answer: Answer) -> QuerySet:
    return answer.events.select_related("actor").order_by("-revision")


@dataclass(frozen=True)
class SectionCount:
    section: Section
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done == self.total


def answer_counts(
    assessment: Assessment, section: Section
) -> tuple[SectionCount, int, int, "RoundCounts"]:
    """How far `section` and the whole assessment are answered, in one query."""
    answered = Q(option__isnull=False) | Q(is_na=True)
    rows = (
        assessment.answers.values("question__section_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=answered),
            confirmed=Count("id", filter=answered & Q(carried_over=False)),
            carried=Count("id", filter=Q(carried_over=True)),
        )
        .order_by()
    )
    done = total = confirmed = carried = 0
    mine = SectionCount(section, 0, 0)
    for row in rows:
        done, total = done + row["done"], total + row["total"]
        confirmed, carried = confirmed + row["confirmed"], carried + row["carried"]
        if row["question__section_id"] == section.id:
            mine = SectionCount(section, row["done"], row["total"])
    return mine, done, total, RoundCounts(confirmed, carried)


@dataclass(frozen=True)
class RoundCounts:
    """Answers looked at in this round, and answers still as carried over from the last one."""

    confirmed: int
    carried: int


def round_counts(progress: list[SectionProgress]) -> RoundCounts:
    answers = [a for p in progress for a in p.answers]
    return RoundCounts(
        confirmed=sum(1 for a in answers if a.is_answered and not a.carried_over),
        carried=sum(1 for a in answers if a.carried_over),
    )


# Published versions never change, so their scale is kept per process.
_published_options: dict[tuple, list] = {}


def options_of(assessment: Assessment) -> list:
    """The answer scale of `assessment`'s version."""
    version = assessment.version
    # Keyed with the publication time too: a row id alone can come back after a rollback.
    key = (version.pk, version.published_at)
    cached = _published_options.get(key)
    if cached is None:
        cached = list(version.options.all())
        if version.is_published:
            _published_options[key] = cached
    return cached


def not_applicable_questions(assessment: Assessment) -> dict[int, list[Question]]:
    """The version's questions that do not apply to the project's kind, by section id."""
    kind = assessment.project.kind
    found: dict[int, list[Question]] = {}
    for question in assessment.version.questions.exclude(applies_to="all").order_by("order"):
        if not question.applies_to_kind(kind):
            found.setdefault(question.section_id, []).append(question)
    return found


def _value_label(changes: dict, labels: dict[str, str]) -> str:
    """The answer as it was before the change recorded in `changes`."""
    if changes.get("is_na", [False])[0]:
        return "N/A"
    key = changes.get("option", [None])[0]
    return labels.get(key, "no answer") if key else "no answer"


def mark_comments_for_previous(answers: list[Answer], options: list) -> None:
    """Set `comment_for_previous` on each answer: the answer its comment was written for,
    when the answer changed after the comment was last written (else "").

    A comment carried over from the last assessment counts as written before this round.
    One query for all the answers that have a comment.
    """
    for answer in answers:
        answer.comment_for_previous = ""
    with_comment = {a.pk: a for a in answers if a.comment}
    if not with_comment:
        return
    labels = {o.key: o.label for o in options}
    events = (
        AnswerEvent.objects.filter(answer_id__in=with_comment)
        .exclude(via=AnswerVia.CARRY_OVER)
        .order_by("answer_id", "revision")
        .values_list("answer_id", "changes")
    )
    last_comment: dict[int, int] = {}
    history: dict[int, list[dict]] = {}
    for answer_id, changes in events:
        rows = history.setdefault(answer_id, [])
        rows.append(changes)
        if "comment" in changes:
            last_comment[answer_id] = len(rows)
    for answer_id, rows in history.items():
        later = [c for c in rows[last_comment.get(answer_id, 0) :] if "option" in c or "is_na" in c]
        if later:
            with_comment[answer_id].comment_for_previous = _value_label(later[0], labels)

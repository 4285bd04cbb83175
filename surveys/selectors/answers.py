"""Reads of answers: progress, counts, history and the answer scale."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from surveys.models import (
    Answer,
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


def answer_counts(assessment: Assessment, section: Section) -> tuple[SectionCount, int, int]:
    """How far `section` and the whole assessment are answered, in one query."""
    rows = (
        assessment.answers.values("question__section_id")
        .annotate(
            total=Count("id"), done=Count("id", filter=Q(option__isnull=False) | Q(is_na=True))
        )
        .order_by()
    )
    done = total = 0
    mine = SectionCount(section, 0, 0)
    for row in rows:
        done, total = done + row["done"], total + row["total"]
        if row["question__section_id"] == section.id:
            mine = SectionCount(section, row["done"], row["total"])
    return mine, done, total


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

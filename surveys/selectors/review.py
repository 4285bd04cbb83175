"""Reads for reviewing a submitted self-fill: what the reviewer changed."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brands.models import User
from surveys.models import (
    Answer,
    AnswerEvent,
    AnswerVia,
    Assessment,
)


@dataclass(frozen=True)
class Disagreement:
    """An answer the reviewer changed: what the respondents said, what the reviewer made it."""

    answer: Answer
    respondent_value: str
    reviewer_value: str
    notes: list[str]
    reviewer: User | None
    at: datetime.datetime


def _answer_label(option_key: str | None, is_na: bool, labels: dict[str, str]) -> str:
    if is_na:
        return "N/A"
    if option_key is None:
        return "no answer"
    return labels.get(option_key, option_key)


def _event_value(event: AnswerEvent, side: int, labels: dict[str, str]) -> str:
    """The answer before (side 0) or after (side 1) `event`, as a person reads it."""
    changes = event.changes
    # A change of the option alone leaves is_na False on both sides, and vice versa.
    option = changes["option"][side] if "option" in changes else None
    is_na = changes["is_na"][side] if "is_na" in changes else False
    return _answer_label(option, is_na, labels)


def review_disagreements(assessment: Assessment) -> list[Disagreement]:
    """Answers changed in review, from the respondents' value to the reviewer's, in question order.

    Several review changes of one answer collapse into one line; an answer the reviewer
    changed and then set back to the respondents' value is no disagreement.
    """
    labels = {o.key: o.label for o in assessment.version.options.all()}
    events = (
        AnswerEvent.objects.filter(answer__assessment=assessment, via=AnswerVia.REVIEW)
        .filter(Q(changes__has_key="option") | Q(changes__has_key="is_na"))
        .select_related("answer__question", "actor")
        .order_by("answer__question__order", "revision")
    )
    by_answer: dict[int, list[AnswerEvent]] = {}
    for event in events:
        by_answer.setdefault(event.answer_id, []).append(event)
    result = []
    for rows in by_answer.values():
        first, last = rows[0], rows[-1]
        before, after = _event_value(first, 0, labels), _event_value(last, 1, labels)
        if before == after:
            continue
        result.append(
            Disagreement(
                answer=first.answer,
                respondent_value=before,
                reviewer_value=after,
                notes=[e.note for e in rows if e.note],
                reviewer=last.actor,
                at=last.at,
            )
        )
    return result


# The review page's filters: key, label. Each answer is sorted into every filter it matches.
REVIEW_FILTERS = (
    ("changed", _("Changed since the last validated assessment")),
    ("no", _("Answered No")),
    ("no-evidence", _("Without evidence link")),
    ("carried", _("Carried over unchanged")),
    ("na", _("N/A")),
)


@dataclass(frozen=True)
class ReviewFilter:
    key: str
    label: str
    count: int


def _value(answer: Answer | None) -> tuple[str | None, bool]:
    if answer is None:
        return (None, False)
    return (None if answer.is_na else answer.option_id and answer.option.key, answer.is_na)


def mark_review_facts(answers: list[Answer], previous: Assessment | None) -> list[ReviewFilter]:
    """Set on each answer `previous_label` (the previous validated assessment's answer, or
    "" when there is none to compare with) and `matches` (the review filters it falls
    under); return the filters with their counts. One query for the previous answers."""
    before: dict[str, Answer] = {}
    if previous is not None:
        before = {
            a.question.key: a
            for a in previous.answers.select_related("question", "option").only(
                "is_na", "option__key", "option__label", "question__key"
            )
        }
    counts = dict.fromkeys([key for key, _ in REVIEW_FILTERS], 0)
    for answer in answers:
        old = before.get(answer.question.key)
        answer.previous_label = ""
        if previous is not None:
            answer.previous_label = (
                "not asked"
                if old is None
                else "N/A"
                if old.is_na
                else old.option.label
                if old.option_id
                else "no answer"
            )
        matches = set()
        if previous is not None and _value(old) != _value(answer):
            matches.add("changed")
        if answer.option_id and not answer.is_na and answer.option.score == 0:
            matches.add("no")
        if not answer.evidence_url:
            matches.add("no-evidence")
        if answer.carried_over:
            matches.add("carried")
        if answer.is_na:
            matches.add("na")
        answer.matches = matches
        for key in matches:
            counts[key] += 1
    return [ReviewFilter(key, label, counts[key]) for key, label in REVIEW_FILTERS]


def answers_not_as_shown(assessment: Assessment, shown: dict[str, str]) -> list[Answer]:
    """The answers whose stored choice differs from what the reviewer's page showed
    (`shown`: question key -> option key, "na" or ""), in question order.

    Validate sends what the page shows, so that a change held back on the page (waiting
    for its note) or one made meanwhile by someone else is never frozen unseen."""
    if not shown:
        return []
    answers = assessment.answers.filter(question__key__in=shown).select_related(
        "question", "option"
    )
    differ = []
    for answer in answers.order_by("question__order"):
        stored = "na" if answer.is_na else answer.option.key if answer.option_id else ""
        if shown[answer.question.key] != stored:
            differ.append(answer)
    return differ

"""Reads for reviewing a submitted self-fill: what the reviewer changed."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

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

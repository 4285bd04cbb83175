"""Writes for scores: compute with the engine and store."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from scoring import engine
from scoring.models import Score, SectionScore
from scoring.selectors import assessment_result
from surveys.models import Assessment


def stored_decimal(value: float | None) -> Decimal | None:
    """A figure of the engine as a Score column holds it: five decimals."""
    return None if value is None else Decimal(str(round(value, 5)))


def score_figures(result: engine.Result) -> dict:
    """The Score columns that come from the engine's result (all but version and time)."""
    return {
        "overall": stored_decimal(result.overall),
        "level": result.level,
        "all_core_met": result.all_core_met,
        "core_met": len(result.core_met),
        "core_total": len(result.core_met) + len(result.core_missed),
        "answered": result.answered,
        "applicable": result.applicable,
    }


@transaction.atomic
def score_store(*, assessment: Assessment, result: engine.Result | None = None) -> Score:
    """Compute (unless given) and store the score of `assessment`, replacing any earlier one."""
    if result is None:
        result = assessment_result(assessment)
    score, _ = Score.objects.update_or_create(
        assessment=assessment,
        defaults={
            **score_figures(result),
            "engine_version": result.engine_version,
            "computed_at": timezone.now(),
        },
    )
    sections = {s.key: s for s in assessment.version.sections.all()}
    SectionScore.objects.filter(score=score).delete()
    SectionScore.objects.bulk_create(
        SectionScore(score=score, section=sections[key], value=stored_decimal(section.score))
        for key, section in result.sections.items()
    )
    return score

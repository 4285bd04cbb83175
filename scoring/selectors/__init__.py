"""Reads for scores, one module per domain; the public names are re-exported here.

Dashboards and reports get their figures here, never by computing them.
"""

from scoring.selectors.scores import (
    answer_inputs,
    assessment_result,
    latest_validated_scores,
    scores_for_assessments,
    version_spec,
)

__all__ = [
    "answer_inputs",
    "assessment_result",
    "latest_validated_scores",
    "scores_for_assessments",
    "version_spec",
]

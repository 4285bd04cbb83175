"""Reads for scores, one module per domain; the public names are re-exported here.

Dashboards and reports get their figures here, never by computing them.
"""

from scoring.selectors.benchmarks import MIN_GROUP_SIZE, brand_benchmark
from scoring.selectors.gaps import common_gaps, latest_validated_assessments
from scoring.selectors.movement import assessment_movement, previous_validated
from scoring.selectors.plans import action_owner_candidates, get_action_for_user, project_plan
from scoring.selectors.scores import (
    answer_inputs,
    assessment_result,
    latest_validated_scores,
    points_results,
    points_texts,
    scores_for_assessments,
    version_spec,
)
from scoring.selectors.trends import (
    brand_quarter_ends,
    brand_series,
    project_figure_at,
    project_series,
    quarter_ends,
)

__all__ = [
    "MIN_GROUP_SIZE",
    "action_owner_candidates",
    "answer_inputs",
    "assessment_movement",
    "assessment_result",
    "brand_benchmark",
    "brand_quarter_ends",
    "brand_series",
    "common_gaps",
    "get_action_for_user",
    "latest_validated_assessments",
    "latest_validated_scores",
    "points_results",
    "points_texts",
    "previous_validated",
    "project_figure_at",
    "project_plan",
    "project_series",
    "quarter_ends",
    "scores_for_assessments",
    "version_spec",
]

"""The one entry point through which the assessment workflow reaches scoring.

`surveys` calls `assessment_scored` after every change of an assessment's status (submitted,
handed in, validated, imported as validated). What scoring does in answer - storing the
score and the section scores, closing the improvement actions a validation shows as met -
is decided here, so the workflow does not need to know scoring's parts.
"""

from scoring.services.plans import actions_close_met
from scoring.services.scores import score_store
from surveys.models import Assessment, AssessmentStatus


def assessment_scored(*, assessment: Assessment) -> None:
    """Store the figures of `assessment` as it now stands; once it is validated, also close
    the improvement actions whose statements it now meets. Runs in the caller's transaction."""
    score_store(assessment=assessment)
    if assessment.status == AssessmentStatus.VALIDATED:
        actions_close_met(assessment=assessment)

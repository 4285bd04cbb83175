"""An interview started from a submitted self-fill is that self-fill's review."""

from surveys import selectors
from surveys.models import Assessment, AssessmentStatus
from surveys.services import (
    AnswerInput,
    answer_save,
    assessment_start,
    assessment_submit,
    assessment_validate,
)


def _answer_all(assessment, user, via):
    for answer in assessment.answers.select_related("question"):
        answer_save(
            assessment=assessment,
            question_key=answer.question.key,
            user=user,
            base_revision=answer.revision,
            data=AnswerInput(option="partly"),
            via=via,
        )


def test_finalising_the_interview_takes_the_self_fill_out_of_the_review_queue(
    version, project, lead, data_scientist
):
    self_fill = assessment_start(project=project, user=lead, mode="self_fill", version=version)
    _answer_all(self_fill, data_scientist, "self_fill")
    assessment_submit(assessment=self_fill, user=data_scientist)
    assert list(selectors.interview_sources(project)) == [self_fill]

    interview = assessment_start(
        project=project, user=lead, mode="interview", version=version, source=self_fill
    )
    assessment_validate(assessment=interview, user=lead)

    self_fill = Assessment.objects.get(pk=self_fill.pk)
    assert self_fill.status == AssessmentStatus.SUBMITTED  # kept as the team submitted it
    assert self_fill.superseded_by_id == interview.pk
    assert list(selectors.interview_sources(project)) == []

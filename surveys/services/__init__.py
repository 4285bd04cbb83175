"""Writes for surveys, one module per domain; the public names are re-exported here."""

from surveys.services.answers import AnswerInput, answer_save
from surveys.services.assessments import (
    assessment_return,
    assessment_start,
    assessment_submit,
    assessment_validate,
    interview_pause,
    interview_resume,
    missing_answers,
)
from surveys.services.errors import (
    AnswerConflict,
    AssessmentClosed,
    BadAnswer,
    IncompleteAssessment,
    InvalidInvitation,
    NotAllowed,
    SurveyError,
    UnknownQuestion,
)
from surveys.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_link,
    invitation_remind,
)
from surveys.services.question_sets import (
    ImmutableVersionError,
    question_set_import,
    version_publish,
)

__all__ = [
    "AnswerConflict",
    "AnswerInput",
    "AssessmentClosed",
    "BadAnswer",
    "ImmutableVersionError",
    "IncompleteAssessment",
    "InvalidInvitation",
    "NotAllowed",
    "SurveyError",
    "UnknownQuestion",
    "answer_save",
    "assessment_return",
    "assessment_start",
    "assessment_submit",
    "assessment_validate",
    "interview_pause",
    "interview_resume",
    "invitation_accept",
    "invitation_create",
    "invitation_from_token",
    "invitation_link",
    "invitation_remind",
    "missing_answers",
    "question_set_import",
    "version_publish",
]

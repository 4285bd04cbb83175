"""Reads for surveys, scoped to the user where tenant-owned; one module per domain.

The public names are re-exported here, so callers write `selectors.get_assessment_for_user`.
"""

from surveys.selectors.answers import (
    SectionCount,
    SectionProgress,
    answer_counts,
    answer_history,
    answers_of_assessment,
    assessment_progress,
    mark_comments_for_previous,
    not_applicable_questions,
    options_of,
    overall_progress,
    round_counts,
)
from surveys.selectors.assessments import (
    assessments_for_user,
    assessments_of_project,
    get_assessment_for_saving,
    get_assessment_for_user,
    interview_elapsed_seconds,
    interview_sources,
    open_assessments_of_project,
)
from surveys.selectors.invitations import (
    get_invitation_for_user,
    invitation_account,
    invitations_of_assessment,
    uninvited_team_members,
)
from surveys.selectors.question_sets import (
    FigureChange,
    PublishPreview,
    current_version,
    default_version,
    diff_base,
    draft_of,
    get_draft_question,
    get_draft_section,
    get_version,
    newer_published_version,
    question_sets,
    sections_with_questions,
    version_as_spec,
    version_publish_preview,
)
from surveys.selectors.review import (
    Disagreement,
    review_disagreements,
)

__all__ = [
    "Disagreement",
    "FigureChange",
    "PublishPreview",
    "SectionCount",
    "SectionProgress",
    "answer_counts",
    "answer_history",
    "answers_of_assessment",
    "assessment_progress",
    "assessments_for_user",
    "assessments_of_project",
    "current_version",
    "default_version",
    "diff_base",
    "draft_of",
    "get_assessment_for_saving",
    "get_assessment_for_user",
    "get_draft_question",
    "get_draft_section",
    "get_invitation_for_user",
    "get_version",
    "interview_elapsed_seconds",
    "interview_sources",
    "invitation_account",
    "invitations_of_assessment",
    "mark_comments_for_previous",
    "newer_published_version",
    "not_applicable_questions",
    "open_assessments_of_project",
    "options_of",
    "overall_progress",
    "question_sets",
    "review_disagreements",
    "round_counts",
    "sections_with_questions",
    "uninvited_team_members",
    "version_as_spec",
    "version_publish_preview",
]

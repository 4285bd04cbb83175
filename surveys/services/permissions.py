"""Who may do what with an assessment. Used by services (the authority) and views (for display)."""

from brands.models import User
from brands.selectors import can_answer_for_project, can_manage_brand_id
from surveys.models import Assessment, AssessmentMode, AssessmentStatus


def can_edit_answers(user: User, assessment: Assessment) -> bool:
    """Respondents edit open self-fills; interviewers edit open interviews; reviewers submitted ones."""
    if assessment.status == AssessmentStatus.VALIDATED or assessment.superseded_by_id:
        return False
    if assessment.status == AssessmentStatus.SUBMITTED:
        return can_review(user, assessment)
    if assessment.mode == AssessmentMode.INTERVIEW:
        return can_manage_brand_id(user, assessment.project.brand_id)
    return can_answer_for_project(user, assessment.project) or _is_invited(user, assessment)


def can_review(user: User, assessment: Assessment) -> bool:
    return can_manage_brand_id(user, assessment.project.brand_id)


def can_see_interviewer_notes(user: User, assessment: Assessment) -> bool:
    return can_manage_brand_id(user, assessment.project.brand_id)


def _is_invited(user: User, assessment: Assessment) -> bool:
    return assessment.invitations.filter(user=user, accepted_at__isnull=False).exists()

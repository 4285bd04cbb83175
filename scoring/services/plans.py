"""Writes for improvement actions: create, update, and close the ones a validated assessment meets.

Who may do what:
- leads of the brand and group admins/assessors manage every action of its projects;
- a data scientist on the project's team may change the status and note of
  the actions they own, nothing else;
- everybody else who can see the project only reads.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from brands.models import BrandRole, Project, User
from brands.selectors import brand_role, can_manage_brand, is_team_member
from scoring.models import ACTIVE_ACTION_STATUSES, ActionStatus, ImprovementAction
from scoring.selectors.plans import action_owner_candidates, active_action_exists, plan_statement
from surveys.models import Answer, AnswerOption, Assessment, AssessmentStatus


class ActionError(Exception):
    """A refused change, with the HTTP status a view answers with and a message for a person."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ActionNotAllowed(ActionError):
    status = 403


class ActionConflict(ActionError):
    status = 409


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


def can_manage_actions(user: User, project: Project) -> bool:
    return can_manage_brand(user, project.brand)


def can_update_action(user: User, action: ImprovementAction) -> bool:
    """Managers, and the owner when they are a data scientist on the project's team."""
    if can_manage_actions(user, action.project):
        return True
    return (
        action.owner_id == user.pk
        and brand_role(user, action.project.brand) == BrandRole.DATA_SCIENTIST
        and is_team_member(user, action.project)
    )


def _check_owner(project: Project, owner: User | None) -> None:
    if owner is not None and not action_owner_candidates(project).filter(pk=owner.pk).exists():
        raise ActionError(
            _("%(person)s is not a member of %(brand)s or of the project's team.")
            % {"person": owner, "brand": project.brand}
        )


def _closing_fields(status: str, reason: str) -> dict:
    if status in ACTIVE_ACTION_STATUSES:
        return {"closed_at": None, "closed_reason": "", "closed_by_assessment": None}
    return {"closed_at": timezone.now(), "closed_reason": reason}


@transaction.atomic
def action_create(
    *,
    project: Project,
    user: User,
    question_key: str,
    title: str,
    owner: User | None = None,
    due_on: datetime.date | None = None,
    note: str = "",
) -> ImprovementAction:
    """Turn a statement of the project's plan into an open action."""
    if not can_manage_actions(user, project):
        raise ActionNotAllowed(_("Only the brand's leads and group assessors can plan actions."))
    question = plan_statement(project, question_key)
    if question is None:
        raise ActionError(_("That statement is not in the project's improvement plan."))
    if active_action_exists(project, question_key):
        raise ActionConflict(_("This statement already has an open action; update that one."))
    _check_owner(project, owner)
    try:
        with transaction.atomic():
            return ImprovementAction.objects.create(
                project=project,
                question_key=question_key,
                question_text=question.text,
                title=title.strip() or question.text[:200],
                owner=owner,
                due_on=due_on,
                note=note.strip(),
                created_by=user,
            )
    except IntegrityError:
        # Someone created one in the meantime (the unique constraint on active actions).
        raise ActionConflict(
            _("This statement already has an open action; update that one.")
        ) from None


@transaction.atomic
def action_update(
    *,
    action: ImprovementAction,
    user: User,
    status: str | _Unchanged = UNCHANGED,
    note: str | _Unchanged = UNCHANGED,
    owner: User | _Unchanged | None = UNCHANGED,
    due_on: datetime.date | _Unchanged | None = UNCHANGED,
    title: str | _Unchanged = UNCHANGED,
) -> ImprovementAction:
    """Change an action. Closing it (done, dropped) records who and when; reopening clears that."""
    action = (
        ImprovementAction.objects.select_for_update()
        .select_related("project__brand")
        .get(pk=action.pk)
    )
    if not can_update_action(user, action):
        raise ActionNotAllowed(_("You may not change this action."))
    manager = can_manage_actions(user, action.project)
    changes: dict = {}
    if status is not UNCHANGED and status != action.status:
        if status not in ActionStatus.values:
            raise ActionError(_("Unknown status '%(status)s'.") % {"status": status})
        label = "Marked done" if status == ActionStatus.DONE else "Dropped"
        changes["status"] = status
        changes.update(_closing_fields(status, f"{label} by {user}"))
    if note is not UNCHANGED:
        changes["note"] = note.strip()
    for field, value in (("owner", owner), ("due_on", due_on), ("title", title)):
        if value is UNCHANGED or value == getattr(action, field):
            continue
        if not manager:
            raise ActionNotAllowed(
                _(
                    "As the action's owner you can change its status and note; "
                    "a lead changes its owner, due date and title."
                )
            )
        if field == "title":
            value = value.strip() or action.title
        changes[field] = value
    if "owner" in changes:
        _check_owner(action.project, changes["owner"])
    if not changes:
        return action
    for field, value in changes.items():
        setattr(action, field, value)
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError:
        raise ActionConflict(
            _("Another action for this statement is open; close that one before reopening this.")
        ) from None
    return action


def actions_close_met(*, assessment: Assessment) -> int:
    """Close the project's open actions whose statement `assessment` meets (top option).

    Called when an assessment is validated. Only the project's latest validated
    assessment closes actions: validating an older one late says nothing about
    today. Returns how many actions were closed.
    """
    if assessment.status != AssessmentStatus.VALIDATED:
        return 0
    later = Assessment.objects.filter(
        Q(assessed_on__gt=assessment.assessed_on)
        | Q(assessed_on=assessment.assessed_on, created_at__gt=assessment.created_at),
        project_id=assessment.project_id,
        status=AssessmentStatus.VALIDATED,
    )
    if later.exists():
        return 0
    top = AnswerOption.objects.filter(version_id=assessment.version_id).aggregate(top=Max("score"))
    met = Answer.objects.filter(assessment=assessment, option__score__gte=top["top"]).values(
        "question__key"
    )
    now = timezone.now()
    # The reason is kept in English, as the other closing reasons are (a record, not a message).
    with translation.override("en"):
        reason = f"Met in the assessment of {date_format(assessment.assessed_on, 'j M Y')}"
    return ImprovementAction.objects.filter(
        project_id=assessment.project_id,
        status__in=ACTIVE_ACTION_STATUSES,
        question_key__in=met,
    ).update(
        status=ActionStatus.DONE,
        closed_at=now,
        updated_at=now,
        closed_reason=reason,
        closed_by_assessment=assessment,
    )

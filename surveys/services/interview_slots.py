"""Planning the interviews of a round: the brand lead (or a group assessor) records the day."""

import datetime

from django.db import transaction

from brands.models import User
from brands.selectors import can_manage_brand_id
from surveys.models import RoundMember, RoundMode, RoundStatus
from surveys.selectors.round_members import current_assessment, is_done
from surveys.services.errors import NotAllowed, SurveyError

# A date this far past the due day is a typing slip (2207 for 2027), not a plan.
LATEST_AFTER_DUE = datetime.timedelta(days=366)


def interview_plan(
    *, member: RoundMember, planned_on: datetime.date | None, user: User
) -> RoundMember:
    """Set (or, with None, clear) the day `member`'s interview is planned for."""
    if not can_manage_brand_id(user, member.project.brand_id):
        raise NotAllowed("Only the brand's leads and group assessors can plan interviews.")
    with transaction.atomic():
        member = (
            RoundMember.objects.select_for_update(of=("self",))
            .select_related("round", "project", "assessment")
            .get(pk=member.pk)
        )
        round = member.round
        if member.mode != RoundMode.INTERVIEW:
            raise SurveyError(
                f"{member.project.name} is assessed by {member.get_mode_display().lower()} in "
                "this round, not by interview: there is no interview to plan."
            )
        if round.status == RoundStatus.DRAFT:
            raise SurveyError("The round has not been launched yet; plan interviews once it is.")
        if is_done(current_assessment(member)):
            raise SurveyError(
                f"The interview of {member.project.name} has been held already; "
                "its date can no longer change."
            )
        if planned_on is not None:
            if planned_on < round.opens_on:
                raise SurveyError(
                    f"The interview cannot be planned before the round opens on "
                    f"{round.opens_on:%-d %B %Y}."
                )
            if planned_on > round.due_on + LATEST_AFTER_DUE:
                raise SurveyError(
                    f"{planned_on:%-d %B %Y} is more than a year after the round's due date "
                    f"({round.due_on:%-d %B %Y}); check the year."
                )
        member.interview_planned_on = planned_on
        member.interview_planned_by = user if planned_on else None
        member.save(update_fields=["interview_planned_on", "interview_planned_by"])
    return member

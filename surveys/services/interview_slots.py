"""Planning the interviews of a round: the brand lead (or a group assessor) records the day."""

import datetime

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from brands.models import User
from brands.selectors import can_manage_brand_id
from config.locale import mid_sentence
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
        raise NotAllowed(_("Only the brand's leads and group assessors can plan interviews."))
    with transaction.atomic():
        member = (
            RoundMember.objects.select_for_update(of=("self",))
            .select_related("round", "project", "assessment")
            .get(pk=member.pk)
        )
        round = member.round
        if member.mode != RoundMode.INTERVIEW:
            raise SurveyError(
                _(
                    "%(project)s is assessed by %(mode)s in this round, not by interview: there "
                    "is no interview to plan."
                )
                % {"project": member.project.name, "mode": mid_sentence(member.get_mode_display())}
            )
        if round.status == RoundStatus.DRAFT:
            raise SurveyError(_("The round has not been launched yet; plan interviews once it is."))
        if is_done(current_assessment(member)):
            raise SurveyError(
                _(
                    "The interview of %(project)s has been held already; its date can no longer "
                    "change."
                )
                % {"project": member.project.name}
            )
        if planned_on is not None:
            if planned_on < round.opens_on:
                raise SurveyError(
                    _("The interview cannot be planned before the round opens on %(day)s.")
                    % {"day": date_format(round.opens_on, "j F Y")}
                )
            if planned_on > round.due_on + LATEST_AFTER_DUE:
                raise SurveyError(
                    _(
                        "%(day)s is more than a year after the round's due date (%(due)s); "
                        "check the year."
                    )
                    % {
                        "day": date_format(planned_on, "j F Y"),
                        "due": date_format(round.due_on, "j F Y"),
                    }
                )
        member.interview_planned_on = planned_on
        member.interview_planned_by = user if planned_on else None
        member.save(update_fields=["interview_planned_on", "interview_planned_by"])
    return member

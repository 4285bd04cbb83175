"""Reads of invitations to a self-fill."""

from django.db.models import Q, QuerySet
from django.http import Http404

from brands.models import User
from brands.selectors import as_uuid as _as_uuid
from surveys.models import (
    Assessment,
    Invitation,
)
from surveys.selectors.assessments import assessments_for_user


def invitations_of_assessment(assessment: Assessment) -> QuerySet[Invitation]:
    return assessment.invitations.select_related("user", "created_by").order_by("email")


def get_invitation_for_user(user: User, code: object) -> Invitation:
    """An invitation, fetched through an assessment of a brand `user` may see."""
    try:
        return Invitation.objects.select_related("assessment__project__brand", "user").get(
            code=_as_uuid(code), assessment__in=assessments_for_user(user)
        )
    except Invitation.DoesNotExist:
        raise Http404("No such invitation") from None


def uninvited_team_members(assessment: Assessment) -> list[User]:
    """The project's team members with an e-mail address who have no invitation yet."""
    invited = {e.lower() for e in assessment.invitations.values_list("email", flat=True)}
    team = assessment.project.team.filter(is_active=True).exclude(email="")
    return [u for u in team.order_by("first_name", "last_name") if u.email.lower() not in invited]


def invitation_account(invitation: Invitation) -> User | None:
    """The account an invitation belongs to: the one it names, or one with its address."""
    if invitation.user_id:
        return invitation.user
    return User.objects.filter(
        Q(email__iexact=invitation.email) | Q(username__iexact=invitation.email), is_active=True
    ).first()

"""Inviting respondents to a self-fill by e-mail, with signed links that expire."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brands import audit
from brands.models import AuditAction, BrandRole, Membership, User
from brands.selectors import can_manage_brand
from config.locale import supported
from surveys.models import Assessment, AssessmentMode, AssessmentStatus, Invitation
from surveys.services.errors import InvalidInvitation, NotAllowed, SurveyError

_SALT = "yardstick.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(
        {"i": str(invitation.code), "a": str(invitation.assessment.code)}, salt=_SALT
    )


def invitation_from_token(token: str, *, assessment_code: object | None = None) -> Invitation:
    """The invitation a link names; refuses expired, tampered or foreign links."""
    max_age = settings.INVITATION_MAX_AGE_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidInvitation(
            _("This invitation link has expired. Ask the person who invited you for a new one.")
        ) from None
    except signing.BadSignature:
        raise InvalidInvitation(_("This invitation link is not valid.")) from None
    if assessment_code is not None and str(assessment_code) != data.get("a"):
        raise InvalidInvitation(_("This invitation link is for another assessment."))
    try:
        invitation = Invitation.objects.select_related("assessment__project__brand", "user").get(
            code=data.get("i"), assessment__code=data.get("a")
        )
    except (Invitation.DoesNotExist, ValueError, signing.BadSignature):
        raise InvalidInvitation(_("This invitation is no longer valid.")) from None
    if invitation.assessment.status != AssessmentStatus.DRAFT:
        raise InvalidInvitation(_("This assessment is no longer open for answers."))
    return invitation


def invitation_link(invitation: Invitation, *, base_url: str) -> str:
    path = reverse("invitation_accept", args=[invitation_token(invitation)])
    return base_url.rstrip("/") + path


def invitation_language(*, chosen: str = "", invitee: User | None = None) -> str:
    """The language an invitation is written in: the one chosen for it, else the invitee's own
    (a known account that chose one), else the inviter's (the active language)."""
    return (
        supported(chosen)
        or supported(getattr(invitee, "language", ""))
        or supported(translation.get_language())
        or supported(settings.LANGUAGE_CODE)
        or ""
    )


def _send(invitation: Invitation, *, base_url: str, reminder: bool) -> None:
    # The e-mail, subject and body, speaks the invitation's language, whoever sends it.
    with translation.override(invitation.language or settings.LANGUAGE_CODE):
        _send_now(invitation, base_url=base_url, reminder=reminder)


def _send_now(invitation: Invitation, *, base_url: str, reminder: bool) -> None:
    context = {
        "invitation": invitation,
        "assessment": invitation.assessment,
        "project": invitation.assessment.project,
        "link": invitation_link(invitation, base_url=base_url),
        "days": settings.INVITATION_MAX_AGE_DAYS,
        "reminder": reminder,
    }
    # A header is one line: a name with a line break (possible through the admin site)
    # would make send_mail refuse the whole message.
    name = " ".join(invitation.assessment.project.name.split())
    if reminder:
        subject = _("Reminder: Please fill in the MLOps assessment of %(project)s") % {
            "project": name
        }
    else:
        subject = _("Please fill in the MLOps assessment of %(project)s") % {"project": name}
    body = render_to_string("surveys/email/invitation.txt", context)
    # Content-Language tells mail clients (and their reading aloud) what the mail speaks.
    headers = {"Content-Language": translation.get_language()}
    EmailMessage(subject, body, None, [invitation.email], headers=headers).send()


def invitation_create(
    *, assessment: Assessment, email: str, user: User, base_url: str, language: str = ""
) -> Invitation:
    """Invite `email` to the self-fill `assessment` and send the e-mail. `language` (one of
    settings.LANGUAGES) is the invitation's; empty: see `invitation_language`."""
    if not can_manage_brand(user, assessment.project.brand):
        raise NotAllowed(_("Only the brand's leads and group assessors can invite respondents."))
    if assessment.mode != AssessmentMode.SELF_FILL or assessment.status != AssessmentStatus.DRAFT:
        raise SurveyError(_("Respondents can only be invited to an open self-fill."))
    email = User.objects.normalize_email(email.strip()).lower()
    if not email:
        raise SurveyError(_("Give an e-mail address."))
    if language and language not in dict(settings.LANGUAGES):
        raise SurveyError(
            _("'%(value)s' is not one of Yardstick's languages (%(languages)s).")
            % {"value": language[:20], "languages": ", ".join(dict(settings.LANGUAGES))}
        )
    invitee = User.objects.filter(email__iexact=email, is_active=True).first()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                assessment=assessment,
                email=email,
                user=invitee,
                created_by=user,
                language=invitation_language(chosen=language, invitee=invitee),
            )
    except IntegrityError:
        raise SurveyError(
            _("%(email)s is already invited; send a reminder instead.") % {"email": email}
        ) from None
    _send(invitation, base_url=base_url, reminder=False)
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    audit.record(AuditAction.INVITATION_SENT, actor=user, target=invitation, email=email)
    return invitation


def invitation_remind(*, invitation: Invitation, user: User, base_url: str) -> Invitation:
    if not can_manage_brand(user, invitation.assessment.project.brand):
        raise NotAllowed(_("Only the brand's leads and group assessors can send reminders."))
    if invitation.assessment.status != AssessmentStatus.DRAFT:
        raise SurveyError(_("This assessment is no longer open for answers."))
    _send(invitation, base_url=base_url, reminder=True)
    Invitation.objects.filter(pk=invitation.pk).update(reminded_at=timezone.now())
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> User:
    """Link the invitation to an account, creating one for a new address.

    The respondent becomes a data scientist of the brand on the project's team,
    which is what lets them answer.
    """
    if invitation.user_id and user is not None and invitation.user_id != user.id:
        raise InvalidInvitation(_("This invitation was sent to someone else."))
    if user is None:
        if invitation.user_id:
            raise NotAllowed(_("Log in to accept this invitation."))
        if User.objects.filter(username__iexact=invitation.email).exists():
            raise SurveyError(_("An account with this address exists already; log in first."))
        user = User.objects.create(
            username=invitation.email,
            email=invitation.email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            password=make_password(password),
        )
    project = invitation.assessment.project
    Membership.objects.get_or_create(
        user=user, brand=project.brand, defaults={"role": BrandRole.DATA_SCIENTIST}
    )
    project.team.add(user)
    Invitation.objects.filter(pk=invitation.pk).update(
        user=user, accepted_at=invitation.accepted_at or timezone.now()
    )
    invitation.refresh_from_db()
    audit.record(AuditAction.INVITATION_ACCEPTED, actor=user, target=invitation)
    return user


def invitations_for_team(*, assessment: Assessment, user: User, base_url: str) -> list[Invitation]:
    """Invite the project team's data scientists (those with an e-mail address) to a self-fill.

    Part of a larger write (a round's launch): the rows are made in the caller's
    transaction and the e-mails go once it commits, so a rolled-back launch mails nobody.
    Someone already invited is left alone.
    """
    if not can_manage_brand(user, assessment.project.brand):
        raise NotAllowed(_("Only the brand's leads and group assessors can invite respondents."))
    if assessment.mode != AssessmentMode.SELF_FILL or assessment.status != AssessmentStatus.DRAFT:
        return []
    ds_ids = Membership.objects.filter(
        brand_id=assessment.project.brand_id, role=BrandRole.DATA_SCIENTIST
    ).values("user_id")
    invited = {e.lower() for e in assessment.invitations.values_list("email", flat=True)}
    people = assessment.project.team.filter(id__in=ds_ids, is_active=True).exclude(email="")
    made = []
    for person in people.order_by("username"):
        email = User.objects.normalize_email(person.email.strip()).lower()
        if email in invited:
            continue
        invited.add(email)
        made.append(
            Invitation.objects.create(
                assessment=assessment,
                email=email,
                user=person,
                created_by=user,
                language=invitation_language(invitee=person),
            )
        )

    def send() -> None:
        for invitation in made:
            _send(invitation, base_url=base_url, reminder=False)
            Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())

    transaction.on_commit(send)
    return made

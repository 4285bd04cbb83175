"""Round reminders: one digest e-mail a day per person, for the open rounds due soon or overdue.

A round is *due soon* from ROUND_REMINDER_DAYS_BEFORE days before its due date up to the due
day itself, and *overdue* from the day after. Each person gets at most one mail a day, listing
everything of theirs: as a respondent (an open self-fill whose project team lists them as a data
scientist, or that they were invited to) and as a brand lead (an overview of their brand's
members not done yet). A due-soon reminder about a member is given once; an overdue one every
ROUND_REMINDER_OVERDUE_EVERY_DAYS days. Members whose assessment is submitted or validated and
rounds that are not open are left out.

Every mail is recorded (ReminderDigest and its ReminderItem rows) before it counts as sent; the
digest is unique per address and day and is taken under a row lock, so running the reminders
twice on a day, even at the same time, sends nothing twice.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from brands.models import BrandRole, Membership, User
from config.locale import supported
from surveys.models import (
    AssessmentMode,
    Invitation,
    ReminderDigest,
    ReminderItem,
    ReminderReason,
    ReminderRole,
    Round,
    RoundMember,
    RoundStatus,
)
from surveys.selectors.round_members import (
    IN_PROGRESS,
    MODE_TO_CHOOSE,
    NOT_STARTED,
    current_assessment,
    is_done,
    started_assessment_ids,
    state_in_words,
)
from surveys.services.invitations import invitation_link

log = logging.getLogger(__name__)

# The states a reminder names (kept in English on its items), in the recipient's language.
STATE_WORDS = {
    NOT_STARTED: gettext_lazy("not started"),
    IN_PROGRESS: gettext_lazy("in progress"),
    MODE_TO_CHOOSE: gettext_lazy("mode to choose"),
}


def round_reason(round: Round, day: datetime.date) -> tuple[str, int] | None:
    """Why `round` is reminded of on `day` (due soon or overdue) and by how many days."""
    if round.status != RoundStatus.OPEN or day < round.opens_on:
        return None
    if day > round.due_on:
        return ReminderReason.OVERDUE, (day - round.due_on).days
    left = (round.due_on - day).days
    if left <= settings.ROUND_REMINDER_DAYS_BEFORE:
        return ReminderReason.DUE_SOON, left
    return None


@dataclass
class Line:
    """One thing to tell a person about: a member, why, and in which capacity."""

    member: RoundMember
    reason: str
    days: int
    state: str
    role: str
    link: str = ""

    @property
    def state_text(self) -> str:
        """The state in the active language (the mail's)."""
        return str(STATE_WORDS.get(self.state, self.state))


@dataclass
class Recipient:
    email: str
    user: User | None
    lines: list[Line] = field(default_factory=list)
    # The language of an invitation, for someone who has no language of their own (no account,
    # or one without a profile language).
    invited_in: str = ""

    @property
    def language(self) -> str:
        """What the mail speaks: the person's profile language, else the language they were
        invited in, else the site's."""
        own = supported(self.user.language) if self.user is not None else None
        return own or supported(self.invited_in) or settings.LANGUAGE_CODE


@dataclass
class ReminderRun:
    day: datetime.date
    sent: list[str] = field(default_factory=list)  # addresses mailed now
    already: list[str] = field(default_factory=list)  # had their digest for the day already
    failed: list[str] = field(default_factory=list)  # the mail could not be sent; next run retries

    def __str__(self) -> str:
        return (
            f"Round reminders for {self.day:%Y-%m-%d}: {len(self.sent)} sent, "
            f"{len(self.already)} already sent today, {len(self.failed)} failed"
        )


def _url(path: str) -> str:
    return settings.SITE_URL + path


def round_url(round: Round) -> str:
    """The round's page, where its progress and interviews are."""
    return _url(reverse("round_detail", args=[round.code]))


def _active_user(email: str) -> User | None:
    return User.objects.filter(email__iexact=email, is_active=True).order_by("id").first()


def _respondents(member: RoundMember, assessment) -> list[tuple[str, User | None, str, str]]:
    """(address, account, link, invitation language) of the people who answer the member's
    self-fill."""
    if assessment is None or assessment.mode != AssessmentMode.SELF_FILL:
        return []
    fill = _url(reverse("assessment_fill", args=[assessment.code]))
    found: dict[str, tuple[str, User | None, str, str]] = {}
    data_scientists = Membership.objects.filter(
        brand_id=member.project.brand_id, role=BrandRole.DATA_SCIENTIST
    ).values("user_id")
    team = member.project.team.filter(id__in=data_scientists, is_active=True).exclude(email="")
    invitations = list(Invitation.objects.filter(assessment=assessment).select_related("user"))
    invited_in = {i.email.lower(): i.language for i in invitations}
    for user in team:
        email = user.email.lower()
        found.setdefault(email, (email, user, fill, invited_in.get(email, "")))
    for invitation in invitations:
        user = invitation.user if invitation.user and invitation.user.is_active else None
        email = (user.email if user and user.email else invitation.email).lower()
        if email in found:
            continue
        user = user or _active_user(email)
        # Someone without an account follows their invitation link, which lets them make one.
        link = fill if user else invitation_link(invitation, base_url=settings.SITE_URL)
        found[email] = (email, user, link, invitation.language)
    return list(found.values())


def _leads(brand_id: int, cache: dict) -> list[User]:
    if brand_id not in cache:
        cache[brand_id] = list(
            User.objects.filter(
                memberships__brand_id=brand_id, memberships__role=BrandRole.LEAD, is_active=True
            ).exclude(email="")
        )
    return cache[brand_id]


def reminders_due(day: datetime.date) -> dict[str, Recipient]:
    """Everything to remind people of on `day`, by address (before leaving out what was told
    already)."""
    recipients: dict[str, Recipient] = {}
    leads_cache: dict = {}

    def add(email: str, user: User | None, line: Line, invited_in: str = "") -> None:
        recipient = recipients.setdefault(email, Recipient(email=email, user=user))
        recipient.user = recipient.user or user
        recipient.invited_in = recipient.invited_in or invited_in
        recipient.lines.append(line)

    for round in Round.objects.filter(status=RoundStatus.OPEN, opens_on__lte=day):
        why = round_reason(round, day)
        if why is None:
            continue
        reason, days = why
        members = list(
            RoundMember.objects.filter(round=round).select_related(
                "round", "project__brand", "assessment__superseded_by__superseded_by"
            )
        )
        assessments = {m.pk: current_assessment(m) for m in members}
        started = started_assessment_ids(a.id for a in assessments.values() if a is not None)
        overview = round_url(round)
        for member in members:
            assessment = assessments[member.pk]
            if is_done(assessment):
                continue
            state = state_in_words(
                member, assessment, assessment is not None and assessment.id in started
            )
            for email, user, link, invited_in in _respondents(member, assessment):
                line = Line(member, reason, days, state, ReminderRole.RESPONDENT, link)
                add(email, user, line, invited_in)
            link = overview or (
                _url(reverse("assessment_detail", args=[assessment.code])) if assessment else ""
            )
            for lead in _leads(member.project.brand_id, leads_cache):
                add(
                    lead.email.lower(),
                    lead,
                    Line(member, reason, days, state, ReminderRole.LEAD, link),
                )
    return recipients


def _told_already(email: str, line: Line, day: datetime.date) -> bool:
    """A due-soon reminder about a member is given once; an overdue one every N days."""
    earlier = ReminderItem.objects.filter(
        digest__email=email,
        digest__sent_at__isnull=False,
        digest__day__lt=day,
        member=line.member,
        role=line.role,
        reason=line.reason,
    )
    if line.reason == ReminderReason.OVERDUE:
        every = settings.ROUND_REMINDER_OVERDUE_EVERY_DAYS
        earlier = earlier.filter(digest__day__gt=day - datetime.timedelta(days=every))
    return earlier.exists()


def _subject(lines: list[Line]) -> str:
    mine = [line for line in lines if line.role == ReminderRole.RESPONDENT]
    overdue = any(line.reason == ReminderReason.OVERDUE for line in lines)
    if mine:
        count = len({line.member.pk for line in mine})
        if overdue:
            text = ngettext(
                "Yardstick: %(count)s assessment to fill in, overdue",
                "Yardstick: %(count)s assessments to fill in, overdue",
                count,
            )
        else:
            text = ngettext(
                "Yardstick: %(count)s assessment to fill in, due soon",
                "Yardstick: %(count)s assessments to fill in, due soon",
                count,
            )
        return text % {"count": count}
    if overdue:
        return _("Yardstick: your brand's round assessments, overdue")
    return _("Yardstick: your brand's round assessments, due soon")


def _grouped(lines: list[Line]) -> list[dict]:
    """The lines by round (soonest due first), respondent lines before the lead's overview."""
    rounds: dict[int, dict] = {}
    for line in lines:
        round = line.member.round
        entry = rounds.setdefault(
            round.pk,
            {
                "round": round,
                "reason": line.reason,
                "days": line.days,
                "url": round_url(round),
                "mine": [],
                "brands": {},
            },
        )
        if line.role == ReminderRole.RESPONDENT:
            entry["mine"].append(line)
        else:
            entry["brands"].setdefault(line.member.project.brand.name, []).append(line)
    ordered = sorted(rounds.values(), key=lambda e: (e["round"].due_on, e["round"].name))
    for entry in ordered:
        entry["mine"].sort(key=lambda line: line.member.project.name)
        entry["brands"] = sorted(
            (name, sorted(rows, key=lambda line: line.member.project.name))
            for name, rows in entry["brands"].items()
        )
    return ordered


def _send_digest(recipient: Recipient, day: datetime.date, run: ReminderRun) -> None:
    with transaction.atomic():
        digest, _ = ReminderDigest.objects.select_for_update().get_or_create(
            email=recipient.email, day=day, defaults={"user": recipient.user}
        )
        if digest.sent_at is not None:
            run.already.append(recipient.email)
            return
        lines = [line for line in recipient.lines if not _told_already(recipient.email, line, day)]
        if not lines:
            # Nothing new to say today: no mail, and no record of one.
            transaction.set_rollback(True)
            return
        ReminderItem.objects.bulk_create(
            ReminderItem(
                digest=digest,
                member=line.member,
                reason=line.reason,
                role=line.role,
                days=line.days,
                state=line.state,
            )
            for line in lines
        )
        context = {
            "recipient": recipient,
            "day": day,
            "rounds": _grouped(lines),
            "why_url": _url(reverse("reminder_detail", args=[digest.code])),
            "days_before": settings.ROUND_REMINDER_DAYS_BEFORE,
            "overdue_every": settings.ROUND_REMINDER_OVERDUE_EVERY_DAYS,
        }
        # Each person's mail in their own language, whoever runs the reminders.
        with translation.override(recipient.language):
            subject = _subject(lines)
            mail = EmailMultiAlternatives(
                subject,
                render_to_string("surveys/email/round_reminders.txt", context),
                None,
                [recipient.email],
                headers={"Content-Language": translation.get_language()},
            )
            mail.attach_alternative(
                render_to_string("surveys/email/round_reminders.html", context), "text/html"
            )
        mail.send()
        ReminderDigest.objects.filter(pk=digest.pk).update(
            subject=subject, sent_at=timezone.now(), user=recipient.user
        )
    run.sent.append(recipient.email)


def round_reminders_send(*, day: datetime.date | None = None) -> ReminderRun:
    """Send the day's digests (today in TIME_ZONE unless `day` is given)."""
    day = day or timezone.localdate()
    run = ReminderRun(day=day)
    for email, recipient in sorted(reminders_due(day).items()):
        try:
            _send_digest(recipient, day, run)
        except Exception:  # one bad address or mail server hiccup must not stop the others
            log.exception("round reminder to %s failed", email)
            run.failed.append(email)
    log.info("%s", run)
    return run

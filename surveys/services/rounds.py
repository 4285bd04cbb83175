"""Assessment rounds: create one, launch it (assessments and invitations), let a lead choose a
project's mode, close it.

Launching is one transaction that holds the round's row locked: a second launch, or two at
once, waits for the first and then finds the round open and creates nothing. Each project
is in a round at most once (RoundMember's unique constraint says so too).
"""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from brands import audit
from brands.models import AuditAction, User
from brands.selectors import can_manage_brand
from surveys.models import (
    AssessmentMode,
    QuestionSet,
    Round,
    RoundMember,
    RoundMode,
    RoundStatus,
)
from surveys.selectors.question_sets import current_version
from surveys.selectors.rounds import (
    can_run_rounds,
    open_assessments_by_project,
    selected_projects,
)
from surveys.services.assessments import assessment_start
from surveys.services.errors import NotAllowed, SurveyError
from surveys.services.invitations import invitations_for_team


def runners_only() -> str:
    return _("Only group admins and assessors run assessment rounds.")


def leads_only() -> str:
    return _("Only the brand's leads and group assessors choose how it is assessed.")


def _require_runner(user: User) -> None:
    if not can_run_rounds(user):
        raise NotAllowed(runners_only())


def _published_version(question_set: QuestionSet):
    if not question_set.active:
        raise SurveyError(
            _("%(set)s is retired: it takes no new assessments. Choose another set.")
            % {"set": question_set.name}
        )
    version = current_version(question_set)
    if version is None:
        raise SurveyError(_("%(set)s has no published version yet.") % {"set": question_set.name})
    return version


def round_create(
    *,
    user: User,
    name: str,
    question_set: QuestionSet,
    selection: dict,
    opens_on: datetime.date,
    due_on: datetime.date,
) -> Round:
    """A round in draft: nothing is started until it is launched."""
    _require_runner(user)
    name = " ".join(name.split())
    if not name:
        raise SurveyError(_("Give the round a name, e.g. “2027 Q1 round”."))
    if due_on < opens_on:
        raise SurveyError(
            _(
                "The due date (%(due)s) is before the opening date (%(opens)s); it must be on "
                "or after it."
            )
            % {"due": date_format(due_on, "d M Y"), "opens": date_format(opens_on, "d M Y")}
        )
    if selection.get("default_mode", RoundMode.SELF_FILL) not in RoundMode.values:
        raise SurveyError(_("Choose self-fill, interview or “brand lead decides” as the mode."))
    _published_version(question_set)
    if Round.objects.filter(name__iexact=name).exists():
        raise SurveyError(_name_taken(name))
    try:
        with transaction.atomic():
            return Round.objects.create(
                name=name,
                question_set=question_set,
                selection=selection,
                opens_on=opens_on,
                due_on=due_on,
                created_by=user,
            )
    except IntegrityError:
        raise SurveyError(_name_taken(name)) from None


def _name_taken(name: str) -> str:
    return _("There is already a round called “%(name)s”; choose another name.") % {"name": name}


@dataclass
class LaunchResult:
    started: list[RoundMember] = field(default_factory=list)
    listed: list[RoundMember] = field(default_factory=list)  # already had an open assessment
    waiting: list[RoundMember] = field(default_factory=list)  # the brand lead chooses the mode
    invited: int = 0
    already_launched: bool = False


def _start(member: RoundMember, *, user: User, base_url: str, version, round_: Round) -> int:
    """Start the member's assessment in its mode; invite the team to a self-fill."""
    assessed_on = max(round_.opens_on, timezone.localdate())
    assessment = assessment_start(
        project=member.project,
        user=user,
        mode=member.mode,
        version=version,
        assessed_on=assessed_on,
    )
    member.assessment = assessment
    member.save(update_fields=["assessment"])
    if member.mode == AssessmentMode.SELF_FILL:
        return len(invitations_for_team(assessment=assessment, user=user, base_url=base_url))
    return 0


@transaction.atomic
def round_launch(
    *, round_: Round, user: User, modes: dict[str, str] | None = None, base_url: str
) -> LaunchResult:
    """Start every chosen project's assessment (or list its open one) and open the round.

    `modes` maps a project's code to its mode where it differs from the round's default.
    """
    _require_runner(user)
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    if locked.status != RoundStatus.DRAFT:
        # Launched meanwhile (a second click, another tab): nothing is created twice.
        return LaunchResult(already_launched=True)
    version = _published_version(locked.question_set)
    today = timezone.localdate()
    projects = selected_projects(
        question_set=locked.question_set, selection=locked.selection, today=today
    )
    if not projects:
        raise SurveyError(_("No project matches this round's selection; change it and try again."))
    modes = modes or {}
    default = locked.selection.get("default_mode", RoundMode.SELF_FILL)
    for mode in modes.values():
        if mode not in RoundMode.values:
            raise SurveyError(
                _("Unknown mode “%(mode)s”: choose self-fill, interview or lead decides.")
                % {"mode": mode}
            )
    open_ones = open_assessments_by_project(locked.question_set, projects)
    result = LaunchResult()
    for project in projects:
        mode = modes.get(str(project.code), default)
        member, created = RoundMember.objects.get_or_create(
            round=locked, project=project, defaults={"mode": mode}
        )
        if not created:
            continue
        existing = open_ones.get(project.id)
        if existing is not None:
            member.assessment = existing
            member.already_open = True
            member.save(update_fields=["assessment", "already_open"])
            result.listed.append(member)
        elif mode == RoundMode.LEAD_DECIDES:
            result.waiting.append(member)
        else:
            result.invited += _start(
                member, user=user, base_url=base_url, version=version, round_=locked
            )
            result.started.append(member)
    locked.status = RoundStatus.OPEN
    locked.launched_at = timezone.now()
    locked.save(update_fields=["status", "launched_at"])
    round_.status, round_.launched_at = locked.status, locked.launched_at
    audit.record(
        AuditAction.ROUND_LAUNCHED,
        actor=user,
        target=locked,
        projects=len(projects),
        started=len(result.started),
        listed=len(result.listed),
        waiting=len(result.waiting),
    )
    return result


@transaction.atomic
def round_member_choose_mode(
    *, member: RoundMember, user: User, mode: str, base_url: str
) -> RoundMember:
    """The brand lead (or a group assessor) chooses how a "lead decides" project is assessed;
    its assessment starts then."""
    if not can_manage_brand(user, member.project.brand):
        raise NotAllowed(leads_only())
    if mode not in (RoundMode.SELF_FILL, RoundMode.INTERVIEW):
        raise SurveyError(_("Choose self-fill or interview."))
    locked = (
        RoundMember.objects.select_for_update().select_related("round", "project").get(pk=member.pk)
    )
    if locked.assessment_id is not None:
        raise SurveyError(
            _("%(project)s is already being assessed in this round; continue that assessment.")
            % {"project": locked.project.name}
        )
    if locked.round.status != RoundStatus.OPEN:
        raise SurveyError(_("This round is closed: its projects can no longer be started."))
    version = _published_version(locked.round.question_set)
    open_one = open_assessments_by_project(locked.round.question_set, [locked.project]).get(
        locked.project_id
    )
    locked.mode = mode
    if open_one is not None:
        locked.assessment = open_one
        locked.already_open = True
        locked.save(update_fields=["mode", "assessment", "already_open"])
    else:
        locked.save(update_fields=["mode"])
        _start(locked, user=user, base_url=base_url, version=version, round_=locked.round)
    return locked


@transaction.atomic
def round_close(*, round_: Round, user: User) -> Round:
    """Close an open round: nobody joins it any more; late work still counts, marked late."""
    _require_runner(user)
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    if locked.status == RoundStatus.DRAFT:
        raise SurveyError(_("This round was never launched; launch it before closing it."))
    if locked.status == RoundStatus.CLOSED:
        raise SurveyError(_("%(round)s is already closed.") % {"round": locked.name})
    locked.status = RoundStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_by = user
    locked.save(update_fields=["status", "closed_at", "closed_by"])
    audit.record(AuditAction.ROUND_CLOSED, actor=user, target=locked)
    return locked

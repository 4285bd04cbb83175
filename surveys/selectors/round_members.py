"""Reads of round members: where each one's assessment stands, and its interview slot.

Used by the round reminders (surveys/services/reminders.py) and by the round page, which
includes templates/surveys/rounds/_interviews.html with what interview_slots() returns.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from brands.models import User
from brands.selectors import brand_ids_for_user, can_manage_brand_id
from surveys.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Round,
    RoundMember,
    RoundMode,
    RoundStatus,
)

# Following upgrades: the round pages' rule (surveys/selectors/rounds.py, which also holds
# who may see a round or a project's place in it).
from surveys.selectors.rounds import current_assessment

DONE_STATUSES = (AssessmentStatus.SUBMITTED, AssessmentStatus.VALIDATED)

# The assessment's state in words, as the reminders and the interview list say it.
NOT_STARTED = "not started"
IN_PROGRESS = "in progress"
MODE_TO_CHOOSE = "mode to choose"


def started_assessment_ids(assessment_ids) -> set[int]:
    """Of `assessment_ids`, those with an answer given in this assessment (not carried over)
    or with interview time on the clock."""
    ids = [i for i in assessment_ids if i is not None]
    if not ids:
        return set()
    answered = Q(option__isnull=False) | Q(is_na=True)
    # One row per assessment, each answer looked for by its assessment's index until the
    # first is found: a group-wide round's assessments have tens of thousands of answers.
    own_answer = Answer.objects.filter(answered, assessment_id=OuterRef("pk"), carried_over=False)
    started = Assessment.objects.filter(id__in=ids).filter(
        Exists(own_answer) | Q(interview_seconds__gt=0) | Q(interview_resumed_at__isnull=False)
    )
    return set(started.values_list("id", flat=True))


def is_done(assessment: Assessment | None) -> bool:
    return assessment is not None and assessment.status in DONE_STATUSES


def state_in_words(member: RoundMember, assessment: Assessment | None, started: bool) -> str:
    if assessment is None:
        return MODE_TO_CHOOSE if member.mode == RoundMode.LEAD_DECIDES else NOT_STARTED
    if assessment.status in DONE_STATUSES:
        return assessment.get_status_display().lower()
    return IN_PROGRESS if started else NOT_STARTED


def members_of_round(round: Round, user: User | None = None):
    """The round's members with what the reads here need, limited to the brands `user` may
    see (all of them without a user: callers outside a request, like the reminders)."""
    members = RoundMember.objects.filter(round=round).select_related(
        "project__brand",
        "assessment__superseded_by__superseded_by",
        "interview_planned_by",
        "round",
    )
    if user is not None:
        ids = brand_ids_for_user(user)
        if ids is not None:
            members = members.filter(project__brand_id__in=ids)
    return members


# --- interview slots -------------------------------------------------------------------------

PLANNED = "planned"
HELD = "held"
MISSING = "missing"
SLOT_LABELS = {
    PLANNED: _("Planned"),
    HELD: pgettext_lazy("interview", "Held"),
    MISSING: _("No date yet"),
}


@dataclass
class InterviewSlot:
    member: RoundMember
    assessment: Assessment | None
    slot: str  # PLANNED, HELD or MISSING
    can_plan: bool = False  # the user asking may set the date (a lead of the brand, an assessor)
    error: str = ""  # set by the view when a date it was sent for this row was refused
    value: str = ""  # what was typed, shown again with the error

    @property
    def label(self) -> str:
        return str(SLOT_LABELS[self.slot])

    @property
    def project(self):
        return self.member.project


@dataclass
class InterviewSlots:
    rows: list[InterviewSlot] = field(default_factory=list)

    def _count(self, slot: str) -> int:
        return sum(1 for row in self.rows if row.slot == slot)

    @property
    def planned(self) -> int:
        return self._count(PLANNED)

    @property
    def held(self) -> int:
        return self._count(HELD)

    @property
    def missing(self) -> int:
        return self._count(MISSING)

    @property
    def total(self) -> int:
        return len(self.rows)


def slot_of(member: RoundMember, assessment: Assessment | None, started: bool) -> str:
    """Held: the interview's assessment has answers of its own or is finalised; planned: it has
    a date; missing: neither."""
    if is_done(assessment) or started:
        return HELD
    return PLANNED if member.interview_planned_on else MISSING


def interview_slots(round: Round, user: User | None = None) -> InterviewSlots:
    """The round's interview members (those of `user`'s brands when given), each planned,
    held or missing, ordered by brand and project."""
    members = [m for m in members_of_round(round, user) if m.mode == RoundMode.INTERVIEW]
    assessments = {m.pk: current_assessment(m) for m in members}
    started = started_assessment_ids(a.id for a in assessments.values() if a is not None)
    rows = []
    for m in members:
        assessment = assessments[m.pk]
        slot = slot_of(m, assessment, assessment is not None and assessment.id in started)
        can_plan = (
            user is not None
            and round.status != RoundStatus.DRAFT
            and not is_done(assessment)
            and can_manage_brand_id(user, m.project.brand_id)
        )
        rows.append(InterviewSlot(member=m, assessment=assessment, slot=slot, can_plan=can_plan))
    return InterviewSlots(rows=rows)

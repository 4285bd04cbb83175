"""Reads for assessment rounds: who may see a round, which projects it takes, how far it got.

A round is group-wide, but what is in it belongs to brands. Group roles see a whole round;
a brand's member sees a round only when it includes their brand, and then their brand's
part in full and the other brands only as one aggregate of at least MIN_GROUP_SIZE projects
(DESIGN.md: a group smaller than three is not shown). No other brand's project, name or
code ever reaches them.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from brands.models import BrandRole, GroupRole, Membership, Project, User
from brands.selectors import as_uuid, brand_ids_for_user
from surveys.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    QuestionSet,
    Round,
    RoundMember,
    RoundMode,
    RoundStatus,
)

# DESIGN.md: comparisons show other brands only as aggregates of three or more.
MIN_AGGREGATE = 3

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
VALIDATED = "validated"
OVERDUE = "overdue"
STATES = {
    NOT_STARTED: pgettext_lazy("round member", "Not started"),
    IN_PROGRESS: pgettext_lazy("round member", "In progress"),
    SUBMITTED: pgettext_lazy("round member", "Submitted"),
    VALIDATED: pgettext_lazy("round member", "Validated"),
    OVERDUE: pgettext_lazy("round member", "Overdue"),
}


def can_run_rounds(user: User) -> bool:
    """Group admins and assessors create, launch and close rounds."""
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.group_role in (GroupRole.ADMIN, GroupRole.ASSESSOR))
    )


def sees_every_brand(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.group_role))


def rounds_for_user(user: User) -> QuerySet[Round]:
    """Group roles: every round. Anyone else: launched rounds that include one of their brands."""
    rounds = Round.objects.select_related("question_set")
    if sees_every_brand(user):
        return rounds
    ids = brand_ids_for_user(user)
    return rounds.exclude(status=RoundStatus.DRAFT).filter(
        pk__in=RoundMember.objects.filter(project__brand_id__in=ids).values("round_id")
    )


def get_round_for_user(user: User, code: object) -> Round:
    try:
        return rounds_for_user(user).get(code=as_uuid(code))
    except Round.DoesNotExist:
        raise Http404("No such round") from None


def get_round_member_for_user(user: User, code: object) -> RoundMember:
    """A project's place in a round; another brand's is missing (404), like its project."""
    members = RoundMember.objects.select_related(
        "round__question_set", "project__brand", "assessment"
    ).exclude(round__status=RoundStatus.DRAFT)
    ids = brand_ids_for_user(user)
    if ids is not None:
        members = members.filter(project__brand_id__in=ids)
    try:
        return members.get(code=as_uuid(code))
    except RoundMember.DoesNotExist:
        raise Http404("No such project in a round") from None


# -- Choosing the projects ------------------------------------------------------------------


def _quarter(day: datetime.date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def selected_projects(
    *, question_set: QuestionSet, selection: dict, today: datetime.date
) -> list[Project]:
    """The projects a round's selection names, by brand and name.

    Empty lists mean "any". "Not assessed for N quarters" keeps projects whose latest
    validated assessment in the round's set is N or more quarters before today's (or that
    have none).
    """
    projects = Project.objects.select_related("brand", "product_line")
    if selection.get("brands"):
        projects = projects.filter(brand__code__in=selection["brands"])
    if selection.get("kinds"):
        projects = projects.filter(kind__in=selection["kinds"])
    if selection.get("criticalities"):
        projects = projects.filter(criticality__in=selection["criticalities"])
    if selection.get("product_lines"):
        projects = projects.filter(product_line__code__in=selection["product_lines"])
    projects = list(projects.order_by("brand__name", "name"))
    quarters = selection.get("not_assessed_quarters")
    if quarters:
        latest = dict(
            Assessment.objects.filter(
                project__in=projects,
                status=AssessmentStatus.VALIDATED,
                version__question_set=question_set,
            )
            .values("project_id")
            .annotate(last=Max("assessed_on"))
            .values_list("project_id", "last")
        )
        now = _quarter(today)
        projects = [
            p for p in projects if p.id not in latest or now - _quarter(latest[p.id]) >= quarters
        ]
    return projects


def open_assessments_by_project(question_set: QuestionSet, projects) -> dict[int, Assessment]:
    """Each project's open (draft or submitted) assessment in the set, if it has one."""
    found = {}
    rows = (
        Assessment.objects.filter(
            project__in=projects,
            version__question_set=question_set,
            status__in=(AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED),
            superseded_by__isnull=True,
        )
        .select_related("project")
        .order_by("created_at")
    )
    for assessment in rows:
        found.setdefault(assessment.project_id, assessment)
    return found


@dataclass
class PreviewRow:
    project: Project
    mode: str
    open_assessment: Assessment | None


def round_preview(round_: Round, *, today: datetime.date) -> list[PreviewRow]:
    """What launching would do, project by project: start one, or list the open one."""
    projects = selected_projects(
        question_set=round_.question_set, selection=round_.selection, today=today
    )
    open_ones = open_assessments_by_project(round_.question_set, projects)
    default = round_.selection.get("default_mode", RoundMode.SELF_FILL)
    return [PreviewRow(p, default, open_ones.get(p.id)) for p in projects]


# -- Following it ---------------------------------------------------------------------------


def current_assessment(member: RoundMember) -> Assessment | None:
    """The member's assessment, followed through upgrades to the one the work went on in."""
    assessment = member.assessment
    seen = 0
    while assessment is not None and assessment.superseded_by_id and seen < 20:
        assessment = assessment.superseded_by
        seen += 1
    return assessment


def member_state(
    member: RoundMember, *, today: datetime.date, due_on: datetime.date
) -> tuple[str, bool]:
    """(state, late) of one project in a round, from its assessment and the dates.

    Late: submitted (or, for an interview, validated) after the due date, or still not
    submitted once the round is closed.
    """
    assessment = current_assessment(member)
    closed = member.round.status == RoundStatus.CLOSED
    if assessment is None or assessment.status == AssessmentStatus.DRAFT:
        started = assessment is not None and getattr(assessment, "recorded", 0) > 0
        if today > due_on:
            return OVERDUE, closed
        return (IN_PROGRESS if started else NOT_STARTED), closed
    done = assessment.submitted_at or assessment.validated_at
    late = done is not None and timezone.localdate(done) > due_on
    if assessment.status == AssessmentStatus.VALIDATED:
        return VALIDATED, late
    return SUBMITTED, late


def _members(round_: Round) -> QuerySet[RoundMember]:
    return (
        RoundMember.objects.filter(round=round_)
        .select_related(
            "round",
            "project__brand",
            "assessment__superseded_by__superseded_by",
        )
        .order_by("project__brand__name", "project__name")
    )


def _recorded_counts(assessment_ids) -> dict[int, int]:
    """Answers recorded in each assessment itself (not carried over from the previous one)."""
    answered = (Q(option__isnull=False) | Q(is_na=True)) & Q(carried_over=False)
    return dict(
        Answer.objects.filter(answered, assessment_id__in=assessment_ids)
        .values("assessment_id")
        .annotate(n=Count("id"))
        .values_list("assessment_id", "n")
    )


@dataclass
class MemberRow:
    member: RoundMember
    assessment: Assessment | None
    state: str
    late: bool
    percent: float | None = None

    @property
    def state_label(self) -> str:
        return str(STATES[self.state])


@dataclass
class BrandProgress:
    name: str
    counts: Counter
    total: int
    rows: list[MemberRow] = field(default_factory=list)
    code: object = None
    late: int = 0

    @property
    def done_percent(self) -> float:
        """Share of the brand's projects whose assessment is validated."""
        return 100 * self.counts[VALIDATED] / self.total if self.total else 0.0

    def count_of(self, state: str) -> int:
        return self.counts[state]

    @property
    def state_counts(self) -> list[tuple[str, str, int]]:
        return [(key, label, self.counts[key]) for key, label in STATES.items()]


@dataclass
class RoundProgress:
    round: Round
    today: datetime.date
    brands: list[BrandProgress]
    others: BrandProgress | None  # other brands, aggregated, for a brand member
    hidden_others: int  # other brands' projects not shown (fewer than three)
    visible_project_ids: set
    total: int
    counts: Counter

    @property
    def done_percent(self) -> float:
        return 100 * self.counts[VALIDATED] / self.total if self.total else 0.0


def round_members(round_: Round) -> list[RoundMember]:
    return list(_members(round_))


def round_progress(
    user: User, round_: Round, *, today: datetime.date, scores: dict[int, float] | None = None
) -> RoundProgress:
    """Progress per brand and project as `user` may see it; `scores` (project id -> overall %
    of its validated assessment in the round) fills the rows' figures."""
    members = list(_members(round_))
    # Only a draft's state depends on its answers (started or not): the others' are not counted.
    drafts = [
        a.pk
        for m in members
        if (a := current_assessment(m)) is not None and a.status == AssessmentStatus.DRAFT
    ]
    recorded = _recorded_counts(drafts)
    scores = scores or {}
    everyone = sees_every_brand(user)
    mine = (
        set()
        if everyone
        else set(Membership.objects.filter(user=user).values_list("brand_id", flat=True))
    )
    brands: dict[int, BrandProgress] = {}
    others = BrandProgress(name="Other brands, together", counts=Counter(), total=0)
    counts: Counter = Counter()
    for m in members:
        assessment = current_assessment(m)
        if assessment is not None:
            assessment.recorded = recorded.get(assessment.pk, 0)
        state, late = member_state(m, today=today, due_on=round_.due_on)
        counts[state] += 1
        if everyone or m.project.brand_id in mine:
            brand = brands.setdefault(
                m.project.brand_id,
                BrandProgress(
                    name=m.project.brand.name, counts=Counter(), total=0, code=m.project.brand.code
                ),
            )
            brand.rows.append(MemberRow(m, assessment, state, late, scores.get(m.project_id)))
        else:
            brand = others
        brand.counts[state] += 1
        brand.total += 1
        brand.late += late
    shown_others = others if others.total >= MIN_AGGREGATE else None
    return RoundProgress(
        round=round_,
        today=today,
        brands=sorted(brands.values(), key=lambda b: b.name),
        others=shown_others,
        hidden_others=others.total if shown_others is None else 0,
        visible_project_ids={r.member.project_id for b in brands.values() for r in b.rows},
        total=len(members),
        counts=counts,
    )


# -- My work --------------------------------------------------------------------------------


def open_round_members() -> QuerySet[RoundMember]:
    """Every project in an open round, soonest due first; callers narrow it to what a person
    may see."""
    return (
        RoundMember.objects.filter(round__status=RoundStatus.OPEN)
        .select_related("round", "project__brand", "assessment")
        .order_by("round__due_on", "project__brand__name", "project__name")
    )


def lead_round_members(user: User, *, today: datetime.date) -> list[MemberRow]:
    """In open rounds, the members of the brands `user` leads still needing something:
    a mode to choose, a self-fill to review, or overdue."""
    brand_ids = Membership.objects.filter(user=user, role=BrandRole.LEAD).values("brand_id")
    rows = []
    members = list(open_round_members().filter(project__brand_id__in=brand_ids))
    for m in members:
        a = current_assessment(m)
        state, late = member_state(m, today=today, due_on=m.round.due_on)
        if m.assessment_id is None and m.mode == RoundMode.LEAD_DECIDES:
            rows.append(MemberRow(m, a, "choose", late))
        elif state in (SUBMITTED, OVERDUE):
            rows.append(MemberRow(m, a, state, late))
    return rows


def rounds_run_by(user: User) -> QuerySet[Round]:
    """For assessors and admins: rounds not closed yet (drafts and open ones)."""
    if not can_run_rounds(user):
        return Round.objects.none()
    return Round.objects.exclude(status=RoundStatus.CLOSED).order_by("due_on", "name")


def recorded_count(assessment: Assessment) -> int:
    return _recorded_counts([assessment.pk]).get(assessment.pk, 0)

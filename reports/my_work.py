"""Reads for "My work": what is each signed-in person's to do, by role.

Every list is scoped to the person: their projects, the brands they lead, or, for
group assessors and admins, every brand. Nothing here writes.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from brands.models import Brand, BrandRole, GroupRole, Membership, Project, User
from reports.models import ReportJob, ReportStatus
from scoring.models import ACTIVE_ACTION_STATUSES, ImprovementAction
from surveys.models import (
    Assessment,
    AssessmentMode,
    AssessmentStatus,
    Invitation,
    QuestionSetVersion,
    RoundMember,
    RoundMode,
    RoundStatus,
    VersionStatus,
)
from surveys.selectors import rounds as round_selectors

DUE_SOON_DAYS = 14
QUEUE_AGES = {"7": 7, "30": 30}  # "older than N days" filters of the review queue


# Waiting for a lead or an assessor: a submitted self-fill (or, under the four-eyes rule, a
# finalised interview) to review, an interview to finish.
AWAITING_ASSESSOR = Q(status=AssessmentStatus.SUBMITTED) | Q(
    mode=AssessmentMode.INTERVIEW, status=AssessmentStatus.DRAFT, superseded_by__isnull=True
)


def _quarter(day: datetime.date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def _with_progress(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """Each assessment with its answer counts: answered, confirmed this round, carried over."""
    answered = Q(answers__option__isnull=False) | Q(answers__is_na=True)
    return assessments.annotate(
        total=Count("answers", distinct=True),
        answered=Count("answers", filter=answered, distinct=True),
        confirmed=Count("answers", filter=answered & Q(answers__carried_over=False), distinct=True),
        carried=Count("answers", filter=Q(answers__carried_over=True), distinct=True),
    )


def _open(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return assessments.filter(status=AssessmentStatus.DRAFT, superseded_by__isnull=True)


def _base() -> QuerySet[Assessment]:
    return Assessment.objects.select_related("project__brand", "conducted_by").defer(
        "version__source"
    )


def is_assessor(user: User) -> bool:
    return bool(user.is_superuser or user.group_role in (GroupRole.ADMIN, GroupRole.ASSESSOR))


def my_self_fills(user: User) -> QuerySet[Assessment]:
    """Open self-fills of the projects whose team lists `user` as data scientist, or that
    `user` was invited to, with their progress."""
    return _with_progress(_self_fills_of(user)).order_by("assessed_on", "created_at")


def _self_fills_of(user: User) -> QuerySet[Assessment]:
    on_team = Project.team.through.objects.filter(
        project_id=OuterRef("project_id"), user_id=user.pk
    )
    ds_member = Membership.objects.filter(
        user_id=user.pk, brand_id=OuterRef("project__brand_id"), role=BrandRole.DATA_SCIENTIST
    )
    invited = Invitation.objects.filter(assessment_id=OuterRef("pk")).filter(
        Q(user_id=user.pk) | Q(email__iexact=user.email) if user.email else Q(user_id=user.pk)
    )
    return (
        _open(_base().filter(mode=AssessmentMode.SELF_FILL))
        .annotate(on_team=Exists(on_team), ds=Exists(ds_member), invited=Exists(invited))
        .filter(Q(on_team=True, ds=True) | Q(invited=True))
    )


def led_brand_ids(user: User) -> list[int]:
    return list(
        Membership.objects.filter(user_id=user.pk, role=BrandRole.LEAD).values_list(
            "brand_id", flat=True
        )
    )


@dataclass
class LeadWork:
    interviews: list[Assessment]
    reviews: list[Assessment]
    actions: list[ImprovementAction]
    stale_projects: list[Project]
    today: datetime.date

    @property
    def count(self) -> int:
        return len(self.interviews) + len(self.reviews) + len(self.actions)


def lead_work(user: User, *, today: datetime.date) -> LeadWork | None:
    """Interviews to resume, self-fills awaiting review, actions overdue or due soon, and
    projects not assessed for more than two quarters, in the brands `user` leads."""
    brand_ids = led_brand_ids(user)
    if not brand_ids:
        return None
    in_brands = _base().filter(project__brand_id__in=brand_ids)
    interviews = _with_progress(_open(in_brands.filter(mode=AssessmentMode.INTERVIEW))).order_by(
        "created_at"
    )
    reviews = in_brands.filter(status=AssessmentStatus.SUBMITTED).order_by("submitted_at")
    actions = (
        ImprovementAction.objects.select_related("project__brand", "owner")
        .filter(
            project__brand_id__in=brand_ids,
            status__in=ACTIVE_ACTION_STATUSES,
            due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .order_by("due_on", "title")
    )
    projects = (
        Project.objects.select_related("brand")
        .filter(brand_id__in=brand_ids)
        .annotate(
            last_validated=Max(
                "assessments__assessed_on",
                filter=Q(assessments__status=AssessmentStatus.VALIDATED),
            )
        )
        .order_by("last_validated", "name")
    )
    stale = [
        p
        for p in projects
        if p.last_validated is None or _quarter(today) - _quarter(p.last_validated) > 2
    ]
    return LeadWork(list(interviews), list(reviews), list(actions), stale, today)


@dataclass(frozen=True)
class QueueFilters:
    brand: str = ""
    age: str = ""
    mode: str = ""

    @classmethod
    def parse(cls, query) -> "QueueFilters":
        """Unknown values are ignored, so a hand-edited address still shows a queue."""
        mode = query.get("mode", "")
        age = query.get("age", "")
        return cls(
            brand=query.get("brand", "")[:40],
            age=age if age in QUEUE_AGES else "",
            mode=mode if mode in AssessmentMode.values else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.brand or self.age or self.mode)


@dataclass
class ReviewQueue:
    items: list[Assessment]
    total: int
    brands: list[Brand] = field(default_factory=list)
    filters: QueueFilters = field(default_factory=QueueFilters)


def review_queue(user: User, *, filters: QueueFilters, now: datetime.datetime) -> ReviewQueue:
    """For group assessors and admins: every brand's submitted self-fills and open
    interviews, oldest first. Each item carries `waiting_since` and `age_days`."""
    queue = _with_progress(_base().filter(AWAITING_ASSESSOR))
    total = queue.count()
    if filters.mode:
        queue = queue.filter(mode=filters.mode)
    if filters.brand:
        queue = queue.filter(project__brand__code=_uuid_or_none(filters.brand))
    items = []
    for item in queue.order_by("submitted_at", "created_at"):
        item.waiting_since = item.submitted_at or item.created_at
        item.age_days = (now - item.waiting_since).days
        if filters.age and item.age_days <= QUEUE_AGES[filters.age]:
            continue
        items.append(item)
    items.sort(key=lambda a: a.waiting_since)
    brands = list(Brand.objects.filter(projects__assessments__in=queue.values("pk")).distinct())
    return ReviewQueue(items, total, sorted(brands, key=lambda b: b.name), filters)


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def ready_reports(user: User) -> QuerySet[ReportJob]:
    return (
        ReportJob.objects.select_related("brand", "project")
        .filter(requested_by=user, status=ReportStatus.READY)
        .order_by("-finished_at")[:10]
    )


def question_set_drafts() -> QuerySet[QuestionSetVersion]:
    return (
        QuestionSetVersion.objects.select_related("question_set")
        .defer("source")
        .filter(status=VersionStatus.DRAFT)
        .order_by("question_set__name")
    )


def failed_reports(*, since: datetime.datetime) -> QuerySet[ReportJob]:
    return (
        ReportJob.objects.select_related("brand", "project", "requested_by")
        .filter(status=ReportStatus.FAILED, created_at__gte=since)
        .order_by("-created_at")[:20]
    )


def mark_round_due_dates(assessments: list[Assessment], *, today: datetime.date) -> None:
    """Give each assessment that answers for a project in an open round `round_name`,
    `due_on` and `overdue` (not submitted and past the due date). An assessment listed in
    several open rounds shows the one due soonest (the last one written below). The round
    may list an earlier assessment the work moved on from (an upgrade to a newer version, or
    a self-fill reviewed in an interview): it is followed to the one shown here."""
    ids = [a.pk for a in assessments]
    members = (
        RoundMember.objects.filter(
            Q(assessment_id__in=ids)
            | Q(assessment__superseded_by_id__in=ids)
            | Q(assessment__superseded_by__superseded_by_id__in=ids),
            round__status=RoundStatus.OPEN,
        )
        .select_related("round", "assessment__superseded_by__superseded_by")
        .order_by("-round__due_on", "-round__pk")
    )
    by_assessment = {}
    for member in members:
        current = round_selectors.current_assessment(member)
        if current is not None:
            by_assessment[current.pk] = member.round
    for assessment in assessments:
        round_ = by_assessment.get(assessment.pk)
        assessment.round_name = round_.name if round_ else ""
        assessment.due_on = round_.due_on if round_ else None
        assessment.overdue = bool(round_ and today > round_.due_on)


@dataclass
class RoundWork:
    """In open rounds: for a lead, their brands' projects waiting for them; for an assessor,
    the rounds they run."""

    lead_items: list
    rounds: list

    @property
    def choose(self) -> int:
        return sum(1 for row in self.lead_items if row.state == "choose")


def round_work(user: User, *, today: datetime.date) -> RoundWork | None:
    lead_items = round_selectors.lead_round_members(user, today=today)
    rounds = []
    for round_ in round_selectors.rounds_run_by(user):
        if round_.status == RoundStatus.OPEN:
            progress = round_selectors.round_progress(user, round_, today=today, scores={})
            round_.done_percent = progress.done_percent
            round_.overdue = progress.counts[round_selectors.OVERDUE]
            round_.total = progress.total
        rounds.append(round_)
    if not lead_items and not rounds:
        return None
    return RoundWork(lead_items, rounds)


def rounds_waiting_for_lead(user: User, brand_ids: list[int] | None = None) -> int:
    """Projects in open rounds whose mode the lead of their brand has still to choose
    (`brand_ids`: the brands `user` leads, when the caller has read them already)."""
    return RoundMember.objects.filter(
        round__status=RoundStatus.OPEN,
        mode=RoundMode.LEAD_DECIDES,
        assessment__isnull=True,
        project__brand_id__in=led_brand_ids(user) if brand_ids is None else brand_ids,
    ).count()


def work_count(user: User) -> int:
    """How many things are waiting for `user`: the number beside "My work" in the navigation."""
    if not user.is_authenticated:
        return 0
    # Counted without their progress: one row per self-fill, no join of their answers.
    count = _self_fills_of(user).count()
    if is_assessor(user):
        count += Assessment.objects.filter(AWAITING_ASSESSOR).count()
    else:
        brand_ids = led_brand_ids(user)
        if brand_ids:
            count += Assessment.objects.filter(
                AWAITING_ASSESSOR, project__brand_id__in=brand_ids
            ).count()
            count += rounds_waiting_for_lead(user, brand_ids)
    return count

"""Reads for question sets and assessments, scoped to the user where tenant-owned."""

import datetime
import unicodedata
import uuid
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from brands.models import Brand, Project, User
from brands.selectors import brand_ids_for_user, may_see_brand_id
from surveys import question_set_format as fmt
from surveys.models import (
    Answer,
    AnswerEvent,
    AnswerVia,
    Assessment,
    AssessmentMode,
    AssessmentStatus,
    Invitation,
    Question,
    QuestionSet,
    QuestionSetVersion,
    Section,
    VersionStatus,
)


def _as_uuid(code: object) -> uuid.UUID:
    try:
        return code if isinstance(code, uuid.UUID) else uuid.UUID(str(code))
    except ValueError:
        raise Http404("No such object") from None


def assessments_for_user(user: User) -> QuerySet[Assessment]:
    ids = brand_ids_for_user(user)
    # The version's source text is a whole YAML file: never drag it along.
    assessments = Assessment.objects.select_related(
        "project__brand", "version__question_set", "conducted_by"
    ).defer("version__source")
    return assessments if ids is None else assessments.filter(project__brand_id__in=ids)


def get_assessment_for_saving(user: User, code: object) -> Assessment:
    """The assessment as the answer-saving endpoint needs it: lean, checked like the others."""
    team = Project.team.through.objects.filter(project_id=OuterRef("project_id"), user_id=user.pk)
    try:
        assessment = (
            Assessment.objects.select_related("project", "version")
            .defer("version__source")
            .annotate(user_on_team=Exists(team))
            .get(code=_as_uuid(code))
        )
    except Assessment.DoesNotExist:
        raise Http404("No such assessment") from None
    if not may_see_brand_id(user, assessment.project.brand_id):
        raise Http404("No such assessment")
    # Read along so that the permission check needs no query of its own.
    assessment.project._team_membership = {user.pk: assessment.user_on_team}
    return assessment


def get_assessment_for_user(user: User, code: object) -> Assessment:
    try:
        return assessments_for_user(user).get(code=_as_uuid(code))
    except Assessment.DoesNotExist:
        raise Http404("No such assessment") from None


def assessments_of_project(project: Project) -> QuerySet[Assessment]:
    return project.assessments.select_related("version__question_set", "conducted_by").order_by(
        "-assessed_on", "-created_at"
    )


def answers_of_assessment(assessment: Assessment) -> QuerySet[Answer]:
    return assessment.answers.select_related("question__section", "option", "answered_by").order_by(
        "question__order"
    )


def question_sets() -> QuerySet[QuestionSet]:
    return QuestionSet.objects.prefetch_related(
        Prefetch("versions", queryset=QuestionSetVersion.objects.order_by("-number"))
    )


def current_version(question_set: QuestionSet) -> QuestionSetVersion | None:
    return question_set.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


def default_version() -> QuestionSetVersion | None:
    """The newest published version of the first question set (the default for new work)."""
    return (
        QuestionSetVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("question_set")
        .order_by("question_set__key", "-number")
        .first()
    )


def get_version(code: object) -> QuestionSetVersion:
    try:
        return QuestionSetVersion.objects.select_related("question_set").get(code=_as_uuid(code))
    except QuestionSetVersion.DoesNotExist:
        raise Http404("No such question-set version") from None


def sections_with_questions(version: QuestionSetVersion) -> QuerySet[Section]:
    return version.sections.order_by("order").prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("order"))
    )


class SectionProgress:
    """A section of an assessment with its answers and how many are done."""

    def __init__(self, section: Section, answers: list[Answer]):
        self.section = section
        self.answers = answers
        self.total = len(answers)
        self.done = sum(1 for a in answers if a.is_answered)

    @property
    def percent(self) -> int:
        return round(self.done * 100 / self.total) if self.total else 100

    @property
    def complete(self) -> bool:
        return self.done == self.total


def assessment_progress(assessment: Assessment) -> list[SectionProgress]:
    """The applicable answers of `assessment`, grouped by section, in order."""
    by_section: dict[int, list[Answer]] = {}
    sections: dict[int, Section] = {}
    for answer in answers_of_assessment(assessment):
        section = answer.question.section
        sections[section.id] = section
        by_section.setdefault(section.id, []).append(answer)
    return [SectionProgress(sections[sid], rows) for sid, rows in by_section.items()]


def overall_progress(progress: list[SectionProgress]) -> tuple[int, int]:
    return sum(p.done for p in progress), sum(p.total for p in progress)


def answer_history(answer: Answer) -> QuerySet:
    return answer.events.select_related("actor").order_by("-revision")


def open_assessments_of_project(project: Project) -> QuerySet[Assessment]:
    """The project's drafts, with how many of their applicable statements are answered."""
    answered = Q(answers__option__isnull=False) | Q(answers__is_na=True)
    return (
        assessments_of_project(project)
        .filter(status=AssessmentStatus.DRAFT, superseded_by__isnull=True)
        .annotate(answer_total=Count("answers"), answer_done=Count("answers", filter=answered))
    )


def interview_sources(project: Project) -> QuerySet[Assessment]:
    """Submitted self-fills an interview may start from."""
    return assessments_of_project(project).filter(
        mode=AssessmentMode.SELF_FILL, status=AssessmentStatus.SUBMITTED, superseded_by__isnull=True
    )


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


def interview_elapsed_seconds(assessment: Assessment, now: datetime.datetime | None = None) -> int:
    """Time spent in the interview so far, including the sitting that is running now."""
    running = assessment.interview_resumed_at
    if running is None:
        return assessment.interview_seconds
    now = now or timezone.now()
    return assessment.interview_seconds + max(0, int((now - running).total_seconds()))


@dataclass(frozen=True)
class Disagreement:
    """An answer the reviewer changed: what the respondents said, what the reviewer made it."""

    answer: Answer
    respondent_value: str
    reviewer_value: str
    notes: list[str]
    reviewer: User | None
    at: datetime.datetime


def _answer_label(option_key: str | None, is_na: bool, labels: dict[str, str]) -> str:
    if is_na:
        return "N/A"
    if option_key is None:
        return "no answer"
    return labels.get(option_key, option_key)


def _event_value(event: AnswerEvent, side: int, labels: dict[str, str]) -> str:
    """The answer before (side 0) or after (side 1) `event`, as a person reads it."""
    changes = event.changes
    # A change of the option alone leaves is_na False on both sides, and vice versa.
    option = changes["option"][side] if "option" in changes else None
    is_na = changes["is_na"][side] if "is_na" in changes else False
    return _answer_label(option, is_na, labels)


def review_disagreements(assessment: Assessment) -> list[Disagreement]:
    """Answers changed in review, from the respondents' value to the reviewer's, in question order.

    Several review changes of one answer collapse into one line; an answer the reviewer
    changed and then set back to the respondents' value is no disagreement.
    """
    labels = {o.key: o.label for o in assessment.version.options.all()}
    events = (
        AnswerEvent.objects.filter(answer__assessment=assessment, via=AnswerVia.REVIEW)
        .filter(Q(changes__has_key="option") | Q(changes__has_key="is_na"))
        .select_related("answer__question", "actor")
        .order_by("answer__question__order", "revision")
    )
    by_answer: dict[int, list[AnswerEvent]] = {}
    for event in events:
        by_answer.setdefault(event.answer_id, []).append(event)
    result = []
    for rows in by_answer.values():
        first, last = rows[0], rows[-1]
        before, after = _event_value(first, 0, labels), _event_value(last, 1, labels)
        if before == after:
            continue
        result.append(
            Disagreement(
                answer=first.answer,
                respondent_value=before,
                reviewer_value=after,
                notes=[e.note for e in rows if e.note],
                reviewer=last.actor,
                at=last.at,
            )
        )
    return result


@dataclass(frozen=True)
class SectionCount:
    section: Section
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done == self.total


def answer_counts(assessment: Assessment, section: Section) -> tuple[SectionCount, int, int]:
    """How far `section` and the whole assessment are answered, in one query."""
    rows = (
        assessment.answers.values("question__section_id")
        .annotate(
            total=Count("id"), done=Count("id", filter=Q(option__isnull=False) | Q(is_na=True))
        )
        .order_by()
    )
    done = total = 0
    mine = SectionCount(section, 0, 0)
    for row in rows:
        done, total = done + row["done"], total + row["total"]
        if row["question__section_id"] == section.id:
            mine = SectionCount(section, row["done"], row["total"])
    return mine, done, total


# Published versions never change, so their scale is kept per process.
_published_options: dict[tuple, list] = {}


def options_of(assessment: Assessment) -> list:
    """The answer scale of `assessment`'s version."""
    version = assessment.version
    # Keyed with the publication time too: a row id alone can come back after a rollback.
    key = (version.pk, version.published_at)
    cached = _published_options.get(key)
    if cached is None:
        cached = list(version.options.all())
        if version.is_published:
            _published_options[key] = cached
    return cached


# Question-set versions: the spec of a stored version, what to compare it with, and how
# the group's figures would move if it were published.


def version_as_spec(version: QuestionSetVersion) -> fmt.QuestionSetSpec:
    """A stored version as the file format's spec (drafts too), in five queries."""
    questions: dict[int, list[fmt.QuestionSpec]] = {}
    for q in version.questions.order_by("order"):
        questions.setdefault(q.section_id, []).append(
            fmt.QuestionSpec(
                key=q.key,
                text=q.text,
                weight=q.weight,
                core=q.core,
                applies_to=q.applies_to,
                why=q.why,
                good=q.good,
                evidence=q.evidence,
            )
        )
    question_set = version.question_set
    return fmt.QuestionSetSpec(
        key=question_set.key,
        name=question_set.name,
        description=question_set.description,
        aggregation=version.aggregation,
        scale=tuple(
            fmt.OptionSpec(key=o.key, label=o.label, score=o.score)
            for o in version.options.order_by("order")
        ),
        levels=tuple(
            fmt.LevelSpec(name=lv.name, min_percent=lv.min_percent, description=lv.description)
            for lv in version.levels.order_by("order")
        ),
        sections=tuple(
            fmt.SectionSpec(
                key=s.key,
                title=s.title,
                core=s.core,
                description=s.description,
                questions=tuple(questions.get(s.id, ())),
            )
            for s in version.sections.order_by("order")
        ),
    )


def draft_of(question_set: QuestionSet) -> QuestionSetVersion | None:
    """The set's draft version, if it has one (there is at most one)."""
    return question_set.versions.filter(status=VersionStatus.DRAFT).first()


def diff_base(version: QuestionSetVersion) -> QuestionSetVersion | None:
    """What `version` is compared with: for a draft the current published version,
    for a published one the published version before it."""
    published = version.question_set.versions.filter(status=VersionStatus.PUBLISHED)
    if version.is_published:
        published = published.filter(number__lt=version.number)
    return published.select_related("question_set").order_by("-number").first()


def newer_published_version(assessment: Assessment) -> QuestionSetVersion | None:
    """The newest published version of the assessment's set, if newer than the one it uses."""
    return (
        QuestionSetVersion.objects.filter(
            question_set_id=assessment.version.question_set_id,
            status=VersionStatus.PUBLISHED,
            number__gt=assessment.version.number,
        )
        .order_by("-number")
        .first()
    )


@dataclass(frozen=True)
class FigureChange:
    """Old and new overall figures of a group of projects (a brand, or all of them)."""

    label: str
    old_mean: float | None
    old_n: int
    new_mean: float | None
    new_n: int
    level_changes: int

    @property
    def delta(self) -> float | None:
        if self.old_mean is None or self.new_mean is None:
            return None
        return self.new_mean - self.old_mean


@dataclass(frozen=True)
class PublishPreview:
    brands: list[FigureChange]
    group: FigureChange


def _figure_change(label: str, rows: list[tuple]) -> FigureChange:
    old = [r[0] for r in rows if r[0] is not None]
    new = [r[1] for r in rows if r[1] is not None]
    return FigureChange(
        label=label,
        old_mean=sum(old) / len(old) if old else None,
        old_n=len(old),
        new_mean=sum(new) / len(new) if new else None,
        new_n=len(new),
        level_changes=sum(1 for r in rows if r[2] != r[3]),
    )


def _sort_key(name: str) -> str:
    """Names sorted as people expect, accents aside (Épicerie next to Epicerie)."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def version_publish_preview(version: QuestionSetVersion) -> PublishPreview:
    """How the group's current figures would change if `version` were published.

    Each project's latest validated assessment of the same question set keeps its stored
    (official) figure as the old one and is re-scored by the engine against `version`,
    answers matched by question key. A question new in `version`, or an answer whose
    option `version`'s scale no longer has, counts as unanswered. A constant number of
    queries, however many projects there are.
    """
    # Imported here: scoring's modules import surveys' models, so surveys may only reach
    # into scoring once both are loaded.
    from scoring import engine
    from scoring.selectors import latest_validated_scores, version_spec

    same_set = set(version.question_set.versions.values_list("id", flat=True))
    latest = [
        s
        for s in latest_validated_scores(Project.objects.all()).values()
        if s.assessment.version_id in same_set
    ]
    spec = version_spec(version)
    answers: dict[int, list] = {}
    rows = Answer.objects.filter(assessment_id__in=[s.assessment_id for s in latest])
    for assessment_id, key, option, is_na in rows.values_list(
        "assessment_id", "question__key", "option__key", "is_na"
    ):
        option = option if option in spec.options else None
        answers.setdefault(assessment_id, []).append(
            engine.AnswerInput(question=key, option=option, na=is_na)
        )
    brands = {
        b.id: b.name
        for b in Brand.objects.filter(id__in={s.assessment.project.brand_id for s in latest})
    }
    by_brand: dict[int, list[tuple]] = {}
    for stored in latest:
        project = stored.assessment.project
        result = engine.score(spec, answers.get(stored.assessment_id, []), project.kind)
        by_brand.setdefault(project.brand_id, []).append(
            (stored.percent, result.percent, stored.level, result.level)
        )
    changes = [_figure_change(brands[bid], rows) for bid, rows in by_brand.items()]
    everything = [row for rows in by_brand.values() for row in rows]
    return PublishPreview(
        brands=sorted(changes, key=lambda c: _sort_key(c.label)),
        group=_figure_change("All brands", everything),
    )


def get_draft_question(version: QuestionSetVersion, key: str) -> Question:
    try:
        return version.questions.select_related("section").get(key=key)
    except Question.DoesNotExist:
        raise Http404("No such question in this version") from None


def get_draft_section(version: QuestionSetVersion, key: str) -> Section:
    try:
        return version.sections.get(key=key)
    except Section.DoesNotExist:
        raise Http404("No such section in this version") from None


def not_applicable_questions(assessment: Assessment) -> dict[int, list[Question]]:
    """The version's questions that do not apply to the project's kind, by section id."""
    kind = assessment.project.kind
    found: dict[int, list[Question]] = {}
    for question in assessment.version.questions.exclude(applies_to="all").order_by("order"):
        if not question.applies_to_kind(kind):
            found.setdefault(question.section_id, []).append(question)
    return found

"""A project's improvement plan: the statements it does not meet yet, most important first.

The plan is read from the project's latest validated assessment. A statement
is unmet when its answer scores below the top of the scale (Partly, No); N/A
answers and statements that do not apply to the project's kind are not in
the plan. The order:

1. core statements first,
2. then by weight, heaviest first,
3. then the easy wins: the share of comparable projects of the group that
   already meet the statement, highest first. Comparable projects are the
   other projects of the same product line when the project has one, else
   the other projects of the same kind (batch, real-time, both). The share is
   only used, and shown, when at least three of them answered the statement;
4. then the order of the question set.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brands.models import Project, ProjectKind, User
from brands.selectors import brand_ids_for_user
from scoring.models import ACTIVE_ACTION_STATUSES, ImprovementAction
from scoring.selectors.benchmarks import MIN_GROUP_SIZE
from scoring.selectors.figures_cache import cached_figures
from scoring.selectors.gaps import (
    applicable_answers,
    latest_validated_assessments,
    top_of_scale,
)
from surveys.models import Answer, AnswerOption, Assessment, AssessmentStatus, Question


@dataclass(frozen=True)
class PlanItem:
    question: Question
    answer: Answer
    peers_met: int  # comparable projects that meet it
    peers_answered: int  # comparable projects it applies to (answered, not N/A)
    action: ImprovementAction | None  # the open or in-progress action for it, if any

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def share(self) -> float | None:
        """Share of comparable projects that meet it; None below the minimum group size."""
        if self.peers_answered < MIN_GROUP_SIZE:
            return None
        return self.peers_met / self.peers_answered

    @property
    def percent(self) -> float | None:
        return None if self.share is None else self.share * 100

    def sort_key(self) -> tuple:
        return (
            not self.question.core,
            -self.question.weight,
            -(self.share or 0),
            self.question.order,
        )


@dataclass(frozen=True)
class Plan:
    project: Project
    assessment: Assessment | None  # the latest validated one, which the plan is read from
    items: list[PlanItem]
    comparison: str  # which projects the easy wins are compared with, in words
    peers: int  # how many of them have a validated assessment
    actions: list[ImprovementAction]  # all of the project's actions: active first, then closed

    @property
    def active_actions(self) -> list[ImprovementAction]:
        return [a for a in self.actions if a.is_active]

    @property
    def closed_actions(self) -> list[ImprovementAction]:
        return [a for a in self.actions if not a.is_active]

    @property
    def unplanned_actions(self) -> list[ImprovementAction]:
        """Active actions whose statement is no longer in the plan (e.g. left the question set)."""
        keys = {item.key for item in self.items}
        return [a for a in self.active_actions if a.question_key not in keys]


def comparable_projects(project: Project) -> tuple[QuerySet[Project], str]:
    """The other projects the easy wins compare `project` with, and how to say which."""
    others = Project.objects.exclude(pk=project.pk)
    if project.product_line_id:
        return (
            others.filter(product_line_id=project.product_line_id),
            # Translators: completes "Easy wins: how many of the … in the group already meet
            # the statement" on the improvement plan.
            _("other projects of the %(line)s product line") % {"line": project.product_line.name},
        )
    return others.filter(kind=project.kind), str(_OTHER_PROJECTS_OF_KIND[project.kind])


# Each completes "Easy wins: how many of the … in the group already meet the statement".
_OTHER_PROJECTS_OF_KIND = {
    # Translators: completes "Easy wins: how many of the … in the group already meet …".
    ProjectKind.BATCH: gettext_lazy("other batch projects"),
    # Translators: completes "Easy wins: how many of the … in the group already meet …".
    ProjectKind.REALTIME: gettext_lazy("other real-time projects"),
    # Translators: completes "Easy wins: how many of the … in the group already meet …".
    ProjectKind.BOTH: gettext_lazy("other batch and real-time projects"),
}


def latest_validated_assessment(
    project: Project, question_set_code: str | None = None
) -> Assessment | None:
    """The project's latest validated assessment (in one question set when its code is given)."""
    assessments = project.assessments.filter(status=AssessmentStatus.VALIDATED)
    if question_set_code is not None:
        assessments = assessments.filter(version__question_set__code=question_set_code)
    return assessments.select_related("version").order_by("-assessed_on", "-created_at").first()


def unmet_answers(
    assessment: Assessment, project: Project, answers: list[Answer] | None = None
) -> list[Answer]:
    """Answers of `assessment` below the top of its scale, to statements that apply.

    `answers`: all of the assessment's answers in question order, with their questions and
    options, when the caller has read them already (then no answer is read again)."""
    # The top of a version's scale changes only with the version (figures_cache's token).
    top = cached_figures(
        "scale-top",
        (assessment.version_id,),
        lambda: AnswerOption.objects.filter(version_id=assessment.version_id).aggregate(
            top=Max("score")
        ),
    )
    if answers is None:
        answers = (
            Answer.objects.filter(assessment=assessment, option__score__lt=top["top"])
            .select_related("question__section", "option")
            .order_by("question__order")
        )
    else:
        answers = [
            a
            for a in answers
            if a.option_id is not None and top["top"] is not None and a.option.score < top["top"]
        ]
    return [a for a in answers if a.question.applies_to_kind(project.kind)]


def _sorted_actions(actions: list[ImprovementAction]) -> list[ImprovementAction]:
    far = datetime.date.max
    active = sorted(
        (a for a in actions if a.is_active), key=lambda a: (a.due_on or far, a.created_at)
    )
    closed = sorted(
        (a for a in actions if not a.is_active), key=lambda a: a.closed_at, reverse=True
    )
    return active + closed


def project_plan(
    project: Project,
    *,
    latest: Assessment | None = None,
    question_set_code: str | None = None,
    answers: list[Answer] | None = None,
) -> Plan:
    """The improvement plan of `project` (see the module's docstring); eight queries at most,
    five when the group-wide parts are cached (one fewer in a GET request, which reads the
    figures token once). `latest`: the project's latest validated assessment when the caller
    has read it already (with its version); else the latest in `question_set_code`'s set
    (any set when None). `answers`: `latest`'s answers as `unmet_answers` takes them, when
    the caller has read them already (one query fewer)."""
    actions = list(
        project.improvement_actions.select_related("owner", "closed_by_assessment", "created_by")
    )
    peers, comparison = comparable_projects(project)
    assessment = (
        latest if latest is not None else latest_validated_assessment(project, question_set_code)
    )
    if assessment is None:
        return Plan(project, None, [], comparison, 0, _sorted_actions(actions))

    unmet = unmet_answers(assessment, project, answers if latest is not None else None)
    keys = tuple(a.question.key for a in unmet)

    def peer_counts() -> tuple[dict[str, dict], int]:
        # Each comparable project's latest assessment with the top of its version's scale,
        # read once; the answers are then counted among those ids, so the latest of each
        # project is not chosen twice and no answer row looks its scale up again.
        chosen = list(
            latest_validated_assessments(peers, question_set_id=assessment.version.question_set_id)
            .annotate(top=top_of_scale())
            .order_by()
            .values_list("pk", "top")
        )
        if not chosen or not keys:
            return {}, len(chosen)
        by_top: dict[object, list[int]] = {}
        for pk, top in chosen:
            if top is not None:
                by_top.setdefault(top, []).append(pk)
        if len(by_top) == 1 and len(next(iter(by_top.values()))) == len(chosen):
            met = Q(option__score__gte=next(iter(by_top)))  # one scale: the usual case
        else:
            met = Q(pk__isnull=True)  # nothing, when no version has a scale
            for top, ids in by_top.items():
                met |= Q(assessment_id__in=ids, option__score__gte=top)
        counts = {
            row["question__key"]: row
            for row in Answer.objects.filter(
                assessment_id__in=[pk for pk, _ in chosen], question__key__in=keys
            )
            .filter(applicable_answers())
            .values("question__key")
            .annotate(answered=Count("id"), met=Count("id", filter=met))
            .order_by()
        }
        return counts, len(chosen)

    # A group-wide read (every comparable project's latest answers), kept until a
    # figure changes; validated answers never change, a new validation does.
    parts = (project.pk, project.product_line_id, project.kind, keys)
    counts, peer_count = cached_figures("plan-peers", parts, peer_counts)
    active = {a.question_key: a for a in actions if a.is_active}
    items = [
        PlanItem(
            question=answer.question,
            answer=answer,
            peers_met=counts.get(answer.question.key, {}).get("met", 0),
            peers_answered=counts.get(answer.question.key, {}).get("answered", 0),
            action=active.get(answer.question.key),
        )
        for answer in unmet
    ]
    items.sort(key=PlanItem.sort_key)
    return Plan(
        project=project,
        assessment=assessment,
        items=items,
        comparison=comparison,
        peers=peer_count,
        actions=_sorted_actions(actions),
    )


def plan_statement(project: Project, question_key: str) -> Question | None:
    """The statement `question_key` if it is in the project's plan (unmet in its latest
    validated assessment), else None."""
    assessment = latest_validated_assessment(project)
    if assessment is None:
        return None
    for answer in unmet_answers(assessment, project):
        if answer.question.key == question_key:
            return answer.question
    return None


def action_owner_candidates(project: Project) -> QuerySet[User]:
    """Who can own an action of `project`: members of its brand and people on its team (not
    the service accounts behind API tokens: nobody to hand work to)."""
    return (
        User.objects.filter(is_active=True, is_service_account=False)
        .filter(Q(memberships__brand_id=project.brand_id) | Q(projects=project))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def get_action_for_user(user: User, code: object) -> ImprovementAction:
    """An action of a project `user` can see; any other is missing (404), never forbidden."""
    try:
        code = code if isinstance(code, uuid.UUID) else uuid.UUID(str(code))
    except ValueError:
        raise Http404("No such action") from None
    actions = ImprovementAction.objects.select_related("project__brand", "project__product_line")
    ids = brand_ids_for_user(user)
    if ids is not None:
        actions = actions.filter(project__brand_id__in=ids)
    try:
        return actions.get(code=code)
    except ImprovementAction.DoesNotExist:
        raise Http404("No such action") from None


def active_action_exists(project: Project, question_key: str) -> bool:
    return ImprovementAction.objects.filter(
        project=project, question_key=question_key, status__in=ACTIVE_ACTION_STATUSES
    ).exists()

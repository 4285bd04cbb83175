"""A round's figures: the stored scores of the validated assessments in it, and the same
against the previous round of the same question set over the projects validated in both.

A round's figure is a named point in trends ("2027 Q1 round"): the mean of the stored
overall scores of the round's validated assessments, with how many projects it covers.
"""

import statistics
import uuid
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from brands.models import Project
from scoring.models import Score
from scoring.selectors.figures_cache import cached_figures
from surveys.models import AssessmentStatus, QuestionSet, Round, RoundMember, RoundStatus
from surveys.selectors.rounds import (
    current_assessment,
    round_members,
    round_progress,
    sees_every_brand,
)


@dataclass
class RoundFigures:
    """Mean overall % of the validated assessments in a round, and against the previous round
    of the same set over the projects validated in both (like with like)."""

    n: int
    mean: float | None
    previous: Round | None = None
    n_both: int = 0
    mean_now_both: float | None = None
    mean_before_both: float | None = None

    @property
    def change(self) -> float | None:
        if self.mean_now_both is None or self.mean_before_both is None:
            return None
        return self.mean_now_both - self.mean_before_both


def _validated(members: list[RoundMember]) -> dict[int, int]:
    """Assessment id -> project id of the members whose current assessment is validated."""
    by_assessment = {}
    for member in members:
        assessment = current_assessment(member)
        if assessment is not None and assessment.status == AssessmentStatus.VALIDATED:
            by_assessment[assessment.pk] = member.project_id
    return by_assessment


def _scores(by_assessment: dict[int, int]) -> dict[int, float]:
    """Project id -> stored overall % of the assessments of `by_assessment` (as `_validated`)."""
    scores = Score.objects.filter(
        assessment_id__in=by_assessment, overall__isnull=False
    ).values_list("assessment_id", "overall")
    return {by_assessment[assessment_id]: float(overall) * 100 for assessment_id, overall in scores}


# A member's assessment and two upgrades of it, as surveys' round_members reads them.
_CHAIN = ("assessment", "assessment__superseded_by", "assessment__superseded_by__superseded_by")


def _validated_in_round(round_: Round, brand_id: int | None = None) -> tuple[int, dict[int, int]]:
    """(members, `_validated` of them) of the round, of `brand_id`'s projects only when given.

    Read as plain values in one query, the upgrades followed as far as surveys' round_members
    reads them: a closed round's point is drawn on the first dashboard after every change,
    and a model per member, project, brand and assessment cost more than the rest of it.
    A member upgraded further than that is rare: then the members are read whole."""
    members = RoundMember.objects.filter(round=round_)
    if brand_id is not None:
        members = members.filter(project__brand_id=brand_id)
    fields = [f for path in _CHAIN for f in (path, f"{path}__status")]
    rows = list(members.values_list("project_id", *fields, f"{_CHAIN[-1]}__superseded_by"))
    by_assessment = {}
    for project_id, *chain, deeper in rows:
        if deeper is not None:
            whole = [
                m
                for m in round_members(round_)
                if brand_id is None or m.project.brand_id == brand_id
            ]
            return len(whole), _validated(whole)
        current = None
        for assessment_id, status in zip(chain[::2], chain[1::2], strict=True):
            if assessment_id is None:
                break
            current = (assessment_id, status)
        if current is not None and current[1] == AssessmentStatus.VALIDATED:
            by_assessment[current[0]] = project_id
    return len(rows), by_assessment


def round_scores(round_: Round) -> dict[int, float]:
    """Project id -> stored overall % of its validated assessment in the round."""
    return _scores(_validated_in_round(round_)[1])


def previous_round(round_: Round) -> Round | None:
    """The latest launched round of the same set that opened before this one."""
    return (
        Round.objects.filter(question_set_id=round_.question_set_id, opens_on__lt=round_.opens_on)
        .exclude(status=RoundStatus.DRAFT)
        .exclude(pk=round_.pk)
        .order_by("-opens_on", "-pk")
        .first()
    )


def round_figures(
    round_: Round, *, project_ids: set[int] | None = None, scores: dict[int, float] | None = None
) -> RoundFigures:
    """The round's figures, over `project_ids` only when given (a brand member's own)."""
    now = round_scores(round_) if scores is None else scores
    if project_ids is not None:
        now = {p: v for p, v in now.items() if p in project_ids}
    figures = RoundFigures(n=len(now), mean=statistics.fmean(now.values()) if now else None)
    before_round = previous_round(round_)
    if before_round is None:
        return figures
    before = round_scores(before_round)
    both = sorted(set(now) & set(before))
    figures.previous = before_round
    figures.n_both = len(both)
    if both:
        figures.mean_now_both = statistics.fmean(now[p] for p in both)
        figures.mean_before_both = statistics.fmean(before[p] for p in both)
    return figures


@dataclass(frozen=True)
class RoundPoint:
    """A closed round as a point in a trend: its name, the day it closed, its figure."""

    round: Round
    n: int
    mean: float | None
    change: float | None
    previous: Round | None

    @property
    def name(self) -> str:
        return self.round.name


def round_names_of_assessments(assessment_ids) -> dict[int, str]:
    """Assessment id -> the name of the launched round it answers for, if any."""
    return dict(
        RoundMember.objects.filter(assessment_id__in=list(assessment_ids))
        .exclude(round__status=RoundStatus.DRAFT)
        .values_list("assessment_id", "round__name")
    )


def _project_ids(projects: QuerySet[Project] | None) -> frozenset[int] | None:
    return None if projects is None else frozenset(projects.values_list("pk", flat=True))


def _points(rounds: list[Round], project_ids, *, brand_id: int | None = None) -> list[RoundPoint]:
    """Each round's point over its members among `project_ids` (all when None) and of
    `brand_id` (any brand when None); with a brand, a round without such a member is left
    out."""
    points = []
    for round_ in rounds:
        members, validated = _validated_in_round(round_, brand_id)
        if brand_id is not None and not members:
            continue
        figures = round_figures(round_, project_ids=project_ids, scores=_scores(validated))
        points.append(RoundPoint(round_, figures.n, figures.mean, figures.change, figures.previous))
    return points


def closed_round_points_for(
    question_set_code: str | None, *, projects: QuerySet[Project] | None = None
) -> list[RoundPoint]:
    """The closed rounds of the set a dashboard or report shows: the chosen one (by code),
    else the group's main set. An unknown code has none. With `projects` (the dashboard's
    filters), each round's figures are over its members among them. Cached under the
    figures token, which a change of a round or its members changes too."""
    ids = _project_ids(projects)
    key = (question_set_code, None if ids is None else tuple(sorted(ids)))
    return cached_figures(
        "closed-round-points", key, lambda: _points(closed_rounds_for(question_set_code), ids)
    )


def closed_round_points_of_brand(
    question_set_code: str | None, brand_id: int, *, projects: QuerySet[Project] | None = None
) -> list[RoundPoint]:
    """The closed rounds of the set a brand's page shows (as `closed_round_points_for`) that
    took one of the brand's projects, each with its figures over the brand's projects only
    (and among `projects` when given): the mean of the stored overall scores of the brand's
    validated members, and the change against the previous round over the brand's projects
    validated in both. Never another brand's projects. Cached like
    `closed_round_points_for`."""
    ids = _project_ids(projects)
    key = (question_set_code, brand_id, None if ids is None else tuple(sorted(ids)))
    return cached_figures(
        "closed-round-points-of-brand",
        key,
        lambda: _points(closed_rounds_for(question_set_code), ids, brand_id=brand_id),
    )


def closed_rounds_for(question_set_code: str | None) -> list[Round]:
    """The closed rounds (without figures) of the chosen set, else the main set; oldest first."""
    from surveys.selectors.question_sets import main_question_set

    if question_set_code:
        try:
            code = uuid.UUID(str(question_set_code))
        except ValueError:
            return []
        question_set = QuestionSet.objects.filter(code=code).first()
    else:
        question_set = main_question_set()
    if question_set is None:
        return []
    return list(
        Round.objects.filter(question_set=question_set, status=RoundStatus.CLOSED).order_by(
            "opens_on", "pk"
        )
    )


def round_progress_and_figures(user, round_: Round):
    """The round's progress as `user` may see it (surveys' round_progress), and its figures
    over the projects they see: the round page and its CSV and Excel exports."""
    scores = round_scores(round_)
    progress = round_progress(user, round_, today=timezone.localdate(), scores=scores)
    figures = round_figures(
        round_,
        scores=scores,
        project_ids=None if sees_every_brand(user) else progress.visible_project_ids,
    )
    return progress, figures

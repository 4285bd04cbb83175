"""Reads of assessments, always scoped to the user who asks."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from brands.models import Membership, Project, User
from brands.selectors import as_uuid as _as_uuid
from brands.selectors import brand_ids_for_user, may_see_brand_id
from surveys.models import (
    Assessment,
    AssessmentMode,
    AssessmentStatus,
)


def assessments_for_user(user: User) -> QuerySet[Assessment]:
    ids = brand_ids_for_user(user)
    # The version's source text is a whole YAML file: never drag it along.
    assessments = Assessment.objects.select_related(
        "project__brand", "version__question_set", "conducted_by"
    ).defer("version__source")
    return assessments if ids is None else assessments.filter(project__brand_id__in=ids)


def get_assessment_for_saving(user: User, code: object) -> Assessment:
    """The assessment as the answer-saving endpoint needs it: lean, checked like the others.

    One query: the user's role in the project's brand and whether they are on the project's
    team are read along, so that neither the tenant check nor the permission check needs a
    query of its own."""
    team = Project.team.through.objects.filter(project_id=OuterRef("project_id"), user_id=user.pk)
    role = Membership.objects.filter(user_id=user.pk, brand_id=OuterRef("project__brand_id"))
    try:
        assessment = (
            Assessment.objects.select_related("project", "version")
            .defer("version__source")
            .annotate(user_on_team=Exists(team), user_brand_role=Subquery(role.values("role")[:1]))
            .get(code=_as_uuid(code))
        )
    except Assessment.DoesNotExist:
        raise Http404("No such assessment") from None
    brand_id = assessment.project.brand_id
    if user.is_authenticated:
        # Exactly the role in this brand (None: no membership), for role_in_brand.
        known = getattr(user, "_brand_roles_read_along", None) or {}
        user._brand_roles_read_along = {**known, brand_id: assessment.user_brand_role or None}
    if not may_see_brand_id(user, brand_id):
        raise Http404("No such assessment")
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


def interview_elapsed_seconds(assessment: Assessment, now: datetime.datetime | None = None) -> int:
    """Time spent in the interview so far, including the sitting that is running now."""
    running = assessment.interview_resumed_at
    if running is None:
        return assessment.interview_seconds
    now = now or timezone.now()
    return assessment.interview_seconds + max(0, int((now - running).total_seconds()))

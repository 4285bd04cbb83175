"""Reads of assessments, always scoped to the user who asks."""

import datetime
import functools

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from brands.models import Membership, Project, User
from brands.selectors import as_uuid as _as_uuid
from brands.selectors import brand_ids_for_user, may_see_brand_id
from surveys.models import (
    Assessment,
    AssessmentMode,
    AssessmentStatus,
    QuestionSetVersion,
)
from surveys.selectors.rows import Columns, split


def assessments_for_user(user: User) -> QuerySet[Assessment]:
    ids = brand_ids_for_user(user)
    # The version's source text is a whole YAML file: never drag it along.
    assessments = Assessment.objects.select_related(
        "project__brand", "version__question_set", "conducted_by"
    ).defer("version__source")
    return assessments if ids is None else assessments.filter(project__brand_id__in=ids)


@functools.cache
def _saving_read() -> tuple[str, Columns, Columns, Columns]:
    """The statement of get_assessment_for_saving and its instances' columns."""
    assessment = Columns(Assessment)
    project = Columns(Project)
    # The version's source text is a whole YAML file: never drag it along.
    version = Columns(QuestionSetVersion, leave_out=("source",))
    team = Project.team.through._meta.db_table
    membership = Membership._meta.db_table
    sql = (
        f"SELECT {assessment.sql()}, {project.sql()}, {version.sql()}, "
        f'EXISTS (SELECT 1 FROM "{team}" WHERE "{team}"."project_id" = '
        f'"{assessment.table}"."project_id" AND "{team}"."user_id" = %s), '
        f'(SELECT "{membership}"."role" FROM "{membership}" WHERE "{membership}"."user_id" = %s '
        f'AND "{membership}"."brand_id" = "{project.table}"."brand_id" LIMIT 1) '
        f'FROM "{assessment.table}" '
        f'INNER JOIN "{project.table}" ON "{project.table}"."id" = "{assessment.table}"."project_id" '
        f'INNER JOIN "{version.table}" ON "{version.table}"."id" = "{assessment.table}"."version_id" '
        f'WHERE "{assessment.table}"."code" = %s'
    )
    return sql, assessment, project, version


def get_assessment_for_saving(user: User, code: object) -> Assessment:
    """The assessment as the answer-saving endpoint needs it: lean, checked like the others.

    One query: the user's role in the project's brand and whether they are on the project's
    team are read along, so that neither the tenant check nor the permission check needs a
    query of its own. Every autosave makes it, so its statement is written once
    (surveys/selectors/rows.py): the project and the version come along as with
    select_related, the version's source deferred."""
    sql, assessment_columns, project_columns, version_columns = _saving_read()
    code_value = Assessment._meta.get_field("code").get_db_prep_value(
        _as_uuid(code), connection, prepared=False
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk, code_value])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such assessment")
    assessment, project, version, on_team, brand_role = split(
        row, assessment_columns, project_columns, version_columns
    )
    assessment.project = project
    assessment.version = version
    brand_id = project.brand_id
    if user.is_authenticated:
        # Exactly the role in this brand (None: no membership), for role_in_brand.
        known = getattr(user, "_brand_roles_read_along", None) or {}
        user._brand_roles_read_along = {**known, brand_id: brand_role or None}
    if not may_see_brand_id(user, brand_id):
        raise Http404("No such assessment")
    project._team_membership = {user.pk: bool(on_team)}
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

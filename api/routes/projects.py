"""Projects: listed, read, made and changed; their trend, improvement plan and assessments."""

import uuid

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Status

from api.common import Paging, assessment_body, audit_write, paginate, project_body
from api.errors import ALWAYS, ApiError, Error, from_project_error, from_survey_error
from api.figures import FigureQuery, set_form
from api.routes.assessments import AssessmentFilters, filtered, serialize
from api.schemas import (
    AssessmentOut,
    AssessmentPage,
    AssessmentStart,
    Criticality,
    Kind,
    PlanOut,
    ProjectChange,
    ProjectCreate,
    ProjectOut,
    ProjectPage,
    ProjectTrendOut,
)
from brands import services as brand_services
from brands.models import ProductLine, Project
from brands.selectors import get_brand_for_user, get_project_for_user, projects_for_user
from scoring import selectors as scoring
from scoring.selectors import trends
from surveys import selectors as surveys
from surveys import services

router = Router(tags=["projects"])


class ProjectFilters(Paging):
    brand: uuid.UUID | None = None
    kind: Kind | None = None
    criticality: Criticality | None = None
    product_line: uuid.UUID | None = None
    name: str | None = None


def _bodies(projects: list[Project]) -> list[dict]:
    scores = scoring.latest_validated_scores(
        Project.objects.filter(pk__in=[p.pk for p in projects])
    )
    return [project_body(p, scores.get(p.pk)) for p in projects]


def _one(project: Project) -> dict:
    return _bodies([project])[0]


@router.get("/projects", response={200: ProjectPage, **ALWAYS}, url_name="projects")
def project_list(request: HttpRequest, filters: Query[ProjectFilters]):
    """The projects the caller may see, filtered like the pages: brand, kind, criticality,
    product line, part of the name."""
    projects = projects_for_user(request.user).order_by("brand__name", "name", "id")
    if filters.brand:
        projects = projects.filter(brand__code=filters.brand)
    if filters.kind:
        projects = projects.filter(kind=filters.kind)
    if filters.criticality:
        projects = projects.filter(criticality=filters.criticality)
    if filters.product_line:
        projects = projects.filter(product_line__code=filters.product_line)
    if filters.name:
        projects = projects.filter(name__icontains=filters.name.strip())
    return paginate(request, projects, filters, _bodies)


def _product_line(code: uuid.UUID | None) -> ProductLine | None:
    if code is None:
        return None
    line = ProductLine.objects.filter(code=code).first()
    if line is None:
        raise ApiError(400, "invalid", "No product line has this code.", field="product_line")
    return line


@router.post(
    "/projects",
    response={201: ProjectOut, **ALWAYS, 400: Error, 403: Error, 404: Error, 409: Error},
    url_name="project_create",
)
def project_create(request: HttpRequest, payload: ProjectCreate):
    """A new project of a brand (its leads, group admins and assessors)."""
    brand = get_brand_for_user(request.user, payload.brand)
    data = brand_services.ProjectInput(
        name=payload.name,
        description=payload.description,
        kind=payload.kind,
        criticality=payload.criticality,
        product_line=_product_line(payload.product_line),
    )
    with transaction.atomic():
        try:
            project = brand_services.project_create(brand=brand, user=request.user, data=data)
        except brand_services.ProjectError as exc:
            raise from_project_error(exc) from None
        audit_write(request, "project created", project)
    return Status(201, _one(project))


@router.get(
    "/projects/{code}", response={200: ProjectOut, **ALWAYS, 404: Error}, url_name="project"
)
def project_detail(request: HttpRequest, code: uuid.UUID):
    return _one(get_project_for_user(request.user, code))


@router.patch(
    "/projects/{code}",
    response={200: ProjectOut, **ALWAYS, 400: Error, 403: Error, 404: Error, 409: Error},
    url_name="project_update",
)
def project_update(request: HttpRequest, code: uuid.UUID, payload: ProjectChange):
    """Change the fields sent; the others stay."""
    project = get_project_for_user(request.user, code)
    sent = payload.model_fields_set
    for field in ("name", "kind", "criticality", "description"):
        if field in sent and getattr(payload, field) is None:
            raise ApiError(400, "invalid", f"{field} cannot be null.", field=field)
    data = brand_services.ProjectInput(
        name=payload.name,
        description=payload.description,
        kind=payload.kind,
        criticality=payload.criticality,
        product_line=_product_line(payload.product_line),
        clear_product_line="product_line" in sent and payload.product_line is None,
    )
    with transaction.atomic():
        try:
            project = brand_services.project_update(project=project, user=request.user, data=data)
        except brand_services.ProjectError as exc:
            raise from_project_error(exc) from None
        audit_write(request, "project changed", project)
    return _one(project)


@router.get(
    "/projects/{code}/trend",
    response={200: ProjectTrendOut, **ALWAYS, 400: Error, 404: Error},
    url_name="project_trend",
)
def project_trend(request: HttpRequest, code: uuid.UUID, query: Query[FigureQuery]):
    """Every validated assessment of the project in one set (default: the set of its newest)."""
    project = get_project_for_user(request.user, code)
    if query.set:
        set_form(query.set)
    _, chosen = surveys.question_sets_of_project(project, str(query.set or ""))
    set_code = str(chosen.code) if chosen else None
    trend = trends.project_series(
        project, common_questions=query.basis == trends.SHARED, question_set_code=set_code
    )
    return {
        "project": project.code,
        "question_set": set_code,
        "basis": trend.basis.key,
        "points": [
            {
                "assessment": p.assessment_code,
                "assessed_on": p.assessed_on,
                "quarter": p.quarter,
                "percent": p.percent,
                "level": p.level,
                "core_met": p.core_met,
                "core_total": p.core_total,
                "version": p.version,
            }
            for p in trend.points
        ],
    }


@router.get(
    "/projects/{code}/plan",
    response={200: PlanOut, **ALWAYS, 400: Error, 404: Error},
    url_name="project_plan",
)
def project_plan(request: HttpRequest, code: uuid.UUID, query: Query[FigureQuery]):
    """The improvement plan: the unmet statements of the latest validated assessment, most
    important first, with how many comparable projects meet each, and the actions taken on."""
    project = get_project_for_user(request.user, code)
    if query.set:
        set_form(query.set)
    _, chosen = surveys.question_sets_of_project(project, str(query.set or ""))
    plan = scoring.project_plan(project, question_set_code=str(chosen.code) if chosen else None)
    return {
        "project": project.code,
        "assessment": plan.assessment.code if plan.assessment else None,
        "question_set": chosen.code if chosen else None,
        "comparison": plan.comparison,
        "peers": plan.peers,
        "items": [
            {
                "question": item.key,
                "text": item.question.text,
                "core": item.question.core,
                "weight": float(item.question.weight),
                "answer": item.answer.option.key if item.answer.option_id else None,
                "peers_percent": item.percent,
                "action": item.action.code if item.action else None,
            }
            for item in plan.items
        ],
        "actions": [
            {
                "code": a.code,
                "question": a.question_key,
                "title": a.title,
                "status": a.status,
                "owner": a.owner.get_username() if a.owner else None,
                "due_on": a.due_on,
                "note": a.note,
            }
            for a in plan.actions
        ],
    }


@router.get(
    "/projects/{code}/assessments",
    response={200: AssessmentPage, **ALWAYS, 404: Error},
    url_name="project_assessments",
)
def project_assessments(request: HttpRequest, code: uuid.UUID, filters: Query[AssessmentFilters]):
    """The project's assessments, newest first."""
    project = get_project_for_user(request.user, code)
    items = filtered(surveys.assessments_for_user(request.user).filter(project=project), filters)
    return paginate(request, items, filters, serialize)


@router.post(
    "/projects/{code}/assessments",
    response={201: AssessmentOut, **ALWAYS, 400: Error, 403: Error, 404: Error},
    url_name="assessment_start",
)
def assessment_start(request: HttpRequest, code: uuid.UUID, payload: AssessmentStart):
    """Open a self-fill or an interview (the brand's leads, group admins and assessors).

    Answers start from the project's latest validated assessment in the same set (or from
    `source`), marked as carried over, as on the project page."""
    project = get_project_for_user(request.user, code)
    if payload.question_set:
        question_set = surveys.question_sets().filter(code=payload.question_set).first()
        if question_set is None:
            raise ApiError(400, "invalid", "No question set has this code.", field="question_set")
    else:
        question_set = surveys.default_question_set(project)
    version = question_set and surveys.current_version(question_set)
    if version is None:
        raise ApiError(
            400,
            "invalid",
            "This question set has no published version to assess with.",
            field="question_set",
        )
    source = None
    if payload.source:
        source = surveys.assessments_of_project(project).filter(code=payload.source).first()
        if source is None:
            raise ApiError(
                400, "invalid", "The project has no assessment with this code.", field="source"
            )
    with transaction.atomic():
        try:
            assessment = services.assessment_start(
                project=project,
                user=request.user,
                mode=payload.mode,
                version=version,
                assessed_on=payload.assessed_on,
                interviewees=payload.interviewees,
                source=source,
            )
        except services.SurveyError as exc:
            raise from_survey_error(exc) from None
        audit_write(request, "assessment started", assessment)
    assessment = surveys.assessments_for_user(request.user).get(pk=assessment.pk)
    return Status(201, assessment_body(assessment))

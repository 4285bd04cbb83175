"""The project page: its profile against the brand and the group, history, answers and plan."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from brands.selectors import can_answer_for_project, can_manage_brand, get_project_for_user
from reports.csv_export import csv_response
from reports.dashboards.project import project_page_data
from reports.dashboards.project_charts import profile_chart, profile_table
from scoring.selectors import scores_for_assessments
from scoring.selectors.figures_cache import cached_figures
from surveys.forms import StartAssessmentForm
from surveys.selectors import (
    assessments_of_project,
    default_version,
    interview_sources,
    open_assessments_of_project,
)


def _page(project):
    assessments = list(scores_for_assessments(assessments_of_project(project)))
    return assessments, project_page_data(
        project=project, assessments=assessments, on=timezone.localdate()
    )


def _profile_chart(page):
    """The profile chart, kept while the figures it draws stay the same (figures_cache)."""
    if page.latest is None:
        return None
    parts = (page.project.pk, page.latest.assessment_id, timezone.localdate())
    return cached_figures("project-profile-chart", parts, lambda: profile_chart(page))


@require_GET
@login_required
def project_detail(request: HttpRequest, code) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    assessments, page = _page(project)
    can_manage = can_manage_brand(request.user, project.brand)
    context = {
        "project": project,
        "brand": project.brand,
        "team": project.team.order_by("first_name", "last_name"),
        "assessments": assessments,
        "page": page,
        "profile": _profile_chart(page),
        "open_assessments": open_assessments_of_project(project),
        "can_manage": can_manage,
        "can_answer": can_answer_for_project(request.user, project),
        "today": timezone.localdate(),
    }
    if can_manage:
        context["version"] = default_version()
        context["sources"] = interview_sources(project)
        context["start_form"] = StartAssessmentForm(
            initial={"mode": "self_fill", "assessed_on": timezone.localdate()}
        )
    return render(request, "reports/project_detail.html", context)


@require_GET
@login_required
def project_profile_csv(request: HttpRequest, code) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    _, page = _page(project)
    if page.latest is None:
        raise Http404("No validated assessment yet.")
    numbers = profile_table(page)
    return csv_response(f"profile-{project.name}", numbers.headers, numbers.rows)

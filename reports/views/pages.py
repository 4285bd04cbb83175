"""Pages that present brands, projects and their figures."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from brands.selectors import (
    brands_for_user,
    can_answer_for_project,
    can_manage_brand,
    get_project_for_user,
)
from reports import selectors
from scoring.selectors import scores_for_assessments
from surveys.forms import StartAssessmentForm
from surveys.selectors import (
    assessments_of_project,
    default_version,
    interview_sources,
    open_assessments_of_project,
)


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    brands = brands_for_user(request.user)
    if not request.user.group_role and len(brands[:2]) == 1:
        return redirect("brand_detail", code=brands[0].code)
    return redirect("brand_list")


@require_GET
@login_required
def brand_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.brand_overview(brands_for_user(request.user))
    return render(request, "reports/brand_list.html", {"rows": rows})


@require_GET
@login_required
def project_detail(request: HttpRequest, code) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    assessments = scores_for_assessments(assessments_of_project(project))
    can_manage = can_manage_brand(request.user, project.brand)
    context = {
        "project": project,
        "brand": project.brand,
        "team": project.team.order_by("first_name", "last_name"),
        "assessments": assessments,
        "open_assessments": open_assessments_of_project(project),
        "can_manage": can_manage,
        "can_answer": can_answer_for_project(request.user, project),
    }
    if can_manage:
        context["version"] = default_version()
        context["sources"] = interview_sources(project)
        context["start_form"] = StartAssessmentForm(
            initial={"mode": "self_fill", "assessed_on": timezone.localdate()}
        )
    return render(request, "reports/project_detail.html", context)

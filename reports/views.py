"""Pages that present brands, projects and their figures."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from brands.selectors import (
    brands_for_user,
    can_manage_brand,
    get_brand_for_user,
    get_project_for_user,
)
from reports import selectors
from scoring.selectors import scores_for_assessments
from surveys.selectors import assessments_of_project


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
def brand_detail(request: HttpRequest, code) -> HttpResponse:
    brand = get_brand_for_user(request.user, code)
    context = {
        "brand": brand,
        "rows": selectors.project_overview(brand),
        "can_manage": can_manage_brand(request.user, brand),
    }
    return render(request, "reports/brand_detail.html", context)


@require_GET
@login_required
def project_detail(request: HttpRequest, code) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    assessments = scores_for_assessments(assessments_of_project(project))
    context = {
        "project": project,
        "brand": project.brand,
        "team": project.team.order_by("first_name", "last_name"),
        "assessments": assessments,
    }
    return render(request, "reports/project_detail.html", context)

"""What moved between two assessments of a project, and why."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from scoring.selectors import movement
from surveys.selectors import get_assessment_for_user


@require_GET
@login_required
def assessment_moved(request: HttpRequest, code) -> HttpResponse:
    after = get_assessment_for_user(request.user, code)
    if request.GET.get("from"):
        before = get_assessment_for_user(request.user, request.GET["from"])
        if (
            before.project_id != after.project_id
            or before.version.question_set_id != after.version.question_set_id
        ):
            raise Http404("No such assessment of this project in this question set")
    else:
        before = movement.previous_validated(after)
    context = {
        "assessment": after,
        "project": after.project,
        "brand": after.project.brand,
        "before": before,
        "moved": movement.assessment_movement(before, after) if before else None,
        "others": movement.comparable_assessments(after),
    }
    return render(request, "scoring/moved.html", context)

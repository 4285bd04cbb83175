from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from scoring.selectors import assessment_result, scores_for_assessments
from surveys import selectors
from surveys.models import Assessment


def _may_see_drafts(user) -> bool:
    return user.is_superuser or user.group_role == "admin"


@require_GET
@login_required
def question_set_list(request: HttpRequest) -> HttpResponse:
    sets = []
    for question_set in selectors.question_sets():
        versions = [
            v
            for v in question_set.versions.all()
            if v.is_published or _may_see_drafts(request.user)
        ]
        sets.append((question_set, versions))
    return render(request, "surveys/question_set_list.html", {"sets": sets})


@require_GET
@login_required
def version_detail(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    if not version.is_published and not _may_see_drafts(request.user):
        raise Http404("No such question-set version")
    context = {
        "version": version,
        "sections": selectors.sections_with_questions(version),
        "options": version.options.all(),
        "levels": version.levels.all(),
    }
    return render(request, "surveys/version_detail.html", context)


@require_GET
@login_required
def assessment_detail(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    assessment = (
        scores_for_assessments(Assessment.objects.filter(pk=assessment.pk))
        .select_related("project__brand", "version__question_set")
        .get()
    )
    score = getattr(assessment, "score", None)
    context = {
        "assessment": assessment,
        "project": assessment.project,
        "answers": selectors.answers_of_assessment(assessment),
        "score": score,
        # Open assessments have no stored score yet; show where they stand now.
        "live": None if score else assessment_result(assessment),
    }
    return render(request, "surveys/assessment_detail.html", context)

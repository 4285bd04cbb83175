from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from surveys import selectors


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

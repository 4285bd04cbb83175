"""Figures over time: a brand quarter by quarter, a project assessment by assessment."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from brands.selectors import get_brand_for_user, get_project_for_user
from scoring.forms import QuestionSetChoiceForm
from scoring.selectors import trends
from surveys.selectors import question_sets_of_project


class BasisForm(QuestionSetChoiceForm):
    """Which questions the figures count: each assessment's own version, or the shared ones."""

    basis = forms.ChoiceField(
        label=gettext_lazy("Count"),
        choices=[
            (
                trends.OWN,
                gettext_lazy("every question of each assessment's own question-set version"),
            ),
            (
                trends.SHARED,
                gettext_lazy("only the questions all the versions shown share (re-scored)"),
            ),
        ],
        required=False,
        widget=forms.RadioSelect,
    )

    def common_questions(self) -> bool:
        return self.cleaned_data.get("basis") == trends.SHARED


def _basis(request: HttpRequest) -> BasisForm | None:
    data = request.GET.copy()
    data.setdefault("basis", trends.OWN)
    form = BasisForm(data)
    return form if form.is_valid() else None


def _bad_basis(request: HttpRequest) -> HttpResponse:
    message = _(
        "Choose either each assessment's own question-set version or the shared questions, "
        "and one of the question sets."
    )
    return render(request, "surveys/problem.html", {"message": message}, status=400)


@require_GET
@login_required
def brand_trend(request: HttpRequest, code) -> HttpResponse:
    brand = get_brand_for_user(request.user, code)
    form = _basis(request)
    if form is None:
        return _bad_basis(request)
    code = form.question_set_code()
    trend = trends.brand_series(
        [brand],
        trends.brand_quarter_ends(brand, question_set_code=code),
        common_questions=form.common_questions(),
        question_set_code=code,
    )
    context = {"brand": brand, "form": form, "trend": trend, "points": trend.series[0].points}
    return render(request, "scoring/trend_brand.html", context)


@require_GET
@login_required
def project_trend(request: HttpRequest, code) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    form = _basis(request)
    if form is None:
        return _bad_basis(request)
    sets, chosen = question_sets_of_project(project, request.GET.get("set", ""))
    trend = trends.project_series(
        project,
        common_questions=form.common_questions(),
        question_set_code=str(chosen.code) if chosen else None,
    )
    context = {
        "project": project,
        "brand": project.brand,
        "form": form,
        "trend": trend,
        "sets": sets,
        "question_set": chosen,
    }
    return render(request, "scoring/trend_project.html", context)

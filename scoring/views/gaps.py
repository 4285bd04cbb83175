"""The statements most projects fail: for the whole group (central team) and for one brand."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from brands.selectors import brands_for_user, get_brand_for_user
from scoring import selectors
from scoring.forms import QuarterForm


def _bad_quarter(request: HttpRequest) -> HttpResponse:
    message = _(
        "Choose today or the end of one of the quarters offered, and one of the question sets."
    )
    return render(request, "surveys/problem.html", {"message": message}, status=400)


@require_GET
@login_required
def group_gaps(request: HttpRequest) -> HttpResponse:
    if not (request.user.group_role or request.user.is_superuser):
        message = _(
            "The group's common gaps are for the central MLOps team. "
            "Your brand's own common gaps are linked from your brand's page."
        )
        return render(request, "surveys/problem.html", {"message": message}, status=403)
    form = QuarterForm(request.GET)
    if not form.is_valid():
        return _bad_quarter(request)
    report = selectors.common_gaps(
        brands=brands_for_user(request.user),
        quarter_end=form.cleaned_data["quarter"],
        question_set_code=form.question_set_code(),
    )
    return render(request, "scoring/gaps.html", {"report": report, "form": form, "brand": None})


@require_GET
@login_required
def brand_gaps(request: HttpRequest, code) -> HttpResponse:
    brand = get_brand_for_user(request.user, code)
    form = QuarterForm(request.GET)
    if not form.is_valid():
        return _bad_quarter(request)
    report = selectors.common_gaps(
        brands=[brand],
        quarter_end=form.cleaned_data["quarter"],
        question_set_code=form.question_set_code(),
    )
    return render(request, "scoring/gaps.html", {"report": report, "form": form, "brand": brand})

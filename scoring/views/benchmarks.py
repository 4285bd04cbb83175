"""A brand's projects against the rest of the group."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from brands.selectors import get_brand_for_user
from scoring import selectors
from scoring.forms import QuarterForm


@require_GET
@login_required
def brand_benchmark(request: HttpRequest, code) -> HttpResponse:
    brand = get_brand_for_user(request.user, code)
    form = QuarterForm(request.GET)
    if not form.is_valid():
        message = _(
            "Choose today or the end of one of the quarters offered, and one of the question sets."
        )
        return render(request, "surveys/problem.html", {"message": message}, status=400)
    benchmark = selectors.brand_benchmark(
        brand, as_of=form.cleaned_data["quarter"], question_set_code=form.question_set_code()
    )
    context = {"brand": brand, "benchmark": benchmark, "form": form}
    return render(request, "scoring/benchmark.html", context)

"""Product lines: the same product across the brands that run it."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from brands.selectors import get_product_line
from reports.csv_export import csv_response
from reports.dashboards.filters import DashboardFilters
from reports.dashboards.product_line_charts import line_chart, line_table
from reports.dashboards.product_lines import product_line_summaries, product_line_view
from reports.selectors import filter_options


@require_GET
@login_required
def product_line_list(request: HttpRequest) -> HttpResponse:
    lines = product_line_summaries(request.user)
    return render(request, "reports/product_line_list.html", {"lines": lines})


def _question_set(request: HttpRequest) -> str | None:
    """The `set` filter, read as the dashboards read it (a bad code falls back to the main set)."""
    return DashboardFilters.parse(request.GET, today=timezone.localdate()).question_set


@require_GET
@login_required
def product_line_detail(request: HttpRequest, code) -> HttpResponse:
    line = get_product_line(code)
    question_set = _question_set(request)
    view = product_line_view(
        user=request.user, line=line, on=timezone.localdate(), question_set_code=question_set
    )
    context = {
        "line": line,
        "view": view,
        "chart": line_chart(view),
        "question_sets": filter_options().question_sets,
        "question_set": question_set,
        "csv_url": reverse("product_line_csv", args=[line.code])
        + (f"?{urlencode({'set': question_set})}" if question_set else ""),
    }
    return render(request, "reports/product_line_detail.html", context)


@require_GET
@login_required
def product_line_csv(request: HttpRequest, code) -> HttpResponse:
    """The chart's numbers: the same rows the page's table shows to this user."""
    line = get_product_line(code)
    view = product_line_view(
        user=request.user,
        line=line,
        on=timezone.localdate(),
        question_set_code=_question_set(request),
    )
    numbers = line_table(view)
    return csv_response(f"product-line-{line.name}", numbers.headers, numbers.rows)

"""Product lines: the same product across the brands that run it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from brands.selectors import get_product_line
from reports.csv_export import csv_response
from reports.dashboards.product_line_charts import line_chart, line_table
from reports.dashboards.product_lines import product_line_summaries, product_line_view


@require_GET
@login_required
def product_line_list(request: HttpRequest) -> HttpResponse:
    lines = product_line_summaries(request.user)
    return render(request, "reports/product_line_list.html", {"lines": lines})


@require_GET
@login_required
def product_line_detail(request: HttpRequest, code) -> HttpResponse:
    line = get_product_line(code)
    view = product_line_view(user=request.user, line=line, on=timezone.localdate())
    context = {"line": line, "view": view, "chart": line_chart(view)}
    return render(request, "reports/product_line_detail.html", context)


@require_GET
@login_required
def product_line_csv(request: HttpRequest, code) -> HttpResponse:
    """The chart's numbers: the same rows the page's table shows to this user."""
    line = get_product_line(code)
    view = product_line_view(user=request.user, line=line, on=timezone.localdate())
    numbers = line_table(view)
    return csv_response(f"product-line-{line.name}", numbers.headers, numbers.rows)

"""The brand dashboard (the brand's page): one page with its HTMX partial and CSV downloads."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from brands.models import Criticality, ProjectKind
from brands.selectors import can_manage_brand, get_brand_for_user
from reports.csv_export import csv_response
from reports.dashboards import DashboardFilters, Quarter, brand_dashboard_data
from reports.dashboards.brand_charts import (
    CSV_CHARTS,
    TableView,
    brand_charts,
    columns,
    drawn_brand_charts,
    headers,
    table,
    table_rows,
)
from reports.dashboards.common import closed_round_points, round_markers
from reports.selectors import filter_options
from scoring.selectors.figures_cache import cached_figures

QUARTERS_OFFERED = 8


def _partial(request: HttpRequest) -> bool:
    """An HTMX swap, not a history restore (which needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _dashboard(request: HttpRequest, code):
    brand = get_brand_for_user(request.user, code)
    filters = DashboardFilters.parse(request.GET, today=timezone.localdate())
    data = brand_dashboard_data(request.user, brand, filters)
    view = TableView.parse(request.GET, [key for key, _ in columns(data)])
    return brand, filters, data, view


def _round_markers(brand, filters: DashboardFilters, data):
    """The brand's figures of the closed rounds of the set shown, as trend markers (over the
    brand's own projects only), and the key they add to the charts' cache."""
    points = closed_round_points(filters, brand=brand)
    key = tuple((p.round.pk, p.name, p.round.closed_at, p.mean, p.n) for p in points)
    return round_markers(points, data.trend), key


@require_GET
@login_required
def brand_detail(request: HttpRequest, code) -> HttpResponse:
    brand, filters, data, view = _dashboard(request, code)
    markers, key = _round_markers(brand, filters, data)
    base = filters.params()
    query = filters.to_query()
    full_query = "&".join(part for part in (query, urlencode(view.params())) if part)
    context = {
        "brand": brand,
        "filters": filters,
        "view": view,
        "query": query,
        "full_query": full_query,
        "data": data,
        "rows": table_rows(data, view),
        "headers": headers(data, view, base),
        # Drawn from validated or submitted figures only: kept while they stay the same (the
        # closed rounds, read each time, are in the key; so is the language of their words).
        "charts": cached_figures(
            "brand-charts",
            (brand.pk, filters, key, get_language()),
            lambda: drawn_brand_charts(brand_charts(data, markers), brand.code, query),
        ),
        "overall": data.profile[0],
        "has_figures": data.profile[0].brand.n > 0,
        "can_manage": can_manage_brand(request.user, brand),
    }
    if _partial(request):
        response = render(request, "reports/brand_detail.html#results", context)
        # The canonical query, so that the same view always has the same address.
        return push_url(response, f"{reverse('brand_detail', args=[brand.code])}?{full_query}")
    quarters = Quarter.of(timezone.localdate()).last(QUARTERS_OFFERED)[::-1]
    if filters.quarter not in quarters:
        quarters.append(filters.quarter)
    context |= {
        "quarters": quarters,
        "kinds": ProjectKind.choices,
        "criticalities": Criticality.choices,
        "options": filter_options(),
    }
    return render(request, "reports/brand_detail.html", context)


@require_GET
@login_required
def brand_dashboard_csv(request: HttpRequest, code, chart: str) -> HttpResponse:
    brand, filters, data, view = _dashboard(request, code)
    if chart not in CSV_CHARTS:
        raise Http404("No such chart.")
    markers, _ = _round_markers(brand, filters, data) if chart == "trend" else ((), ())
    numbers = table(data, chart, view, markers)
    filename = f"{brand.name}-{chart}-{filters.quarter.code}"
    return csv_response(filename, numbers.headers, numbers.rows)

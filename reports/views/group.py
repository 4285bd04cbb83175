"""The group dashboard: one page with its HTMX partial, the lazy common gaps and CSV downloads."""

import dataclasses
import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from brands.models import Criticality, ProjectKind
from brands.selectors import brands_for_user
from reports.csv_export import csv_response
from reports.dashboards import DashboardFilters, Quarter, group_dashboard_data
from reports.dashboards.common import closed_round_points, round_markers
from reports.dashboards.group import group_dashboard_gaps_data
from reports.dashboards.group_charts import CSV_CHARTS, drawn_group_charts, group_charts, table
from reports.selectors import filter_options
from reports.words import by_name
from scoring.selectors.figures_cache import cached_figures

QUARTERS_OFFERED = 8


def _group_only(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (request.user.group_role or request.user.is_superuser):
            message = _(
                "The group dashboard is for the central MLOps team and managers. "
                "Your brand's figures are on your brand's page."
            )
            return render(request, "surveys/problem.html", {"message": message}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _filters(request: HttpRequest) -> DashboardFilters:
    return DashboardFilters.parse(request.GET, today=timezone.localdate())


def _partial(request: HttpRequest) -> bool:
    """An HTMX swap, not a history restore (which needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _data_and_charts(request: HttpRequest, filters: DashboardFilters, round_points):
    """The dashboard's figures and charts (drawn: `drawn_group_charts`), kept until the figures
    change (figures_cache).

    Group roles see every brand, so the result depends only on the filters and
    on which brands exist; the brands' ids are part of the key all the same. The closed
    rounds the trend marks are read each time (closing a round changes no figure the
    cache watches): their names, days and figures are part of the key. The charts' words
    are in the reader's language, which is part of the key too.
    """

    def compute():
        data = group_dashboard_data(request.user, filters, with_gaps=False)
        markers = round_markers(round_points, data.total.trend)
        return data, drawn_group_charts(group_charts(data, markers), filters.to_query()), markers

    scope = tuple(brands_for_user(request.user).order_by("pk").values_list("pk", flat=True))
    rounds = tuple((p.round.pk, p.name, p.round.closed_at, p.mean, p.n) for p in round_points)
    return cached_figures("group-dashboard", (filters, scope, rounds, get_language()), compute)


def _chosen_brand_chips(filters: DashboardFilters, data) -> list[dict]:
    """The chosen brands, each with the query that leaves it out (its chip's link)."""
    if not filters.brands:
        return []
    chips = []
    for row in data.brands:
        others = tuple(code for code in filters.brands if code != str(row.brand.code))
        query = dataclasses.replace(filters, brands=others).to_query()
        chips.append({"brand": row.brand, "query": query})
    return chips


@require_GET
@login_required
@_group_only
def group_dashboard(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    round_points = closed_round_points(filters)
    data, charts, _ = _data_and_charts(request, filters, round_points)
    context = {
        "filters": filters,
        "query": filters.to_query(),
        "data": data,
        "charts": charts,
        "round_points": round_points,
        "has_figures": data.total.overall.n > 0,
        "chosen_brands": _chosen_brand_chips(filters, data),
        "all_brands_query": dataclasses.replace(filters, brands=()).to_query(),
    }
    if _partial(request):
        response = render(request, "reports/group_dashboard.html#results", context)
        # The canonical query, so that the same view always has the same address.
        return push_url(response, f"{reverse('group_dashboard')}?{context['query']}")
    quarters = Quarter.of(timezone.localdate()).last(QUARTERS_OFFERED)[::-1]
    if filters.quarter not in quarters:
        quarters.append(filters.quarter)
    context |= {
        "quarters": quarters,
        "brand_options": by_name(brands_for_user(request.user)),
        "kinds": ProjectKind.choices,
        "criticalities": Criticality.choices,
        "options": filter_options(),
    }
    return render(request, "reports/group_dashboard.html", context)


@require_GET
@login_required
@_group_only
def group_dashboard_gaps(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    report = group_dashboard_gaps_data(request.user, filters)
    context = {"filters": filters, "query": filters.to_query(), "report": report}
    return render(request, "reports/group_dashboard.html#gaps", context)


@require_GET
@login_required
@_group_only
def group_dashboard_csv(request: HttpRequest, chart: str) -> HttpResponse:
    if chart not in CSV_CHARTS:
        raise Http404("No such chart.")
    filters = _filters(request)
    round_points = closed_round_points(filters)
    data, _, markers = _data_and_charts(request, filters, round_points)
    numbers = table(data, chart, markers)
    return csv_response(f"group-{chart}-{filters.quarter.code}", numbers.headers, numbers.rows)

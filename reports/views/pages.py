"""Pages that present brands, projects and their figures."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from brands.selectors import brands_for_user
from reports import selectors


@require_GET
@login_required
def brand_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.brand_overview(brands_for_user(request.user), on=timezone.localdate())
    return render(request, "reports/brand_list.html", {"rows": rows})

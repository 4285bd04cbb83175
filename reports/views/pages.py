"""Pages that present brands, projects and their figures."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from brands.selectors import brands_for_user
from reports import selectors


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    brands = brands_for_user(request.user)
    if not request.user.group_role and len(brands[:2]) == 1:
        return redirect("brand_detail", code=brands[0].code)
    return redirect("brand_list")


@require_GET
@login_required
def brand_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.brand_overview(brands_for_user(request.user))
    return render(request, "reports/brand_list.html", {"rows": rows})

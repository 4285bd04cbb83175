"""A brand's issue trackers, an action's issue, the trackers' webhook calls, the Jira export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from brands.models import Brand
from brands.selectors import can_manage_brand, get_brand_for_user
from scoring import selectors
from scoring.forms import IssueRequestForm, TrackerForm
from scoring.models import DEFAULT_API_URLS, TrackerConnection, TrackerKind
from scoring.selectors.trackers import (
    connections_of_brand,
    get_connection_by_code,
    get_connection_for_user,
    get_connection_of_brand,
)
from scoring.services import trackers as services

HOOK_BODY_LIMIT = 1024 * 1024  # trackers' event payloads are far smaller


def _manageable(request: HttpRequest, brand: Brand) -> None:
    if not can_manage_brand(request.user, brand):
        raise PermissionDenied(
            _("Only the brand's leads and group admins manage its issue trackers.")
        )


def hook_url(request: HttpRequest, connection: TrackerConnection) -> str:
    return request.build_absolute_uri(reverse("tracker_hook", kwargs={"code": connection.code}))


def _list_page(request, brand, form, *, problem="", status=200) -> HttpResponse:
    context = {
        "brand": brand,
        "connections": connections_of_brand(brand),
        "form": form,
        "problem": problem,
        "defaults": DEFAULT_API_URLS,
        "kinds": TrackerKind.choices,
    }
    return render(request, "scoring/tracker_list.html", context, status=status)


def _detail_page(request, connection, form=None, *, problem="", secret="", status=200):
    context = {
        "brand": connection.brand,
        "connection": connection,
        "form": form
        or TrackerForm(
            initial={
                "kind": connection.kind,
                "name": connection.name,
                "api_url": connection.api_url,
                "target": connection.target,
            }
        ),
        "problem": problem,
        "new_secret": secret,
        "hook_url": hook_url(request, connection),
    }
    return render(request, "scoring/tracker_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def tracker_list(request: HttpRequest, code) -> HttpResponse:
    brand = get_brand_for_user(request.user, code)
    _manageable(request, brand)
    if request.method == "GET":
        return _list_page(request, brand, TrackerForm(initial={"kind": TrackerKind.GITHUB}))
    form = TrackerForm(request.POST)
    if not form.is_valid():
        return _list_page(request, brand, form, status=400)
    try:
        connection, secret = services.tracker_connect(
            brand=brand, user=request.user, **form.cleaned_data
        )
    except services.TrackerProblem as exc:
        return _list_page(request, brand, form, problem=exc.message, status=exc.status)
    # Rendered, not redirected: the webhook secret is shown this once and kept nowhere else.
    return _detail_page(request, connection, secret=secret)


@login_required
@require_http_methods(["GET", "POST"])
def tracker_detail(request: HttpRequest, code) -> HttpResponse:
    connection = get_connection_for_user(request.user, code)
    _manageable(request, connection.brand)
    if request.method == "GET":
        return _detail_page(request, connection)
    form = TrackerForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, connection, form, status=400)
    data = form.cleaned_data
    try:
        services.tracker_update(
            connection=connection,
            user=request.user,
            name=data["name"],
            api_url=data["api_url"],
            target=data["target"],
            token=data["token"],
        )
    except services.TrackerProblem as exc:
        return _detail_page(request, connection, form, problem=exc.message, status=exc.status)
    messages.success(request, _("Tracker connection saved."))
    return redirect("tracker_detail", code=connection.code)


@login_required
@require_POST
def tracker_secret(request: HttpRequest, code) -> HttpResponse:
    connection = get_connection_for_user(request.user, code)
    _manageable(request, connection.brand)
    secret = services.tracker_secret_replace(connection=connection, user=request.user)
    return _detail_page(request, connection, secret=secret)


@login_required
@require_POST
def tracker_delete(request: HttpRequest, code) -> HttpResponse:
    connection = get_connection_for_user(request.user, code)
    _manageable(request, connection.brand)
    services.tracker_disconnect(connection=connection, user=request.user)
    messages.success(request, _("Tracker connection %(name)s removed.") % {"name": connection.name})
    return redirect("tracker_list", code=connection.brand.code)


@login_required
@require_POST
def action_issue(request: HttpRequest, code) -> HttpResponse:
    action = selectors.get_action_for_user(request.user, code)
    form = IssueRequestForm(request.POST)
    back = f"{reverse('project_plan', kwargs={'code': action.project.code})}#action-{action.code}"
    if not form.is_valid():
        messages.error(request, _("Tracker: choose one of the brand's trackers."))
        return redirect(back)
    connection = get_connection_of_brand(action.project.brand_id, form.cleaned_data["connection"])
    try:
        services.issue_request(action=action, user=request.user, connection=connection)
    except services.TrackerProblem as exc:
        return render(request, "surveys/problem.html", {"message": exc.message}, status=exc.status)
    messages.success(
        request,
        _("The issue is being created in %(tracker)s.")
        % {"tracker": connection.get_kind_display()},
    )
    return redirect(back)


@csrf_exempt
@require_POST
def tracker_hook(request: HttpRequest, code) -> HttpResponse:
    """The tracker calls this when an issue changes; it proves itself by its signature."""
    connection = get_connection_by_code(code)
    try:
        too_large = int(request.headers.get("Content-Length") or 0) > HOOK_BODY_LIMIT
    except ValueError:
        return JsonResponse({"error": "bad Content-Length"}, status=400)
    if too_large:
        return JsonResponse({"error": "too large"}, status=413)
    outcome = services.tracker_hook_receive(
        connection=connection, headers=request.headers, body=request.body
    )
    if outcome is None:
        return JsonResponse({"error": "bad signature or secret"}, status=403)
    return JsonResponse(outcome)

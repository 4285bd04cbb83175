"""A project's improvement plan, and the actions its team takes on from it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from brands.models import Project
from brands.selectors import get_project_for_user
from scoring import selectors, services
from scoring.forms import ActionCreateForm, ActionUpdateForm
from scoring.models import ActionStatus
from surveys.selectors import question_sets_of_project


def _plan_context(request: HttpRequest, project: Project, *, invalid=None) -> dict:
    sets, chosen = question_sets_of_project(project, request.GET.get("set", ""))
    plan = selectors.project_plan(project, question_set_code=str(chosen.code) if chosen else None)
    can_manage = services.can_manage_actions(request.user, project)
    return {
        "project": project,
        "brand": project.brand,
        "plan": plan,
        "can_manage": can_manage,
        "updatable": {a.pk for a in plan.actions if services.can_update_action(request.user, a)},
        "owners": list(selectors.action_owner_candidates(project)) if can_manage else [],
        "statuses": ActionStatus.choices,
        "invalid": invalid,
        "sets": sets,
        "question_set": chosen,
    }


def _back_to_plan(project: Project, anchor: str) -> HttpResponse:
    return redirect(f"{reverse('project_plan', kwargs={'code': project.code})}#{anchor}")


def _problem(request: HttpRequest, exc: services.ActionError) -> HttpResponse:
    return render(request, "surveys/problem.html", {"message": exc.message}, status=exc.status)


@require_GET
@login_required
def project_plan(request: HttpRequest, code) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    return render(request, "scoring/plan.html", _plan_context(request, project))


@require_POST
@login_required
def action_create(request: HttpRequest, code) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    form = ActionCreateForm(request.POST, owners=selectors.action_owner_candidates(project))
    if not form.is_valid():
        context = _plan_context(request, project, invalid=form)
        return render(request, "scoring/plan.html", context, status=400)
    try:
        action = services.action_create(project=project, user=request.user, **form.cleaned_data)
    except services.ActionError as exc:
        return _problem(request, exc)
    messages.success(request, f"Action created: {action.title}")
    return _back_to_plan(project, f"action-{action.code}")


@require_POST
@login_required
def action_update(request: HttpRequest, code) -> HttpResponse:
    action = selectors.get_action_for_user(request.user, code)
    project = action.project
    form = ActionUpdateForm(
        request.POST,
        owners=selectors.action_owner_candidates(project),
        full=services.can_manage_actions(request.user, project),
    )
    if not form.is_valid():
        context = _plan_context(request, project, invalid=form)
        return render(request, "scoring/plan.html", context, status=400)
    try:
        action = services.action_update(action=action, user=request.user, **form.cleaned_data)
    except services.ActionError as exc:
        return _problem(request, exc)
    messages.success(request, f"Action updated: {action.title} ({action.get_status_display()})")
    return _back_to_plan(project, f"action-{action.code}")

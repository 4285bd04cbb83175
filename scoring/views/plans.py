"""A project's improvement plan, and the actions its team takes on from it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from brands.csv_export import csv_response
from brands.models import Project
from brands.selectors import get_project_for_user
from scoring import selectors, services
from scoring.forms import ActionCreateForm, ActionUpdateForm
from scoring.models import ACTIVE_ACTION_STATUSES, ActionStatus
from scoring.selectors.trackers import connections_of_brand, issues_by_action
from surveys.selectors import question_sets_of_project


def _plan_context(request: HttpRequest, project: Project, *, invalid=None) -> dict:
    sets, chosen = question_sets_of_project(project, request.GET.get("set", ""))
    plan = selectors.project_plan(project, question_set_code=str(chosen.code) if chosen else None)
    can_manage = services.can_manage_actions(request.user, project)
    issues = issues_by_action(a.pk for a in plan.actions)
    for action in plan.actions:
        action.issue = issues.get(action.pk)
    return {
        "trackers": list(connections_of_brand(project.brand)) if can_manage else [],
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
    messages.success(request, _("Action created: %(title)s") % {"title": action.title})
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
    messages.success(
        request,
        _("Action updated: %(title)s (%(status)s)")
        % {"title": action.title, "status": action.get_status_display()},
    )
    return _back_to_plan(project, f"action-{action.code}")


JIRA_COLUMNS = [
    "Summary",
    "Issue Type",
    "Description",
    "Priority",
    "Labels",
    "Labels",
    "Due date",
    "Assignee",
    "Yardstick action",
]


@require_GET
@login_required
def project_plan_csv(request: HttpRequest, code) -> HttpResponse:
    """The project's open actions as a CSV that Jira's importer reads, one row per action."""
    project = get_project_for_user(request.user, code)
    _sets, chosen = question_sets_of_project(project, request.GET.get("set", ""))
    plan = selectors.project_plan(project, question_set_code=str(chosen.code) if chosen else None)
    core = {item.key: item.question.core for item in plan.items}
    plan_url = request.build_absolute_uri(reverse("project_plan", kwargs={"code": project.code}))
    rows = []
    for action in plan.actions:
        if action.status not in ACTIVE_ACTION_STATUSES:
            continue
        priority = (
            "Low"
            if action.question_key not in core
            else ("High" if core[action.question_key] else "Medium")
        )
        description = "\n\n".join(
            part
            for part in (
                f"Statement: {action.question_text}",
                action.note,
                f"From the improvement plan of {project.name} in Yardstick: "
                f"{plan_url}#action-{action.code}",
            )
            if part
        )
        rows.append(
            [
                action.title,
                "Task",
                description,
                priority,
                "yardstick",
                action.question_key,
                action.due_on.isoformat() if action.due_on else "",
                action.owner.email if action.owner_id and action.owner.email else "",
                str(action.code),
            ]
        )
    return csv_response(f"yardstick-plan-{project.name}-jira.csv", JIRA_COLUMNS, rows)

"""The project page: its profile against the brand and the group, history, answers and plan."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from brands.selectors import can_answer_for_project, can_manage_brand, get_project_for_user
from reports.csv_export import csv_response
from reports.dashboards.project import chosen_set, project_page_data
from reports.dashboards.project_charts import profile_chart, profile_table
from scoring.selectors import points_texts, scores_for_assessments
from scoring.selectors.dashboard import latest_of
from scoring.selectors.figures_cache import cached_figures
from scoring.selectors.rounds import round_names_of_assessments
from surveys.forms import StartAssessmentForm
from surveys.models import Assessment, QuestionSet
from surveys.selectors import (
    assessments_of_project,
    current_version,
    default_question_set,
    interview_sources,
    open_assessments_of_project,
    startable_question_sets,
)


@dataclass(frozen=True)
class SetBlock:
    """One question set the project has assessments in, with its latest validated figure."""

    question_set: QuestionSet
    latest: Assessment | None
    count: int
    chosen: bool
    points_text: str = ""  # "2.5 of 7" beside the latest figure, for a set shown in points


def _set_blocks(assessments: list[Assessment], chosen: QuestionSet | None) -> list[SetBlock]:
    blocks: dict[int, list[Assessment]] = {}
    for a in assessments:
        blocks.setdefault(a.version.question_set_id, []).append(a)
    on = timezone.localdate()
    latest = {key: latest_of(own, on=on) for key, own in blocks.items()}
    points = points_texts([a for a in latest.values() if a is not None])
    return [
        SetBlock(
            question_set=own[0].version.question_set,
            latest=latest[key],
            count=len(own),
            chosen=chosen is not None and own[0].version.question_set_id == chosen.pk,
            points_text=points.get(latest[key].pk, "") if latest[key] else "",
        )
        for key, own in blocks.items()
    ]


def _page(request: HttpRequest, project):
    everything = list(scores_for_assessments(assessments_of_project(project)))
    question_set, assessments = chosen_set(project, everything, request.GET.get("set"))
    page = project_page_data(project=project, assessments=assessments, on=timezone.localdate())
    return assessments, page, question_set, _set_blocks(everything, question_set)


def _profile_chart(page):
    """The profile chart, kept while the figures it draws stay the same (figures_cache), in
    each language its words are read in."""
    if page.latest is None:
        return None
    parts = (page.project.pk, page.latest.assessment_id, timezone.localdate(), get_language())
    return cached_figures("project-profile-chart", parts, lambda: profile_chart(page))


@require_GET
@login_required
def project_detail(request: HttpRequest, code) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    assessments, page, question_set, blocks = _page(request, project)
    can_manage = can_manage_brand(request.user, project.brand)
    # A set that counts points shows them beside the percentages ("2.5 of 7").
    points = points_texts(assessments)
    rounds = round_names_of_assessments(a.pk for a in assessments)
    for assessment in assessments:
        assessment.points_text = points.get(assessment.pk, "")
        assessment.round_name = rounds.get(assessment.pk, "")
    context = {
        "shows_points": any(a.version.display == "points" for a in assessments),
        "latest_points": page.latest and points.get(page.latest.assessment_id, ""),
        "project": project,
        "brand": project.brand,
        "team": project.team.order_by("first_name", "last_name"),
        "assessments": assessments,
        "page": page,
        "question_set": question_set,
        "set_blocks": blocks,
        # The report is of the set shown (a project report never mixes sets).
        "report_query": f"set={question_set.code}" if question_set else "",
        "profile": _profile_chart(page),
        "open_assessments": open_assessments_of_project(project),
        "can_manage": can_manage,
        "can_answer": can_answer_for_project(request.user, project),
        "today": timezone.localdate(),
    }
    if can_manage:
        startable = startable_question_sets()
        default = default_question_set(project, startable)
        context["startable_sets"] = startable
        context["default_set"] = default
        context["version"] = default and current_version(default)
        context["sources"] = interview_sources(project)
        context["start_form"] = StartAssessmentForm(
            initial={"mode": "self_fill", "assessed_on": timezone.localdate()}
        )
    return render(request, "reports/project_detail.html", context)


@require_GET
@login_required
def project_profile_csv(request: HttpRequest, code) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    _, page, _, _ = _page(request, project)
    if page.latest is None:
        raise Http404("No validated assessment yet.")
    numbers = profile_table(page)
    return csv_response(f"profile-{project.name}", numbers.headers, numbers.rows)

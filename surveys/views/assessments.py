"""An assessment's own pages: its summary, starting one, submitting one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from brands.selectors import can_manage_brand, get_project_for_user
from scoring import engine
from scoring.selectors import (
    assessment_movement,
    assessment_result,
    points_results,
    previous_validated,
    scores_for_assessments,
)
from surveys import selectors, services
from surveys.forms import StartAssessmentForm
from surveys.models import Assessment, AssessmentMode
from surveys.question_set_translations import translated
from surveys.selectors import statements
from surveys.services.permissions import can_edit_answers, can_review


@require_GET
@login_required
def assessment_detail(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    assessment = (
        scores_for_assessments(Assessment.objects.filter(pk=assessment.pk))
        .select_related("project__brand", "version__question_set")
        .get()
    )
    score = getattr(assessment, "score", None)
    # Once scored: the figure against the previous validated one, and how many answers moved.
    before = previous_validated(assessment) if score else None
    moved = assessment_movement(before, assessment) if before else None
    # Sets that count points show them beside the percentages ("2.5 of 7").
    points = points_results([assessment]).get(assessment.pk)
    if points is not None:
        for section_score in score.sections.all():
            figure = points.sections.get(section_score.section.key)
            section_score.points_text = figure and engine.format_points(
                figure.points, figure.max_points
            )
    # The set's texts (statements, sections, the level) in the person's language where the
    # set has it, else its own: the figures are the same in every language.
    version = assessment.version
    language = statements.statement_language(version, request.LANGUAGE_CODE)
    answers = list(selectors.answers_of_assessment(assessment))
    statements.mark_statements(answers, language, version)
    for answer in answers:
        if answer.option_id:
            answer.shown_option = translated(
                answer.option, language, "label", source=version.language
            ).text
    level = score and score.level
    if score is not None:
        for section_score in score.sections.all():
            statements.mark_section(section_score.section, language, version.language)
        band = version.levels.filter(name=score.level).first()
        level = band and translated(band, language, "name", source=version.language).text
    context = {
        "level": level or (score and score.level),
        "statement_language": language,
        "points": points and engine.format_points(points.points, points.max_points),
        "moved": moved,
        "moved_up": moved and sum(1 for a in moved.answers if a.direction == "up"),
        "moved_down": moved and sum(1 for a in moved.answers if a.direction == "down"),
        "assessment": assessment,
        "project": assessment.project,
        "answers": answers,
        "score": score,
        # Open assessments have no stored score yet; show where they stand now.
        "live": None if score else assessment_result(assessment),
        "can_edit": can_edit_answers(request.user, assessment),
        "can_review": can_review(request.user, assessment),
        "newer_version": assessment.is_open and selectors.newer_published_version(assessment),
    }
    return render(request, "surveys/assessment_detail.html", context)


@require_POST
@login_required
def assessment_start(request: HttpRequest, code) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    if not can_manage_brand(request.user, project.brand):
        return render(
            request,
            "surveys/problem.html",
            {"message": _("Only the brand's leads and group assessors can start assessments.")},
            status=403,
        )
    form = StartAssessmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose self-fill or interview and a valid date."))
        return redirect("project_detail", code=project.code)
    if form.cleaned_data["question_set"]:
        question_set = selectors.get_question_set(form.cleaned_data["question_set"])
    else:
        question_set = selectors.default_question_set(project)
    version = question_set and selectors.current_version(question_set)
    if version is None:
        messages.error(request, _("No question set is published yet; a group admin publishes one."))
        return redirect("project_detail", code=project.code)
    source = None
    if form.cleaned_data["source"]:
        source = (
            selectors.assessments_of_project(project)
            .filter(code=form.cleaned_data["source"])
            .first()
        )
    try:
        assessment = services.assessment_start(
            project=project,
            user=request.user,
            mode=form.cleaned_data["mode"],
            version=version,
            assessed_on=form.cleaned_data["assessed_on"],
            interviewees=form.cleaned_data["interviewees"],
            source=source,
        )
    except services.SurveyError as exc:
        messages.error(request, exc.message)
        return redirect("project_detail", code=project.code)
    if assessment.assessed_on > timezone.localdate():
        messages.info(
            request,
            _("The assessment is dated %(day)s, after today: its figures count only from that day.")
            % {"day": date_format(assessment.assessed_on, "j M Y")},
        )
    if assessment.mode == AssessmentMode.INTERVIEW:
        return redirect("interview_console", code=assessment.code)
    messages.success(request, _("Self-fill opened. Invite the respondents below."))
    return redirect("invitation_list", code=assessment.code)


@require_POST
@login_required
def assessment_submit(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    try:
        services.assessment_submit(assessment=assessment, user=request.user)
    except services.IncompleteAssessment as exc:
        language = statements.chosen_language(request, assessment)
        statements.mark_statements(exc.missing, language, assessment.version)
        return render(
            request,
            "surveys/missing.html",
            {"assessment": assessment, "project": assessment.project, "missing": exc.missing},
            status=400,
        )
    except services.SurveyError as exc:
        return render(request, "surveys/problem.html", {"message": exc.message}, status=exc.status)
    messages.success(request, _("Thank you: the assessment is submitted for review."))
    return redirect("assessment_detail", code=assessment.code)

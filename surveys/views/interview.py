"""The interview console: one screen for talking and typing at once, with pause and finalise."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from surveys import selectors, services
from surveys.forms import InterviewPauseForm
from surveys.models import AnswerVia, Assessment, AssessmentMode, AssessmentStatus
from surveys.selectors import statements
from surveys.services.permissions import can_edit_answers, can_review, can_see_interviewer_notes
from surveys.views.answers import script_texts, statements_context


def _runs_interview(user, assessment: Assessment) -> bool:
    return (
        assessment.mode == AssessmentMode.INTERVIEW
        and assessment.status == AssessmentStatus.DRAFT
        and can_review(user, assessment)
    )


def _index(raw: str | None, default: int, total: int) -> int:
    """The 0-based question index from `?q=` (1-based), else `default`, kept in range."""
    try:
        index = int(raw) - 1 if raw else default
    except ValueError:
        index = default
    return min(max(index, 0), max(total - 1, 0))


def _console_context(request: HttpRequest, assessment: Assessment) -> dict:
    progress = selectors.assessment_progress(assessment)
    answers = [a for p in progress for a in p.answers]
    done, total = selectors.overall_progress(progress)
    index = _index(request.GET.get("q"), assessment.interview_position, total)
    current = answers[index] if answers else None
    if current is not None:
        selectors.mark_comments_for_previous([current], selectors.options_of(assessment))
        selectors.mark_pipeline_evidence([current], assessment)
    elapsed = selectors.interview_elapsed_seconds(assessment)
    options = list(assessment.version.options.all())
    # The interviewer may show the statements in another language than the console's own
    # (kept for this assessment in the session, surveys/selectors/statements.py).
    language = statements.chosen_language(request, assessment)
    shown = statements_context(
        assessment, language, answers, sections=[p.section for p in progress], options=options
    )
    numbered = iter(range(1, total + 1))
    unanswered = [n for n, a in enumerate(answers, start=1) if not a.is_answered]
    later = [n for n in unanswered if n > index + 1] or unanswered
    return {
        **shown,
        "assessment": assessment,
        "project": assessment.project,
        "progress": progress,
        "answers": answers,
        "answer": current,
        "index": index,
        "number": index + 1,
        "previous_number": index if index > 0 else None,
        "next_number": index + 2 if index + 1 < total else None,
        "done": done,
        "total": total,
        "counts": selectors.round_counts(progress),
        "four_eyes": services.four_eyes_blocks(assessment, request.user),
        "elapsed": elapsed,
        "elapsed_display": _clock(elapsed),
        "running": assessment.interview_resumed_at is not None,
        "option_labels": ", ".join(str(o) for o in shown["options"]),
        "can_edit": can_edit_answers(request.user, assessment),
        "show_notes": can_see_interviewer_notes(request.user, assessment),
        "via": AnswerVia.INTERVIEW,
        "with_progress": True,
        "strip": [(p, [(next(numbered), a) for a in p.answers]) for p in progress],
        "next_unanswered": later[0] if later else None,
        "console_url": reverse("interview_console", args=[assessment.code]),
        "script_texts": script_texts(),
    }


def _clock(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@require_GET
@login_required
def interview_console(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    if not _runs_interview(request.user, assessment):
        return redirect("assessment_detail", code=assessment.code)
    try:
        assessment = services.interview_resume(assessment=assessment, user=request.user)
    except services.SurveyError as exc:
        return render(request, "surveys/problem.html", {"message": exc.message}, status=exc.status)
    context = _console_context(request, assessment)
    return render(request, "surveys/interview.html", context)


@require_POST
@login_required
def interview_pause(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    form = InterviewPauseForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "surveys/problem.html",
            {"message": _("The question to pause at could not be read.")},
            status=400,
        )
    number = form.cleaned_data["q"]
    try:
        services.interview_pause(
            assessment=assessment,
            user=request.user,
            position=number - 1 if number else None,
        )
    except services.SurveyError as exc:
        return render(request, "surveys/problem.html", {"message": exc.message}, status=exc.status)
    if number:
        text = _(
            "Interview paused at question %(number)s; the clock is stopped. Open the interview "
            "again to carry on where you left off."
        ) % {"number": number}
    else:
        text = _(
            "Interview paused; the clock is stopped. Open the interview again to carry on "
            "where you left off."
        )
    messages.success(request, text)
    return redirect("project_detail", code=assessment.project.code)


@require_POST
@login_required
def interview_finalise(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    if assessment.mode != AssessmentMode.INTERVIEW:
        return render(
            request,
            "surveys/problem.html",
            {"message": _("Only interviews are finalised; self-fills are reviewed.")},
            status=400,
        )
    try:
        services.interview_finalise(assessment=assessment, user=request.user)
    except services.IncompleteAssessment as exc:
        context = _console_context(request, assessment)
        numbers = {a.id: n for n, a in enumerate(context["answers"], start=1)}
        statements.mark_statements(exc.missing, context["statement_language"], assessment.version)
        context["missing"] = [(numbers.get(a.id), a) for a in exc.missing]
        return render(request, "surveys/interview.html", context, status=400)
    except services.SurveyError as exc:
        return render(request, "surveys/problem.html", {"message": exc.message}, status=exc.status)
    if assessment.status == AssessmentStatus.SUBMITTED:
        messages.success(
            request,
            _(
                "Interview finalised and scored. The four-eyes rule is on: another lead or "
                "group assessor reviews and validates it."
            ),
        )
        return redirect("assessment_detail", code=assessment.code)
    messages.success(request, _("Interview finalised: the assessment is validated and scored."))
    return redirect("assessment_detail", code=assessment.code)

"""Review of a submitted self-fill: confirm or change answers, then validate or send back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from scoring.selectors import previous_validated
from surveys import selectors, services
from surveys.forms import MessageForm
from surveys.models import AnswerVia, Assessment, AssessmentMode, AssessmentStatus
from surveys.selectors import statements
from surveys.services.permissions import can_edit_answers, can_review, can_see_interviewer_notes
from surveys.views.answers import script_texts, statements_context


def _reviews(user, assessment: Assessment) -> bool:
    # A submitted interview waits for review only under the four-eyes rule.
    return assessment.status == AssessmentStatus.SUBMITTED and can_review(user, assessment)


def _review_context(request: HttpRequest, assessment: Assessment, **extra) -> dict:
    progress = selectors.assessment_progress(assessment)
    done, total = selectors.overall_progress(progress)
    options = list(assessment.version.options.all())
    answers = [a for p in progress for a in p.answers]
    selectors.mark_comments_for_previous(answers, options)
    selectors.mark_pipeline_evidence(answers, assessment)
    previous = previous_validated(assessment)
    filters = selectors.mark_review_facts(answers, previous)
    show = request.GET.get("show", "")
    if show in {f.key for f in filters}:
        for section in progress:
            section.answers = [a for a in section.answers if show in a.matches]
        progress = [p for p in progress if p.answers]
    else:
        show = ""
    language = statements.chosen_language(request, assessment)
    shown = statements_context(
        assessment,
        language,
        answers,
        sections=[p.section for p in progress],
        options=options,
    )
    disagreements = selectors.review_disagreements(assessment)
    statements.mark_statements([d.answer for d in disagreements], language, assessment.version)
    return {
        **shown,
        "previous": previous,
        "filters": filters,
        "show": show,
        "shown": sum(len(p.answers) for p in progress),
        "assessment": assessment,
        "project": assessment.project,
        "progress": progress,
        "done": done,
        "total": total,
        "disagreements": disagreements,
        "can_edit": can_edit_answers(request.user, assessment),
        "show_notes": can_see_interviewer_notes(request.user, assessment),
        "via": AnswerVia.REVIEW,
        "review_url": reverse("assessment_review", args=[assessment.code]),
        "return_form": MessageForm(),
        "four_eyes_blocked": services.four_eyes_blocks(assessment, request.user),
        "four_eyes_message": services.FOUR_EYES_MESSAGE,
        "script_texts": script_texts(),
        **extra,
    }


@require_GET
@login_required
def assessment_review(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    if not _reviews(request.user, assessment):
        return redirect("assessment_detail", code=assessment.code)
    context = _review_context(request, assessment)
    template = "surveys/review.html#disagreements" if request.htmx else "surveys/review.html"
    return render(request, template, context)


@require_POST
@login_required
def assessment_validate(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    if (
        assessment.mode != AssessmentMode.SELF_FILL
        and assessment.status != AssessmentStatus.SUBMITTED
    ):
        return render(
            request,
            "surveys/problem.html",
            {"message": _("Interviews are validated by finalising them in the interview console.")},
            status=400,
        )
    shown = dict(item.partition("=")[::2] for item in request.POST.getlist("shown")[:500])
    differ = (
        selectors.answers_not_as_shown(assessment, shown)
        if _reviews(request.user, assessment)
        else []
    )
    if differ:
        names = "; ".join(f"“{a.question.text[:80]}”" for a in differ[:10])
        message = ngettext(
            "Not validated: %(count)s answer on your page differs from what is saved: "
            "%(names)s. Save the change (a change in review needs its note) or reload the "
            "page, then validate again.",
            "Not validated: %(count)s answers on your page differ from what is saved: "
            "%(names)s. Save the change (a change in review needs its note) or reload the "
            "page, then validate again.",
            len(differ),
        ) % {"count": len(differ), "names": names}
        return render(request, "surveys/problem.html", {"message": message}, status=409)
    try:
        services.assessment_validate(assessment=assessment, user=request.user)
    except services.SurveyError as exc:
        return render(request, "surveys/problem.html", {"message": exc.message}, status=exc.status)
    messages.success(
        request, _("Validated: the assessment is frozen and counts in official figures.")
    )
    return redirect("assessment_detail", code=assessment.code)


@require_POST
@login_required
def assessment_return(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    form = MessageForm(request.POST)
    if not form.is_valid():
        if not _reviews(request.user, assessment):
            return render(
                request,
                "surveys/problem.html",
                {"message": _("Only a submitted self-fill can be sent back, by its reviewers.")},
                status=403 if not can_review(request.user, assessment) else 409,
            )
        context = _review_context(request, assessment, return_form=form)
        return render(request, "surveys/review.html", context, status=400)
    try:
        services.assessment_return(
            assessment=assessment, user=request.user, message=form.cleaned_data["message"]
        )
    except services.SurveyError as exc:
        return render(request, "surveys/problem.html", {"message": exc.message}, status=exc.status)
    messages.success(request, _("Sent back to the respondents with your message."))
    return redirect("assessment_detail", code=assessment.code)

"""The self-fill screen and the one endpoint every survey screen saves answers through."""

import dataclasses

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, trigger_client_event

from surveys import selectors, services
from surveys.forms import AnswerForm
from surveys.models import Answer, AnswerVia, AssessmentMode, AssessmentStatus
from surveys.selectors import statements
from surveys.services.permissions import can_edit_answers, can_see_interviewer_notes

# Text fields a save can leave aside, saving the rest of the answer, when only they are wrong.
LAID_ASIDE = ("evidence_url", "comment", "interviewer_note")
FIELD_LABELS = {
    "evidence_url": gettext_lazy("The evidence link"),
    "comment": gettext_lazy("The comment"),
    "interviewer_note": gettext_lazy("The interviewer note"),
}
# What each field of an answer's history is called on its history page.
HISTORY_LABELS = {
    "option": gettext_lazy("Option"),
    "is_na": gettext_lazy("N/A"),
    "na_reason": gettext_lazy("N/A reason"),
    "comment": gettext_lazy("Comment"),
    "evidence_url": gettext_lazy("Evidence link"),
    "interviewer_note": gettext_lazy("Interviewer note"),
    "carried_over": gettext_lazy("Carried over"),
}
# survey.js picks a number's form from these samples (see its `tn`): between them they give
# the right plural for every count up to a hundred in each of our languages.
PLURAL_SAMPLES = (1, 2, 5, 20)


def script_texts() -> dict:
    """What survey.js says to people, in the request's language: the script has no catalog of
    its own, so the page hands it these (surveys/fill.html#script-texts). `%(name)s` marks a
    value the script fills in."""
    return {
        "saving": _("still saving"),
        "refused": _("not saved"),
        "refused_because": _("not saved: %(reason)s"),
        "failed": _("not saved: the server could not be reached"),
        "conflict": _("changed by someone else meanwhile: keep theirs or use yours"),
        "needs_note": _("the change waits for its review note"),
        "needs_reason": _("N/A waits for its reason"),
        "unsent": _("a change not sent yet"),
        # The form's data-verb ("Not submitted") before the list of what is not saved.
        "verb": _("%(verb)s: "),
        "not_done": _("Not done"),
        "pending": {
            str(n): ngettext(
                "%(count)s statement has a change not saved. Fix or undo it first.",
                "%(count)s statements have changes not saved. Fix or undo them first.",
                n,
            )
            for n in PLURAL_SAMPLES
        },
        "answered": _("Answered: %(done)s of %(total)s."),
        "changed_in_review": _("Answers changed in review: %(count)s."),
        "carried": {
            str(n): ngettext(
                "%(count)s answer was carried over from the previous assessment and not "
                "confirmed in this round:",
                "%(count)s answers were carried over from the previous assessment and not "
                "confirmed in this round:",
                n,
            )
            for n in PLURAL_SAMPLES
        },
        "more": {
            str(n): ngettext("… and %(count)s more", "… and %(count)s more", n)
            for n in PLURAL_SAMPLES
        },
        "frozen_as_they_are": _("They will be frozen as they are."),
    }


def _via(assessment) -> str:
    return services.answer_via(assessment)


def statements_context(
    assessment, language: str, answers: list[Answer], *, sections=(), options=None
) -> dict:
    """The statements of a screen in `language` (surveys/selectors/statements.py): each
    answer's question and section marked with its shown texts, and what the screen's
    templates need for the scale and the language choice."""
    version = assessment.version
    statements.mark_statements(answers, language, version, sections=sections)
    shown = statements.shown_options(
        options if options is not None else selectors.options_of(assessment), language, version
    )
    # "Written for the previous answer, Yes": the label as the scale on the screen says it.
    labels = {o.label.text: o.label.text for o in shown}
    source_labels = {o.key: o for o in selectors.options_of(assessment)}
    for option in shown:
        labels[source_labels[option.key].label] = option.label.text
    for answer in answers:
        previous = getattr(answer, "comment_for_previous", "")
        if previous in labels:
            answer.comment_for_previous = labels[previous]
    languages = statements.version_languages(version)
    return {
        "options": shown,
        "statement_language": language,
        "statement_languages": [(code, statements.language_name(code)) for code in languages],
        "source_language": version.language,
        "source_language_name": statements.language_name(version.language),
        "has_fallbacks": any(a.question.shown["text"].is_fallback for a in answers),
    }


def _fill_context(request, assessment) -> dict:
    progress = selectors.assessment_progress(assessment)
    skipped = selectors.not_applicable_questions(assessment)
    language = statements.chosen_language(request, assessment)
    for section in progress:
        section.not_applicable = skipped.get(section.section.id, [])
        for question in section.not_applicable:
            statements.mark_question(question, language, assessment.version.language)
    done, total = selectors.overall_progress(progress)
    counts = selectors.round_counts(progress)
    options = list(assessment.version.options.all())
    answers = [a for p in progress for a in p.answers]
    selectors.mark_comments_for_previous(answers, options)
    first_open = next(
        (a for p in progress for a in p.answers if not a.is_answered or a.carried_over), None
    )
    return {
        **statements_context(
            assessment,
            language,
            answers,
            sections=[p.section for p in progress],
            options=options,
        ),
        "with_progress": True,
        "first_open": first_open,
        "assessment": assessment,
        "project": assessment.project,
        "progress": progress,
        "done": done,
        "total": total,
        "counts": counts,
        "can_edit": can_edit_answers(request.user, assessment),
        "show_notes": can_see_interviewer_notes(request.user, assessment),
        "via": _via(assessment),
        "script_texts": script_texts(),
    }


@require_GET
@login_required
def assessment_fill(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    if assessment.mode == AssessmentMode.INTERVIEW and assessment.status == AssessmentStatus.DRAFT:
        return redirect("interview_console", code=assessment.code)
    if not can_edit_answers(request.user, assessment):
        return redirect("assessment_detail", code=assessment.code)
    return render(request, "surveys/fill.html", _fill_context(request, assessment))


def _comment_previous_after_save(answer: Answer) -> bool | None:
    """How a successful save moved the note "written for the previous answer" beside the
    comment: None when it cannot have moved (leave the screen as it is), False when the save
    cleared it (the comment was rewritten), True when the history must be read (the answer
    changed while there is a comment)."""
    changed = getattr(answer, "changed_fields", None)
    if changed is None:
        return True
    if "comment" in changed:
        answer.comment_for_previous = ""
        return False
    if answer.comment and {"option", "is_na"} & changed:
        return True
    return None


def _question_context(
    request, assessment, answer: Answer, *, comment_previous: bool | None = True, **extra
) -> dict:
    """The context of one question's fragment. `comment_previous`: True reads the answer's
    history for the note beside the comment, False keeps the note set on `answer`, None
    leaves the note on the screen as it is."""
    # Pages with progress bars say so in the form (the review page has none to update);
    # a save that leaves the answer answered, or unanswered, does not move them.
    with_progress = request.POST.get("with_progress") == "1"
    update_progress = with_progress and (
        getattr(answer, "answered_changed", True) or getattr(answer, "carried_changed", False)
    )
    section, done, total, counts = (
        selectors.answer_counts(assessment, answer.question.section)
        if update_progress
        else (None, None, None, None)
    )
    if comment_previous:
        selectors.mark_comments_for_previous([answer], selectors.options_of(assessment))
    if _via(assessment) != AnswerVia.SELF_FILL:
        # The review and interview screens show pipeline evidence beside the statement.
        selectors.mark_pipeline_evidence([answer], assessment)
    # The statement stays in the language the form says it was shown in.
    language = statements.statement_language(
        assessment.version, request.POST.get("language"), request.LANGUAGE_CODE
    )
    return {
        **statements_context(assessment, language, [answer]),
        "assessment": assessment,
        "answer": answer,
        "can_edit": can_edit_answers(request.user, assessment),
        "show_notes": can_see_interviewer_notes(request.user, assessment),
        "via": _via(assessment),
        "section_progress": section,
        "done": done,
        "total": total,
        "counts": counts,
        "oob": True,
        "with_progress": with_progress,
        "update_progress": update_progress,
        "update_comment_previous": comment_previous is not None,
        **extra,
    }


@require_POST
@login_required
def answer_save(request: HttpRequest, code, key: str) -> HttpResponse:
    """Save one answer. HTMX gets the question's fragment back; plain forms a redirect."""
    assessment = selectors.get_assessment_for_saving(request.user, code)
    posted = request.POST
    adopted = posted.get("adopt")
    if adopted:
        # "Use as evidence": the form as sent, with the pipeline evidence's link typed into
        # the evidence field; from here on it is an ordinary save (revision, conflict, freeze).
        evidence = selectors.get_evidence_to_adopt(assessment, key, adopted)
        posted = posted.copy()
        posted["evidence_url"] = evidence.url
        del posted["adopt"]
    form = AnswerForm(posted)
    refused = None
    if not form.is_valid() and request.htmx and set(form.errors) <= set(LAID_ASIDE):
        # Only a text field is at fault (too long): save the rest, refuse it beside it.
        field = next(iter(form.errors))
        refused = services.BadAnswer(
            _("%(field)s: %(error)s")
            % {"field": FIELD_LABELS[field], "error": form.errors[field][0]},
            field=field,
        )
        rest = posted.copy()
        for name in form.errors:
            rest.pop(name)
        form = AnswerForm(rest)
    if not form.is_valid():
        return render(
            request,
            "surveys/problem.html",
            {
                "message": _("The answer could not be read: %(errors)s")
                % {"errors": form.errors.as_text()}
            },
            status=400,
        )
    data, sent = form.cleaned_data, form.data
    choice = data["answer"]
    answer_input = services.AnswerInput(
        option=None if choice in ("", "na") else choice,
        is_na=(choice == "na") if "answer" in sent else None,
        na_reason=data["na_reason"] if "na_reason" in sent else None,
        comment=data["comment"] if "comment" in sent else None,
        evidence_url=data["evidence_url"] if "evidence_url" in sent else None,
        interviewer_note=data["interviewer_note"] if "interviewer_note" in sent else None,
    )
    try:
        try:
            answer = services.answer_save(
                assessment=assessment,
                question_key=key,
                user=request.user,
                base_revision=data["base_revision"],
                data=answer_input,
                via=_via(assessment),
                note=data["note"],
                language=data["language"],
            )
        except services.BadAnswer as exc:
            if not (request.htmx and exc.field in LAID_ASIDE):
                raise
            # One text field is wrong (a mistyped link): save the rest of the answer
            # without it, so a choice made meanwhile is not lost with it.
            refused = exc
            answer = services.answer_save(
                assessment=assessment,
                question_key=key,
                user=request.user,
                base_revision=data["base_revision"],
                data=dataclasses.replace(answer_input, **{exc.field: None}),
                via=_via(assessment),
                note=data["note"],
                language=data["language"],
            )
    except services.AnswerConflict as exc:
        current = _answer(assessment, key)
        context = _question_context(request, assessment, current, conflict=exc, mine=posted)
        return render(request, "surveys/fill.html#question", context, status=409)
    except services.UnknownQuestion:
        raise Http404("No such question in this assessment") from None
    except services.SurveyError as exc:
        if request.htmx:
            return _refused(request, assessment, key, exc)
        return render(request, "surveys/problem.html", {"message": exc.message}, status=exc.status)
    if refused is not None:
        # The rest is saved; the refused field keeps what was typed, with the reason.
        rest_saved = answer.revision != data["base_revision"]
        current = _overlay(answer, {refused.field: posted[refused.field]})
        context = _question_context(
            request,
            assessment,
            current,
            error=refused.message,
            error_field=refused.field,
            rest_saved=rest_saved,
        )
        if not rest_saved:
            return render(request, "surveys/fill.html#question", context, status=refused.status)
        response = render(request, "surveys/fill.html#question", context)
        trigger_client_event(response, "answer-saved", {"key": key, "answered": answer.is_answered})
        return response
    if request.htmx:
        if "use_mine" in posted or adopted:
            context = _question_context(request, assessment, answer, saved=True)
            # The form on screen shows the other person's answer, or not yet the adopted
            # link: replace it with what is saved.
            response = render(request, "surveys/fill.html#question", context)
            trigger_client_event(
                response, "answer-saved", {"key": key, "answered": answer.is_answered}
            )
            return response
        context = _question_context(
            request,
            assessment,
            answer,
            comment_previous=_comment_previous_after_save(answer),
            saved=True,
        )
        response = render(request, "surveys/fill.html#saved", context)
        trigger_client_event(response, "answer-saved", {"key": key, "answered": answer.is_answered})
        return reswap(response, "none")
    back = request.POST.get("next") or reverse("assessment_fill", args=[assessment.code])
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("assessment_fill", args=[assessment.code])
    return redirect(f"{back}#q-{key}")


def _refused(request: HttpRequest, assessment, key: str, exc: services.SurveyError):
    """The question as the person sent it, with the reason it was not saved."""
    current = _overlay(_answer(assessment, key), request.POST)
    context = _question_context(
        request,
        assessment,
        current,
        error=exc.message,
        error_field=getattr(exc, "field", ""),
        typed_note=request.POST.get("note", ""),
    )
    return render(request, "surveys/fill.html#question", context, status=exc.status)


def _overlay(answer: Answer, posted) -> Answer:
    """`answer` with the posted values laid over it, for display only (never saved)."""
    choice = posted.get("answer")
    if choice == "na":
        answer.is_na, answer.option = True, None
    elif choice:
        option = next((o for o in selectors.options_of(answer.assessment) if o.key == choice), None)
        if option is not None:
            answer.is_na, answer.option = False, option
    for field in ("na_reason", "comment", "evidence_url", "interviewer_note"):
        if field in posted:
            setattr(answer, field, posted[field])
    return answer


def _answer(assessment, key: str) -> Answer:
    return Answer.objects.select_related("question__section", "option", "answered_by").get(
        assessment=assessment, question__key=key
    )


@require_GET
@login_required
def answer_history(request: HttpRequest, code, key: str) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    try:
        answer = _answer(assessment, key)
    except Answer.DoesNotExist:
        raise Http404("No such question in this assessment") from None
    show_notes = can_see_interviewer_notes(request.user, assessment)
    language = statements.chosen_language(request, assessment)
    statements.mark_statements([answer], language, assessment.version)
    events = list(selectors.answer_history(answer))
    for event in events:
        event.rows = [
            (HISTORY_LABELS.get(field, field), pair[0], pair[1])
            for field, pair in event.changes.items()
            if field != "interviewer_note" or show_notes
        ]
    context = {
        "assessment": assessment,
        "answer": answer,
        "events": events,
        "pipeline_history": selectors.evidence_history(assessment, key),
        "show_notes": show_notes,
    }
    template = "surveys/history.html#history" if request.htmx else "surveys/history.html"
    return render(request, template, context)

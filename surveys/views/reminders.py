"""Round reminders a person received ("Why did I get this"), and the interview slots of a round."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from surveys.forms import InterviewSlotForm
from surveys.models import Round
from surveys.selectors.reminders import digests_for_user, get_digest_for_user
from surveys.selectors.round_members import interview_slots
from surveys.selectors.rounds import get_round_for_user, get_round_member_for_user
from surveys.services.errors import SurveyError
from surveys.services.interview_slots import interview_plan


@require_GET
@login_required
def reminder_list(request: HttpRequest) -> HttpResponse:
    digests = digests_for_user(request.user)
    return render(request, "surveys/reminders/list.html", {"digests": digests})


@require_GET
@login_required
def reminder_detail(request: HttpRequest, code) -> HttpResponse:
    digest = get_digest_for_user(request.user, code)
    return render(request, "surveys/reminders/detail.html", {"digest": digest})


def interview_slots_context(round: Round, user, *, error_for=None, error="", value="") -> dict:
    """What templates/surveys/rounds/_interviews.html needs (the round page includes it)."""
    slots = interview_slots(round, user)
    shown = False
    for row in slots.rows:
        if error and row.member.pk == error_for and row.can_plan:
            row.error, row.value, shown = error, value, True
    # A refusal about a row without a form (not an interview, held, not theirs to plan) is
    # said above the table instead.
    return {"round": round, "slots": slots, "slot_error": "" if shown else error}


@require_GET
@login_required
def round_interviews(request: HttpRequest, code) -> HttpResponse:
    round = get_round_for_user(request.user, code)
    return render(
        request, "surveys/rounds/interviews.html", interview_slots_context(round, request.user)
    )


@require_http_methods(["POST"])
@login_required
def member_interview(request: HttpRequest, code) -> HttpResponse:
    """Set or clear a member's interview date; answers the partial to HTMX, else redirects."""
    member = get_round_member_for_user(request.user, code)
    form = InterviewSlotForm(request.POST)
    status, error = 200, ""
    if "planned_on" not in request.POST:
        status, error = 400, _("Give the interview date, or an empty one to clear it.")
    elif form.is_valid():
        try:
            interview_plan(
                member=member, planned_on=form.cleaned_data["planned_on"], user=request.user
            )
        except SurveyError as exc:
            status, error = exc.status, exc.message
    else:
        status, error = 400, " ".join(form.errors["planned_on"])
    if not error and not request.htmx:
        messages.success(
            request, _("Interview date of %(project)s saved.") % {"project": member.project.name}
        )
        return redirect(
            reverse("round_detail", args=[member.round.code]) + f"#interviews-{member.round.code}"
        )
    context = interview_slots_context(
        member.round,
        request.user,
        error_for=member.pk,
        error=error,
        value=request.POST.get("planned_on", ""),
    )
    template = (
        "surveys/rounds/_interviews.html" if request.htmx else "surveys/rounds/interviews.html"
    )
    return render(request, template, context, status=status)

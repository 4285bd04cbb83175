"""Assessment rounds: the list, a new round, its preview and launch, its progress, closing it,
its exports, and a lead choosing how one of their projects is assessed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brands.models import Brand, ProductLine
from brands.selectors import can_manage_brand
from config.locale import mid_sentence
from scoring.selectors import rounds as figures_of
from surveys import services
from surveys.forms import RoundForm, RoundModeForm
from surveys.models import QuestionSet, RoundMode, RoundStatus, VersionStatus
from surveys.selectors import rounds as selectors
from surveys.services.rounds import leads_only, runners_only
from surveys.views.reminders import interview_slots_context


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "surveys/problem.html", {"message": message}, status=status)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _round_form(data=None) -> RoundForm:
    sets = (
        QuestionSet.objects.filter(active=True, versions__status=VersionStatus.PUBLISHED)
        .distinct()
        .order_by("-is_main", "name")
    )
    return RoundForm(
        data,
        question_sets=sets,
        brands=Brand.objects.order_by("name"),
        product_lines=ProductLine.objects.order_by("name"),
    )


@require_GET
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = list(selectors.rounds_for_user(request.user))
    return render(
        request,
        "surveys/rounds/list.html",
        {"rounds": rounds, "can_run": selectors.can_run_rounds(request.user)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    if not selectors.can_run_rounds(request.user):
        return _problem(request, runners_only(), 403)
    form = _round_form(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                round_ = services.round_create(
                    user=request.user,
                    name=data["name"],
                    question_set=data["question_set"],
                    selection=form.selection(),
                    opens_on=data["opens_on"],
                    due_on=data["due_on"],
                )
            except services.SurveyError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Check the projects and their modes, then launch."))
                return redirect("round_detail", code=round_.code)
        status = 400
    return render(request, "surveys/rounds/create.html", {"form": form}, status=status)


def _preview(request: HttpRequest, round_) -> HttpResponse:
    rows = selectors.round_preview(round_, today=timezone.localdate())
    context = {
        "round": round_,
        "rows": rows,
        "modes": RoundMode.choices,
        "can_run": selectors.can_run_rounds(request.user),
        "listed": sum(1 for r in rows if r.open_assessment),
    }
    return render(request, "surveys/rounds/preview.html", context)


@require_GET
@login_required
def round_detail(request: HttpRequest, code) -> HttpResponse:
    round_ = selectors.get_round_for_user(request.user, code)
    if round_.status == RoundStatus.DRAFT:
        return _preview(request, round_)
    progress, figures = figures_of.round_progress_and_figures(request.user, round_)
    context = {
        "round": round_,
        "progress": progress,
        "figures": figures,
        "states": selectors.STATES,
        "can_run": selectors.can_run_rounds(request.user),
        "everyone": selectors.sees_every_brand(request.user),
        # Interviews planned, held and missing (the section posts to member_interview).
        **interview_slots_context(round_, request.user),
    }
    return render(request, "surveys/rounds/detail.html", context)


@require_POST
@login_required
def round_launch(request: HttpRequest, code) -> HttpResponse:
    round_ = selectors.get_round_for_user(request.user, code)
    if not selectors.can_run_rounds(request.user):
        return _problem(request, runners_only(), 403)
    modes = {
        key.removeprefix("mode-"): value
        for key, value in request.POST.items()
        if key.startswith("mode-")
    }
    try:
        result = services.round_launch(
            round_=round_, user=request.user, modes=modes, base_url=_base_url(request)
        )
    except services.SurveyError as exc:
        messages.error(request, exc.message)
        return redirect("round_detail", code=round_.code)
    if result.already_launched:
        messages.info(
            request,
            _("%(round)s was already launched; nothing was started twice.")
            % {"round": round_.name},
        )
    else:
        messages.success(
            request,
            _(
                "%(round)s is open: %(started)s assessment(s) started, %(listed)s already open "
                "and listed, %(waiting)s waiting for the brand lead to choose a mode; "
                "%(invited)s invitation(s) sent."
            )
            % {
                "round": round_.name,
                "started": len(result.started),
                "listed": len(result.listed),
                "waiting": len(result.waiting),
                "invited": result.invited,
            },
        )
    return redirect("round_detail", code=round_.code)


@require_POST
@login_required
def round_close(request: HttpRequest, code) -> HttpResponse:
    round_ = selectors.get_round_for_user(request.user, code)
    if not selectors.can_run_rounds(request.user):
        return _problem(request, runners_only(), 403)
    try:
        services.round_close(round_=round_, user=request.user)
    except services.SurveyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(round)s is closed. Late work is still possible.") % {"round": round_.name}
        )
    return redirect("round_detail", code=round_.code)


@require_http_methods(["GET", "POST"])
@login_required
def round_member(request: HttpRequest, code) -> HttpResponse:
    member = selectors.get_round_member_for_user(request.user, code)
    round_ = member.round
    today = timezone.localdate()
    can_choose = (
        can_manage_brand(request.user, member.project.brand)
        and member.assessment_id is None
        and round_.status == RoundStatus.OPEN
    )
    form = RoundModeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_manage_brand(request.user, member.project.brand):
            return _problem(request, leads_only(), 403)
        if form.is_valid():
            try:
                member = services.round_member_choose_mode(
                    member=member,
                    user=request.user,
                    mode=form.cleaned_data["mode"],
                    base_url=_base_url(request),
                )
            except services.SurveyError as exc:
                form.add_error("mode", exc.message)
            else:
                messages.success(
                    request,
                    _("%(project)s: %(mode)s started.")
                    % {
                        "project": member.project.name,
                        "mode": mid_sentence(member.get_mode_display()),
                    },
                )
                return redirect("round_member", code=member.code)
        status = 400
    assessment = selectors.current_assessment(member)
    if assessment is not None:
        assessment.recorded = selectors.recorded_count(assessment)
    state, late = selectors.member_state(member, today=today, due_on=round_.due_on)
    context = {
        "member": member,
        "round": round_,
        "project": member.project,
        "assessment": assessment,
        "state": selectors.STATES[state],
        "late": late,
        "form": form,
        "can_choose": can_choose,
    }
    return render(request, "surveys/rounds/member.html", context, status=status)

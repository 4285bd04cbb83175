"""Assessment rounds: the list, a new round, its preview and launch, its progress, closing it,
its exports, and a lead choosing how one of their projects is assessed."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brands.models import Brand, ProductLine
from brands.selectors import can_manage_brand
from reports.csv_export import csv_cell, csv_response
from scoring.selectors import rounds as figures_of
from surveys import services
from surveys.forms import RoundForm, RoundModeForm
from surveys.models import QuestionSet, RoundMode, RoundStatus, VersionStatus
from surveys.selectors import rounds as selectors
from surveys.services.workbooks import safe_filename

_RUNNERS_ONLY = "Only group admins and assessors run assessment rounds."


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
        return _problem(request, _RUNNERS_ONLY, 403)
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
                messages.success(request, "Check the projects and their modes, then launch.")
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


def _progress(user, round_):
    """The round's progress as `user` may see it, and the figures over the projects they see."""
    scores = figures_of.round_scores(round_)
    progress = selectors.round_progress(user, round_, today=timezone.localdate(), scores=scores)
    every = selectors.sees_every_brand(user)
    figures = figures_of.round_figures(
        round_,
        scores=scores,
        project_ids=None if every else progress.visible_project_ids,
    )
    return progress, figures


@require_GET
@login_required
def round_detail(request: HttpRequest, code) -> HttpResponse:
    round_ = selectors.get_round_for_user(request.user, code)
    if round_.status == RoundStatus.DRAFT:
        return _preview(request, round_)
    progress, figures = _progress(request.user, round_)
    context = {
        "round": round_,
        "progress": progress,
        "figures": figures,
        "states": selectors.STATES,
        "can_run": selectors.can_run_rounds(request.user),
        "everyone": selectors.sees_every_brand(request.user),
    }
    return render(request, "surveys/rounds/detail.html", context)


@require_POST
@login_required
def round_launch(request: HttpRequest, code) -> HttpResponse:
    round_ = selectors.get_round_for_user(request.user, code)
    if not selectors.can_run_rounds(request.user):
        return _problem(request, _RUNNERS_ONLY, 403)
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
        messages.info(request, f"{round_.name} was already launched; nothing was started twice.")
    else:
        messages.success(
            request,
            f"{round_.name} is open: {len(result.started)} assessment(s) started, "
            f"{len(result.listed)} already open and listed, {len(result.waiting)} waiting for "
            f"the brand lead to choose a mode; {result.invited} invitation(s) sent.",
        )
    return redirect("round_detail", code=round_.code)


@require_POST
@login_required
def round_close(request: HttpRequest, code) -> HttpResponse:
    round_ = selectors.get_round_for_user(request.user, code)
    if not selectors.can_run_rounds(request.user):
        return _problem(request, _RUNNERS_ONLY, 403)
    try:
        services.round_close(round_=round_, user=request.user)
    except services.SurveyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{round_.name} is closed. Late work is still possible.")
    return redirect("round_detail", code=round_.code)


HEADERS = [
    "Brand",
    "Project",
    "Mode",
    "State",
    "Late",
    "Already open at launch",
    "Assessment status",
    "Submitted",
    "Validated",
    "Overall %",
]


def _export_rows(progress) -> list[list]:
    rows = []
    for brand in progress.brands:
        for row in brand.rows:
            a = row.assessment
            rows.append(
                [
                    brand.name,
                    row.member.project.name,
                    row.member.get_mode_display(),
                    row.state_label,
                    row.late,
                    row.member.already_open,
                    a.get_status_display() if a else "not started",
                    a.submitted_at.date().isoformat() if a and a.submitted_at else "",
                    a.validated_at.date().isoformat() if a and a.validated_at else "",
                    round(row.percent, 1) if row.percent is not None else None,
                ]
            )
    return rows


def _brand_rows(progress) -> list[list]:
    shown = list(progress.brands) + ([progress.others] if progress.others else [])
    return [
        [
            b.name,
            b.total,
            *(b.count_of(key) for key in selectors.STATES),
            b.late,
            round(b.done_percent, 1),
        ]
        for b in shown
    ]


BRAND_HEADERS = ["Brand", "Projects", *selectors.STATES.values(), "Late", "Validated %"]


@require_GET
@login_required
def round_csv(request: HttpRequest, code) -> HttpResponse:
    round_ = selectors.get_round_for_user(request.user, code)
    if round_.status == RoundStatus.DRAFT:
        return _problem(request, "A round has figures once it is launched.", 409)
    progress, _ = _progress(request.user, round_)
    return csv_response(f"round-{round_.name}", HEADERS, _export_rows(progress))


@require_GET
@login_required
def round_xlsx(request: HttpRequest, code) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    round_ = selectors.get_round_for_user(request.user, code)
    if round_.status == RoundStatus.DRAFT:
        return _problem(request, "A round has figures once it is launched.", 409)
    progress, f = _progress(request.user, round_)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Projects"
    sheet.append(HEADERS)
    for row in _export_rows(progress):
        sheet.append([csv_cell(v) for v in row])
    brands = workbook.create_sheet("Brands")
    brands.append(BRAND_HEADERS)
    for row in _brand_rows(progress):
        brands.append([csv_cell(v) for v in row])
    figures = workbook.create_sheet("Figures")
    figures.append(["Round", round_.name])
    figures.append(["Question set", round_.question_set.name])
    figures.append(["Due on", round_.due_on.isoformat()])
    figures.append(["Validated projects", f.n])
    figures.append(["Mean overall %", round(f.mean, 1) if f.mean is not None else None])
    if f.previous is not None:
        figures.append(["Previous round", f.previous.name])
        figures.append(["Projects validated in both", f.n_both])
        for label, value in (
            ("Mean % in this round (those projects)", f.mean_now_both),
            ("Mean % in the previous round (those projects)", f.mean_before_both),
            ("Change (points)", f.change),
        ):
            figures.append([label, round(value, 1) if value is not None else None])
    for ws in workbook.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.column_dimensions["A"].width = 36
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = safe_filename(f"round-{round_.name}")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


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
            return _problem(
                request,
                "Only the brand's leads and group assessors choose how it is assessed.",
                403,
            )
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
                    f"{member.project.name}: {member.get_mode_display().lower()} started.",
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

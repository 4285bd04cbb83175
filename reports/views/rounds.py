"""A round's progress and figures as CSV and Excel (the round page is surveys' round_detail)."""

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from reports.csv_export import csv_cell, csv_response
from scoring.selectors.rounds import round_progress_and_figures
from surveys.models import RoundStatus
from surveys.selectors import rounds as selectors
from surveys.services.workbooks import safe_filename


def _not_launched(request: HttpRequest) -> HttpResponse:
    message = "A round has figures once it is launched."
    return render(request, "surveys/problem.html", {"message": message}, status=409)


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
        return _not_launched(request)
    progress, _ = round_progress_and_figures(request.user, round_)
    return csv_response(f"round-{round_.name}", HEADERS, _export_rows(progress))


@require_GET
@login_required
def round_xlsx(request: HttpRequest, code) -> HttpResponse:
    round_ = selectors.get_round_for_user(request.user, code)
    if round_.status == RoundStatus.DRAFT:
        return _not_launched(request)
    progress, f = round_progress_and_figures(request.user, round_)
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

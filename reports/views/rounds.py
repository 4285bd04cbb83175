"""A round's progress and figures as CSV and Excel (the round page is surveys' round_detail).

Both are built during the request, so their headers and sheet names are in the language of
the person downloading them; the figures stay numbers."""

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from reports.builders.excel_sheets import sheet_name
from reports.csv_export import csv_cell, csv_response
from scoring.selectors.rounds import round_progress_and_figures
from surveys.models import RoundStatus
from surveys.selectors import rounds as selectors
from surveys.services.workbooks import safe_filename


def _not_launched(request: HttpRequest) -> HttpResponse:
    message = _("A round has figures once it is launched.")
    return render(request, "surveys/problem.html", {"message": message}, status=409)


HEADERS = [
    gettext_lazy("Brand"),
    gettext_lazy("Project"),
    gettext_lazy("Mode"),
    gettext_lazy("State"),
    gettext_lazy("Late"),
    gettext_lazy("Already open at launch"),
    gettext_lazy("Assessment status"),
    gettext_lazy("Submitted"),
    gettext_lazy("Validated"),
    gettext_lazy("Overall %"),
]


def _headers(headers) -> list[str]:
    return [str(header) for header in headers]


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
                    a.get_status_display() if a else pgettext("assessment", "not started"),
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


BRAND_HEADERS = [
    gettext_lazy("Brand"),
    gettext_lazy("Projects"),
    *selectors.STATES.values(),
    gettext_lazy("Late"),
    gettext_lazy("Validated %"),
]


@require_GET
@login_required
def round_csv(request: HttpRequest, code) -> HttpResponse:
    round_ = selectors.get_round_for_user(request.user, code)
    if round_.status == RoundStatus.DRAFT:
        return _not_launched(request)
    progress, _ = round_progress_and_figures(request.user, round_)
    return csv_response(f"round-{round_.name}", _headers(HEADERS), _export_rows(progress))


@require_GET
@login_required
def round_xlsx(request: HttpRequest, code) -> HttpResponse:
    round_ = selectors.get_round_for_user(request.user, code)
    if round_.status == RoundStatus.DRAFT:
        return _not_launched(request)
    progress, f = round_progress_and_figures(request.user, round_)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name(pgettext("Excel sheet name, 31 characters at most", "Projects"))
    sheet.append(_headers(HEADERS))
    for row in _export_rows(progress):
        sheet.append([csv_cell(v) for v in row])
    brands = workbook.create_sheet(
        sheet_name(pgettext("Excel sheet name, 31 characters at most", "Brands"))
    )
    brands.append(_headers(BRAND_HEADERS))
    for row in _brand_rows(progress):
        brands.append([csv_cell(v) for v in row])
    figures = workbook.create_sheet(
        sheet_name(pgettext("Excel sheet name, 31 characters at most", "Figures"))
    )
    figures.append([_("Round"), round_.name])
    figures.append([_("Question set"), round_.question_set.name])
    figures.append([_("Due on"), round_.due_on.isoformat()])
    figures.append([_("Validated projects"), f.n])
    figures.append([_("Mean overall %"), round(f.mean, 1) if f.mean is not None else None])
    if f.previous is not None:
        figures.append([_("Previous round"), f.previous.name])
        figures.append([_("Projects validated in both"), f.n_both])
        for label, value in (
            # xgettext:no-python-format
            (_("Mean % in this round (those projects)"), f.mean_now_both),
            # xgettext:no-python-format
            (_("Mean % in the previous round (those projects)"), f.mean_before_both),
            (_("Change (points)"), f.change),
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

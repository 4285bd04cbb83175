"""Report jobs: ask for a report, follow its progress, download it, ask again; "My reports"."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brands import audit
from brands.models import AuditAction
from reports import builders
from reports.models import ReportFormat, ReportJob, ReportScope, ReportStatus
from reports.models import report_storage as storage
from reports.services import (
    ReportRefused,
    get_report_job_for_user,
    report_job_request,
    report_job_retry,
    report_jobs_for_user,
)

RECENT_JOBS = 50


class ReportRequestForm(forms.Form):
    scope = forms.ChoiceField(choices=ReportScope.choices)
    code = forms.UUIDField(required=False)
    format = forms.ChoiceField(choices=ReportFormat.choices)
    filters = forms.CharField(required=False, max_length=2000)

    def problem(self) -> str:
        return " ".join(
            f"{name}: {message}" for name, errors in self.errors.items() for message in errors
        )


def _partial(request: HttpRequest) -> bool:
    """An HTMX swap, not a history restore (which needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if request.htmx:
        return render(request, "reports/jobs/_refused.html", {"message": message}, status=status)
    return render(request, "surveys/problem.html", {"message": message}, status=status)


def _status(request: HttpRequest, job: ReportJob) -> HttpResponse:
    return render(request, "reports/jobs/detail.html#status", {"job": job})


@require_http_methods(["GET", "POST"])
@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """GET: the user's recent reports. POST: ask for a new one (from a dashboard's form)."""
    if request.method == "POST":
        return _report_request(request)
    jobs = report_jobs_for_user(request.user)[:RECENT_JOBS]
    return render(request, "reports/jobs/list.html", {"jobs": jobs})


def _report_request(request: HttpRequest) -> HttpResponse:
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        message = _("The report request was not understood. %(problem)s") % {
            "problem": form.problem()
        }
        return _refused(request, message, 400)
    data = form.cleaned_data
    try:
        job = report_job_request(
            user=request.user,
            scope=data["scope"],
            fmt=data["format"],
            code=data["code"],
            query=data["filters"],
            # The report is written in the language of the page it was asked from.
            language=request.LANGUAGE_CODE,
        )
    except ReportRefused as exc:
        return _refused(request, exc.message, exc.status)
    if request.htmx:
        return _status(request, job)
    return redirect("report_detail", code=job.code)


@require_GET
@login_required
def report_detail(request: HttpRequest, code) -> HttpResponse:
    """One job; HTMX polls its status partial until the job is finished."""
    job = get_report_job_for_user(request.user, code)
    if _partial(request):
        return _status(request, job)
    return render(request, "reports/jobs/detail.html", {"job": job})


@require_GET
@login_required
def report_download(request: HttpRequest, code) -> HttpResponse:
    # The requester's access to the scope is checked now, not only when they asked.
    job = get_report_job_for_user(request.user, code)
    if job.status == ReportStatus.EXPIRED:
        return _refused(
            request, _("This report has expired and its file was deleted; ask again."), 410
        )
    if job.status != ReportStatus.READY:
        return _refused(request, _("This report is not ready yet."), 409)
    try:
        handle = storage.open(job.file.name, "rb")
    except OSError:
        return _refused(
            request,
            _("This report's file can no longer be found; ask for the report again."),
            410,
        )
    content_type = builders.FORMATS[job.format][0]
    audit.record(AuditAction.REPORT_DOWNLOADED, actor=request.user, target=job, format=job.format)
    return FileResponse(
        handle, as_attachment=True, filename=job.filename, content_type=content_type
    )


@require_POST
@login_required
def report_retry(request: HttpRequest, code) -> HttpResponse:
    job = get_report_job_for_user(request.user, code)
    try:
        new = report_job_retry(user=request.user, job=job, language=request.LANGUAGE_CODE)
    except ReportRefused as exc:
        return _refused(request, exc.message, exc.status)
    if request.htmx:
        return _status(request, new)
    return redirect("report_detail", code=new.code)

"""The report-jobs metrics page for group admins, and its JSON twin for monitoring."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from brands import probes
from brands.models import GroupRole
from reports.metrics import metrics_as_json, report_job_metrics
from reports.models import ReportFormat, ReportScope, ReportStatus

REFUSED = gettext_lazy(
    "The report-jobs page is for group admins: it shows every brand's report requests "
    "and who made them."
)


@require_GET
@login_required
@never_cache
def report_metrics(request: HttpRequest) -> HttpResponse:
    """Broker, workers, queue and the jobs of the last day and week; ?format=json for monitoring."""
    as_json = request.GET.get("format") == "json"
    user = request.user
    if not (user.group_role == GroupRole.ADMIN or user.is_superuser):
        if as_json:
            return JsonResponse({"error": str(REFUSED)}, status=403)
        return render(request, "surveys/problem.html", {"message": REFUSED}, status=403)
    machinery = probes.report_machinery()
    metrics = report_job_metrics(now=timezone.now())
    if as_json:
        return JsonResponse(metrics_as_json(metrics, machinery))
    context = {
        "machinery": machinery,
        "metrics": metrics,
        "statuses": ReportStatus.choices,
        "formats": ReportFormat.choices,
        "scopes": ReportScope.choices,
    }
    return render(request, "reports/metrics/report_jobs.html", context)

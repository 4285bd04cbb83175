"""Asking for a report: the job row, its checks, and handing its task to the broker.

The job row is the truth about a job. `report_job_request` creates it and
queues the Celery task once the row is committed; the task builds it
(reports/services/build.py), and the periodic tasks sweep and expire jobs
(reports/services/upkeep.py). The row records the language the report is asked
in (the requester's page's); the task builds in it, so a French request gives
a French file and an English one an English file, each a file of its own.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brands.models import ProductLine, ProjectKind, User
from brands.selectors import brands_for_user, get_brand_for_user, get_project_for_user
from config.locale import language_of, supported
from reports import builders
from reports.dashboards.filters import DashboardFilters
from reports.models import FINISHED, ReportFormat, ReportJob, ReportScope, ReportStatus
from reports.services.access import may_see_group
from reports.words import choice_label
from surveys.models import QuestionSetVersion

log = logging.getLogger(__name__)

# How many of one person's reports may wait or be built at the same time.
MAX_OPEN_JOBS = 5

UNAVAILABLE = gettext_lazy(
    "Report building is unavailable right now (the report service cannot be reached). "
    "Nothing else is affected; please ask for the report again in a few minutes."
)


class ReportRefused(Exception):
    """A request for a report that cannot be granted, with a message for the person asking."""

    status = 400

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class _Target:
    brand: object = None
    project: object = None


def _target(*, user: User, scope: str, code: object) -> _Target:
    """The brand or project the report is about, fetched through the access helpers (404)."""
    if scope == ReportScope.GROUP:
        if not may_see_group(user):
            raise ReportRefused(
                _(
                    "Group reports are for the central MLOps team and managers; "
                    "ask for your brand's report on your brand's page."
                ),
                status=403,
            )
        return _Target()
    if not code:
        if scope == ReportScope.BRAND:
            raise ReportRefused(_("A brand report needs the code of its brand."))
        raise ReportRefused(_("A project report needs the code of its project."))
    if scope == ReportScope.BRAND:
        return _Target(brand=get_brand_for_user(user, code))
    project = get_project_for_user(user, code)
    return _Target(brand=project.brand, project=project)


def _filename(job: ReportJob, filters: DashboardFilters, user: User) -> str:
    """The name the download is saved under: scope, filters and the day it was asked for,
    e.g. yardstick-group-2025-Q3-batch-high-criticality-2-brands-2025-10-02.pdf; a report in
    another language than English ends with its code (...-2025-10-02-fr.pdf)."""
    parts = ["yardstick"]
    if job.scope == ReportScope.GROUP:
        parts.append("group")
    else:
        parts.append(slugify(job.brand.name) or "brand")
    if job.scope == ReportScope.PROJECT:
        parts.append(slugify(job.project.name) or "project")
    else:
        parts.append(filters.quarter.code)
        parts += _filter_words(filters, user, group=job.scope == ReportScope.GROUP)
    parts.append(timezone.localdate().isoformat())
    stem = "-".join(part for part in parts if part)
    extension = builders.FORMATS[job.format][1]
    language = "" if job.report_language == "en" else f"-{job.report_language}"
    room = 190 - len(extension) - len(language)
    return f"{stem[:room].rstrip('-')}{language}.{extension}"


def _filter_words(filters: DashboardFilters, user: User, *, group: bool) -> list[str]:
    """The filters as short slugs for a file name; many chosen names become a count."""

    def named(names: list[str], what: str) -> str:
        if len(names) <= 2:
            return "-".join(slugify(name) for name in names)
        return f"{len(names)}-{what}s"

    words = [slugify(choice_label(ProjectKind, kind)) for kind in filters.kinds]
    words += [f"{slugify(c)}-criticality" for c in filters.criticalities]
    if filters.product_lines:
        lines = ProductLine.objects.filter(code__in=filters.product_lines).order_by("name")
        words.append(named([line.name for line in lines], "product-line"))
    if group and filters.brands:
        brands = brands_for_user(user).filter(code__in=filters.brands).order_by("name")
        words.append(named([brand.name for brand in brands], "brand"))
    if filters.version:
        version = QuestionSetVersion.objects.filter(code=filters.version).first()
        if version is not None:
            words.append(f"v{version.number}")
    if filters.include_submitted:
        words.append("with-self-fills")
    return words


def report_job_request(
    *,
    user: User,
    scope: str,
    fmt: str,
    code: object = None,
    query: str = "",
    language: str | None = None,
) -> ReportJob:
    """Create a job for `user`'s report of `scope` and queue its task once it is committed.

    `language` is the one the report is asked in (a view passes request.LANGUAGE_CODE);
    without it, the user's own (their profile's, else English). Raises ReportRefused for a
    request that cannot be granted and Http404 for a brand or project the user may not
    see. When the broker cannot be reached, the job is returned failed with UNAVAILABLE as
    its message.
    """
    language = supported(language) or supported(language_of(user)) or "en"
    if scope not in ReportScope.values:
        raise ReportRefused(
            _("%(scope)s is not a kind of report; choose group, brand or project.")
            % {"scope": repr(scope)}
        )
    if fmt not in ReportFormat.values:
        raise ReportRefused(
            _("%(format)s is not a report format; choose PDF or Excel.") % {"format": repr(fmt)}
        )
    target = _target(user=user, scope=scope, code=code)
    filters = DashboardFilters.parse(QueryDict(query or ""), today=timezone.localdate())
    open_jobs = ReportJob.objects.filter(requested_by=user).exclude(status__in=FINISHED)
    if open_jobs.count() >= MAX_OPEN_JOBS:
        raise ReportRefused(
            _(
                "You already have %(count)s reports waiting or being built; "
                "ask for more once they are done (see My reports)."
            )
            % {"count": MAX_OPEN_JOBS},
            # 409, not 429: the dashboards' HTMX swaps 400 and 409 answers into the page.
            status=409,
        )
    with transaction.atomic():
        job = ReportJob(
            requested_by=user,
            scope=scope,
            brand=target.brand,
            project=target.project,
            filters=filters.to_query(),
            format=fmt,
            language=language,
        )
        job.filename = _filename(job, filters, user)
        job.save()
        transaction.on_commit(lambda: report_job_enqueue(job_id=job.id))
    job.refresh_from_db()
    return job


def report_job_retry(*, user: User, job: ReportJob, language: str | None = None) -> ReportJob:
    """Ask again for a failed or expired report: a new job with the same scope and filters,
    in `language` (the page's the person asks again from), else in the failed job's.

    The failed job stays in the list with its message; access is checked anew.
    """
    if job.status not in (ReportStatus.FAILED, ReportStatus.EXPIRED):
        raise ReportRefused(
            _("Only a failed or expired report can be asked for again."), status=409
        )
    code = job.project.code if job.project_id else (job.brand.code if job.brand_id else None)
    return report_job_request(
        user=user,
        scope=job.scope,
        fmt=job.format,
        code=code,
        query=job.filters,
        language=language or job.report_language,
    )


def report_job_enqueue(*, job_id: int) -> None:
    """Hand the job to the broker; if it cannot be reached, fail the job with UNAVAILABLE.

    Runs after the commit (a worker must find the row). Publishing is tried once
    more at most, with the short connection timeouts of the Celery settings, so
    that a request never waits long for a broker that is down.
    """
    from reports.tasks import build_report

    try:
        build_report.apply_async(
            args=[job_id],
            retry=True,
            retry_policy={
                "max_retries": 1,
                "interval_start": 0,
                "interval_step": 0.2,
                "interval_max": 0.2,
            },
        )
    except Exception:
        log.exception("report job %s: could not queue its task", job_id)
        jobs = ReportJob.objects.filter(id=job_id, status=ReportStatus.QUEUED)
        # The message is the requester's to read: in the job's language.
        language = jobs.values_list("language", flat=True).first()
        with translation.override(supported(language) or "en"):
            jobs.update(
                status=ReportStatus.FAILED, error=str(UNAVAILABLE), finished_at=timezone.now()
            )

"""Report jobs: asking for a report, building it, and the periodic sweep and expiry.

The job row is the truth. `report_job_request` creates it and queues the
Celery task once the row is committed; the task (reports/tasks.py) calls
`report_job_build`, which claims the row with a conditional UPDATE so that a
job is never built twice at once, even when the broker delivers its message
again after a worker died. Every later write is conditional on the claim
(status "building" and the attempt number), so a worker that lost its job to
the sweep or to a newer attempt stops instead of overwriting the outcome.
"""

import datetime
import logging
import tempfile
import time
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import slugify

from brands.models import User
from brands.selectors import get_brand_for_user, get_project_for_user
from reports import builders
from reports.dashboards.filters import DashboardFilters
from reports.models import FINISHED, ReportFormat, ReportJob, ReportScope, ReportStatus
from reports.models import report_storage as storage
from reports.services.access import may_see_group, may_see_scope

log = logging.getLogger(__name__)

# How many of one person's reports may wait or be built at the same time.
MAX_OPEN_JOBS = 5
# Progress is written when it moved this many points, or after this many seconds.
PROGRESS_STEP = 5
PROGRESS_INTERVAL = 1.0

UNAVAILABLE = (
    "Report building is unavailable right now (the report service cannot be reached). "
    "Nothing else is affected; please ask for the report again in a few minutes."
)
INTERNAL = (
    "The report could not be built because of an error on our side. It has been logged; "
    "ask for it again, and if it fails again, tell the MLOps team."
)
STORAGE = (
    "The report was built but could not be saved to the report storage. "
    "Ask for it again in a few minutes; if it fails again, tell the MLOps team."
)
DATABASE = (
    "The report could not be built because the database did not answer in time. "
    "Ask for it again in a few minutes."
)
# Failures that may pass on their own: the task retries them with a backoff.
TRANSIENT = (DatabaseError, OSError)


class ReportRefused(Exception):
    """A request for a report that cannot be granted, with a message for the person asking."""

    status = 400

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class _JobLost(Exception):
    """The job is no longer this attempt's to build (swept, or claimed by a newer attempt)."""


@dataclass(frozen=True)
class _Target:
    brand: object = None
    project: object = None


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _target(*, user: User, scope: str, code: object) -> _Target:
    """The brand or project the report is about, fetched through the access helpers (404)."""
    if scope == ReportScope.GROUP:
        if not may_see_group(user):
            raise ReportRefused(
                "Group reports are for the central MLOps team and managers; "
                "ask for your brand's report on your brand's page.",
                status=403,
            )
        return _Target()
    if not code:
        raise ReportRefused(f"A {scope} report needs the code of its {scope}.")
    if scope == ReportScope.BRAND:
        return _Target(brand=get_brand_for_user(user, code))
    project = get_project_for_user(user, code)
    return _Target(brand=project.brand, project=project)


def _filename(job: ReportJob, filters: DashboardFilters) -> str:
    """The name the download is saved under, e.g. yardstick-acme-groceries-2025-Q3.pdf."""
    parts = ["yardstick"]
    if job.scope == ReportScope.GROUP:
        parts.append("group")
    else:
        parts.append(slugify(job.brand.name) or "brand")
    if job.scope == ReportScope.PROJECT:
        parts.append(slugify(job.project.name) or "project")
    parts.append(filters.quarter.code)
    return f"{'-'.join(parts)}.{builders.FORMATS[job.format][1]}"


def report_job_request(
    *, user: User, scope: str, fmt: str, code: object = None, query: str = ""
) -> ReportJob:
    """Create a job for `user`'s report of `scope` and queue its task once it is committed.

    Raises ReportRefused for a request that cannot be granted and Http404 for a
    brand or project the user may not see. When the broker cannot be reached,
    the job is returned failed with UNAVAILABLE as its message.
    """
    if scope not in ReportScope.values:
        raise ReportRefused(f"{scope!r} is not a kind of report; choose group, brand or project.")
    if fmt not in ReportFormat.values:
        raise ReportRefused(f"{fmt!r} is not a report format; choose PDF or Excel.")
    target = _target(user=user, scope=scope, code=code)
    filters = DashboardFilters.parse(QueryDict(query or ""), today=timezone.localdate())
    open_jobs = ReportJob.objects.filter(requested_by=user).exclude(status__in=FINISHED)
    if open_jobs.count() >= MAX_OPEN_JOBS:
        raise ReportRefused(
            f"You already have {MAX_OPEN_JOBS} reports waiting or being built; "
            "ask for more once they are done (see My reports).",
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
        )
        job.filename = _filename(job, filters)
        job.save()
        transaction.on_commit(lambda: report_job_enqueue(job_id=job.id))
    job.refresh_from_db()
    return job


def report_job_retry(*, user: User, job: ReportJob) -> ReportJob:
    """Ask again for a failed or expired report: a new job with the same scope and filters.

    The failed job stays in the list with its message; access is checked anew.
    """
    if job.status not in (ReportStatus.FAILED, ReportStatus.EXPIRED):
        raise ReportRefused("Only a failed or expired report can be asked for again.", status=409)
    code = job.project.code if job.project_id else (job.brand.code if job.brand_id else None)
    return report_job_request(
        user=user, scope=job.scope, fmt=job.format, code=code, query=job.filters
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
        ReportJob.objects.filter(id=job_id, status=ReportStatus.QUEUED).update(
            status=ReportStatus.FAILED, error=UNAVAILABLE, finished_at=timezone.now()
        )


def report_scope(job: ReportJob) -> builders.Scope:
    """The builders' Scope of a job, with its requester's current rights (ReportRefused if lost)."""
    user = job.requested_by
    if not may_see_scope(user, job):
        raise ReportRefused(
            f"You can no longer see {job.subject}, so its report was not built.", status=404
        )
    filters = DashboardFilters.parse(QueryDict(job.filters), today=timezone.localdate())
    return builders.Scope(
        kind=job.scope, user=user, filters=filters, brand=job.brand, project=job.project
    )


class _Progress:
    """The builders' progress callback: writes the percentage now and then, not on every call.

    Each write is conditional on the claim, so a build whose job was taken away
    (swept, or reclaimed after this worker was thought dead) stops at its next
    progress report.
    """

    def __init__(self, job: ReportJob):
        self.job_id = job.id
        self.attempt = job.attempts
        self.percent = 0
        self.written_at = time.monotonic()

    def __call__(self, percent: int) -> None:
        percent = max(0, min(99, int(percent)))
        if percent <= self.percent:
            return
        now = time.monotonic()
        if percent - self.percent < PROGRESS_STEP and now - self.written_at < PROGRESS_INTERVAL:
            return
        if not _mine(self.job_id, self.attempt).update(progress=percent):
            raise _JobLost()
        self.percent, self.written_at = percent, now


def _mine(job_id: int, attempt: int):
    return ReportJob.objects.filter(id=job_id, status=ReportStatus.BUILDING, attempts=attempt)


def _claim(job_id: int) -> ReportJob | None:
    """Take the job for this attempt, or None when it is not this task's to build.

    A job is claimable while queued, or while "building" with a start older than
    the hard time limit: that attempt's worker was killed (the broker delivers
    the message again because tasks are acknowledged late). After
    REPORT_MAX_ATTEMPTS starts the job is failed instead of started again.
    """
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.REPORT_TIME_LIMIT)
    claimable = Q(status=ReportStatus.QUEUED) | Q(
        status=ReportStatus.BUILDING, started_at__lt=stale
    )
    jobs = ReportJob.objects.filter(claimable, id=job_id)
    claimed = jobs.filter(attempts__lt=settings.REPORT_MAX_ATTEMPTS).update(
        status=ReportStatus.BUILDING,
        started_at=now,
        progress=0,
        error="",
        attempts=F("attempts") + 1,
    )
    if not claimed:
        jobs.filter(attempts__gte=settings.REPORT_MAX_ATTEMPTS).update(
            status=ReportStatus.FAILED,
            finished_at=now,
            error=(
                f"The report was started {settings.REPORT_MAX_ATTEMPTS} times and never "
                "finished. Ask for it again; if it fails again, tell the MLOps team."
            ),
        )
        return None
    return ReportJob.objects.select_related("requested_by", "brand", "project").get(id=job_id)


def _fail(job: ReportJob, message: str) -> None:
    _mine(job.id, job.attempts).update(
        status=ReportStatus.FAILED, error=message, finished_at=timezone.now()
    )


def _storage_name(job: ReportJob) -> str:
    return f"{job.created_at:%Y/%m}/{job.code}.{builders.FORMATS[job.format][1]}"


def report_job_build(*, job_id: int, may_retry: bool = False) -> ReportStatus | None:
    """Build the job's file, store it and record the outcome; the Celery task's body.

    A transient failure (database or storage) puts the job back in the queue and
    is raised again so that the task retries it with a backoff, while
    `may_retry`; after that it fails the job. Any other exception fails the job
    with a message for the requester and is logged with its traceback. Returns
    the status recorded, or None when the job was not this call's to build.
    """
    job = _claim(job_id)
    if job is None:
        log.info("report job %s: not claimable (finished, or being built elsewhere)", job_id)
        return None
    try:
        scope = report_scope(job)
        with tempfile.TemporaryFile() as out:
            builders.build(job.format, scope, out, _Progress(job))
            size = out.seek(0, 2)
            out.seek(0)
            name = storage.save(_storage_name(job), File(out, name=job.filename))
    except _JobLost:
        log.warning("report job %s: taken away during attempt %s; stopped", job.id, job.attempts)
        return None
    except ReportRefused as exc:
        _fail(job, exc.message)
        return ReportStatus.FAILED
    except SoftTimeLimitExceeded:
        log.warning("report job %s: stopped at the soft time limit", job.id)
        _fail(
            job,
            f"The report took longer than {_minutes(settings.REPORT_SOFT_TIME_LIMIT)} to build "
            "and was stopped. Narrow the filters, or ask again later when it is quieter.",
        )
        return ReportStatus.FAILED
    except TRANSIENT as exc:
        if may_retry:
            log.warning("report job %s: transient failure, will retry: %r", job.id, exc)
            _mine(job.id, job.attempts).update(status=ReportStatus.QUEUED)
            raise
        log.exception("report job %s: failed for good", job.id)
        _fail(job, DATABASE if isinstance(exc, DatabaseError) else STORAGE)
        return ReportStatus.FAILED
    except Exception:
        log.exception("report job %s: the builder failed", job.id)
        _fail(job, INTERNAL)
        return ReportStatus.FAILED

    now = timezone.now()
    done = _mine(job.id, job.attempts).update(
        status=ReportStatus.READY,
        progress=100,
        file=name,
        size=size,
        finished_at=now,
        expires_at=now + datetime.timedelta(days=settings.REPORT_RETENTION_DAYS),
    )
    if not done:
        log.warning("report job %s: taken away before it was recorded; file removed", job.id)
        storage.delete(name)
        return None
    log.info("report job %s: ready (%s bytes, attempt %s)", job.id, size, job.attempts)
    return ReportStatus.READY


def report_jobs_sweep(*, now: datetime.datetime | None = None) -> int:
    """Fail the jobs stuck beyond their limits; returns how many. Run by Celery beat.

    A job "building" for longer than the hard time limit lost its worker (a
    worker that is alive would have stopped it at the limit). A job still
    queued after REPORT_QUEUED_LIMIT was never taken by a worker.
    """
    now = now or timezone.now()
    building = ReportJob.objects.filter(
        status=ReportStatus.BUILDING,
        started_at__lt=now - datetime.timedelta(seconds=settings.REPORT_TIME_LIMIT),
    ).update(
        status=ReportStatus.FAILED,
        finished_at=now,
        error=(
            f"The report was still being built after {_minutes(settings.REPORT_TIME_LIMIT)}: "
            "the worker building it stopped. Ask for it again; if it fails again, "
            "tell the MLOps team."
        ),
    )
    queued = ReportJob.objects.filter(
        status=ReportStatus.QUEUED,
        created_at__lt=now - datetime.timedelta(seconds=settings.REPORT_QUEUED_LIMIT),
    ).update(
        status=ReportStatus.FAILED,
        finished_at=now,
        error=(
            f"No report worker took this request within {_minutes(settings.REPORT_QUEUED_LIMIT)}; "
            "report building may be down. Ask for it again later."
        ),
    )
    if building or queued:
        log.warning("report sweep: %s stuck building, %s stuck queued", building, queued)
    return building + queued


def report_files_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of reports older than REPORT_RETENTION_DAYS and mark them expired.

    Returns how many. A file that cannot be deleted now stays ready and is tried
    again on the next run.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.REPORT_RETENTION_DAYS)
    due = ReportJob.objects.filter(status=ReportStatus.READY).filter(
        Q(expires_at__lte=now) | Q(finished_at__lt=cutoff)
    )
    expired = 0
    for job in due.only("id", "file").iterator():
        try:
            if job.file:
                storage.delete(job.file.name)
        except OSError:
            log.exception("report job %s: could not delete its file %s", job.id, job.file.name)
            continue
        expired += ReportJob.objects.filter(id=job.id, status=ReportStatus.READY).update(
            status=ReportStatus.EXPIRED, file="", expires_at=now
        )
    return expired

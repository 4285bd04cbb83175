"""Building a report job: the Celery task's body.

The task claims the row with a conditional UPDATE so that a job is never
built twice at once, even when the broker delivers its message again after a
worker died. Every later write is conditional on the claim (status "building"
and the attempt number), so a worker that lost its job to the sweep or to a
newer attempt stops instead of overwriting the outcome.

A worker has no request: the job's row says the language the report was asked
in, and the whole build runs in it (`translation.override`), the messages of a
failure included.
"""

import datetime
import logging
import tempfile
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from brands.models import WebhookEvent
from brands.webhooks import webhooks_fire
from config.locale import supported
from reports import builders
from reports.dashboards.filters import DashboardFilters
from reports.models import ReportJob, ReportScope, ReportStatus
from reports.models import report_storage as storage
from reports.services.access import may_see_scope
from reports.services.jobs import ReportRefused

log = logging.getLogger(__name__)

# Progress is written when it moved this many points, or after this many seconds.
PROGRESS_STEP = 5
PROGRESS_INTERVAL = 1.0

# Messages for the requester, stored with the job in the language it is built in.
INTERNAL = gettext_lazy(
    "The report could not be built because of an error on our side. It has been logged; "
    "ask for it again, and if it fails again, tell the MLOps team."
)
STORAGE = gettext_lazy(
    "The report was built but could not be saved to the report storage. "
    "Ask for it again in a few minutes; if it fails again, tell the MLOps team."
)
DATABASE = gettext_lazy(
    "The report could not be built because the database did not answer in time. "
    "Ask for it again in a few minutes."
)
# Failures that may pass on their own: the task retries them with a backoff.
TRANSIENT = (DatabaseError, OSError)


class _JobLost(Exception):
    """The job is no longer this attempt's to build (swept, or claimed by a newer attempt)."""


def in_minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}


def report_scope(job: ReportJob) -> builders.Scope:
    """The builders' Scope of a job, with its requester's current rights (ReportRefused if lost)."""
    user = job.requested_by
    if not may_see_scope(user, job):
        if job.scope == ReportScope.PROJECT:
            message = _("You can no longer see project %(name)s, so its report was not built.")
        elif job.scope == ReportScope.BRAND:
            message = _("You can no longer see brand %(name)s, so its report was not built.")
        else:
            message = _("You can no longer see the group, so its report was not built.")
        name = job.project.name if job.project_id else job.brand.name if job.brand_id else ""
        raise ReportRefused(message % {"name": name}, status=404)
    # The figures are those of the day the report was asked for, even when a worker builds it
    # after midnight or retries it the next day.
    asked_on = timezone.localdate(job.created_at)
    filters = DashboardFilters.parse(QueryDict(job.filters), today=asked_on)
    return builders.Scope(
        kind=job.scope,
        user=user,
        filters=filters,
        brand=job.brand,
        project=job.project,
        today=asked_on,
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


def _claim(job_id: int, *, redelivered: bool = False) -> ReportJob | None:
    """Take the job for this attempt, or None when it is not this task's to build.

    A job is claimable while queued. A job still "building" is claimable when the
    attempt building it is known to be dead: its message came back from the
    broker (`redelivered`: tasks are acknowledged late, so a killed worker's
    message is handed out again), or its start is older than the hard time
    limit. After REPORT_MAX_ATTEMPTS starts the job is failed instead.
    """
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.REPORT_TIME_LIMIT)
    if redelivered:
        dead = Q(status=ReportStatus.BUILDING)
    else:
        dead = Q(status=ReportStatus.BUILDING, started_at__lt=stale)
    claimable = Q(status=ReportStatus.QUEUED) | dead
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
            error=_(
                "The report was started %(count)s times and never finished. Ask for it "
                "again; if it fails again, tell the MLOps team."
            )
            % {"count": settings.REPORT_MAX_ATTEMPTS},
        )
        return None
    return ReportJob.objects.select_related("requested_by", "brand", "project").get(id=job_id)


def _fail(job: ReportJob, message: str) -> None:
    _mine(job.id, job.attempts).update(
        status=ReportStatus.FAILED, error=str(message), finished_at=timezone.now()
    )


def _storage_name(job: ReportJob) -> str:
    return f"{job.created_at:%Y/%m}/{job.code}.{builders.FORMATS[job.format][1]}"


def job_language(job_id: int) -> str:
    """The language job `job_id` is built in: the one it was asked in, English for a job
    from before reports had languages (or one that is gone)."""
    language = ReportJob.objects.filter(id=job_id).values_list("language", flat=True).first()
    return supported(language) or "en"


def report_job_build(
    *, job_id: int, may_retry: bool = False, redelivered: bool = False
) -> ReportStatus | None:
    """Build the job's file, store it and record the outcome; the Celery task's body.

    Everything runs in the job's language: the report's words, dates and numbers, and the
    message of a failure. A transient failure (database or storage) puts the job back in
    the queue and is raised again so that the task retries it with a backoff, while
    `may_retry`; after that it fails the job. Any other exception fails the job
    with a message for the requester and is logged with its traceback. Returns
    the status recorded, or None when the job was not this call's to build.
    `redelivered` says that the broker handed out this task's message before and
    the worker that had it stopped without finishing it.
    """
    with translation.override(job_language(job_id)):
        return _build(job_id, may_retry=may_retry, redelivered=redelivered)


def _build(job_id: int, *, may_retry: bool, redelivered: bool) -> ReportStatus | None:
    job = _claim(job_id, redelivered=redelivered)
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
            _(
                "The report took longer than %(duration)s to build and was stopped. Narrow "
                "the filters, or ask again later when it is quieter."
            )
            % {"duration": in_minutes(settings.REPORT_SOFT_TIME_LIMIT)},
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
    _announce_ready(job.id)
    return ReportStatus.READY


def _announce_ready(job_id: int) -> None:
    """Fire "report.ready" to the brand's webhooks (brand and project reports; a group report
    belongs to no brand). The report is ready whatever happens here."""
    job = ReportJob.objects.select_related("brand", "project").filter(id=job_id).first()
    if job is None or job.brand_id is None:
        return
    path = reverse("report_detail", kwargs={"code": job.code})
    data = {
        "report": {
            "code": str(job.code),
            "scope": job.scope,
            "format": job.format,
            "filename": job.filename,
            "size": job.size,
            "expires_at": job.expires_at.isoformat() if job.expires_at else None,
            "url": f"{settings.SITE_URL}{path}",
        },
        "project": (
            {"code": str(job.project.code), "name": job.project.name} if job.project_id else None
        ),
    }
    try:
        with transaction.atomic():
            webhooks_fire(brand_id=job.brand_id, event=WebhookEvent.REPORT_READY, data=data)
    except Exception:
        log.exception("report job %s: its report.ready webhooks could not be recorded", job_id)

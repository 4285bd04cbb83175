"""Upkeep of report jobs, run by Celery beat: the sweep of stuck jobs and the expiry of files."""

import datetime
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.locale import supported
from reports.models import ReportJob, ReportStatus
from reports.models import report_storage as storage
from reports.services.build import in_minutes

log = logging.getLogger(__name__)


def _building_message() -> str:
    return _(
        "The report was still being built after %(duration)s: the worker building it "
        "stopped. Ask for it again; if it fails again, tell the MLOps team."
    ) % {"duration": in_minutes(settings.REPORT_TIME_LIMIT)}


def _queued_message() -> str:
    return _(
        "No report worker took this request within %(duration)s; report building may be "
        "down. Ask for it again later."
    ) % {"duration": in_minutes(settings.REPORT_QUEUED_LIMIT)}


def _fail_each_language(jobs, message, now: datetime.datetime) -> int:
    """Fail `jobs` with `message()`, written in each job's language (the requester reads it)."""
    failed = 0
    for language in sorted(set(jobs.values_list("language", flat=True))):
        with translation.override(supported(language) or "en"):
            failed += jobs.filter(language=language).update(
                status=ReportStatus.FAILED, finished_at=now, error=message()
            )
    return failed


def report_jobs_sweep(*, now: datetime.datetime | None = None) -> int:
    """Fail the jobs stuck beyond their limits; returns how many. Run by Celery beat.

    A job "building" for longer than the hard time limit lost its worker (a
    worker that is alive would have stopped it at the limit). A job still
    queued after REPORT_QUEUED_LIMIT was never taken by a worker. Each job's
    message is in the language it was asked in.
    """
    now = now or timezone.now()
    building = _fail_each_language(
        ReportJob.objects.filter(
            status=ReportStatus.BUILDING,
            started_at__lt=now - datetime.timedelta(seconds=settings.REPORT_TIME_LIMIT),
        ),
        _building_message,
        now,
    )
    queued = _fail_each_language(
        ReportJob.objects.filter(
            status=ReportStatus.QUEUED,
            created_at__lt=now - datetime.timedelta(seconds=settings.REPORT_QUEUED_LIMIT),
        ),
        _queued_message,
        now,
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

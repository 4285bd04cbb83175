"""Celery tasks of reports. Each takes ids only and calls a service (reports/services)."""

from celery import shared_task
from django.conf import settings

from reports import services
from reports.services import TRANSIENT


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_TIME_LIMIT,
    autoretry_for=TRANSIENT,
    max_retries=settings.REPORT_MAX_ATTEMPTS - 1,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
)
def build_report(self, job_id: int) -> str | None:
    """Build one report job. Transient failures come back here as retries with a backoff."""
    # Redis marks a message it hands out again after its consumer vanished: with late
    # acknowledgement, the attempt that had it is dead. (A live task never reaches the
    # broker's visibility timeout, one hour, because the hard time limit is far below it.)
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    return services.report_job_build(
        job_id=job_id, may_retry=self.request.retries < self.max_retries, redelivered=redelivered
    )


@shared_task
def sweep_report_jobs() -> int:
    """Fail the jobs stuck beyond their time limits (Celery beat, every minute)."""
    return services.report_jobs_sweep()


@shared_task
def expire_report_files() -> int:
    """Delete report files older than REPORT_RETENTION_DAYS (Celery beat, hourly)."""
    return services.report_files_expire()

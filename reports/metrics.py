"""Report-job metrics for group admins: how the report machinery has been doing.

Read from the ReportJob rows (the truth about every job) in a fixed number of
queries whatever the number of jobs: one aggregate for the counts, one list of
timestamps for the durations, the latest failures and the jobs being built.
Windows are by the time a job was asked for (created_at). Percentiles are
computed in Python over the durations of the widest window only, which the
window bounds, so the same code answers on SQLite and PostgreSQL.
"""

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q

from reports.models import ReportFormat, ReportJob, ReportScope, ReportStatus

WINDOWS = (("24h", datetime.timedelta(hours=24)), ("7d", datetime.timedelta(days=7)))
RECENT_FAILURES = 20
# Jobs being built are bounded by the workers' concurrency; this only guards the page.
BUILDING_SHOWN = 100


def percentile(values: list[float], fraction: float) -> float | None:
    """The `fraction` quantile by linear interpolation (as PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Durations:
    """Seconds: build time (started to finished) and waiting time (asked for to started)."""

    builds: int
    build_p50: float | None
    build_p95: float | None
    build_max: float | None
    waits: int
    wait_p50: float | None
    wait_p95: float | None

    @classmethod
    def of(cls, builds: list[float], waits: list[float]) -> "Durations":
        return cls(
            builds=len(builds),
            build_p50=percentile(builds, 0.5),
            build_p95=percentile(builds, 0.95),
            build_max=max(builds) if builds else None,
            waits=len(waits),
            wait_p50=percentile(waits, 0.5),
            wait_p95=percentile(waits, 0.95),
        )


@dataclass(frozen=True)
class Window:
    key: str
    since: datetime.datetime
    total: int
    by_status: dict[str, int]
    by_format: dict[str, int]
    by_scope: dict[str, int]
    retried: int
    durations: Durations


@dataclass(frozen=True)
class BuildingJob:
    job: ReportJob
    age: float  # seconds since the job was claimed by a worker
    stuck: bool


@dataclass(frozen=True)
class ReportJobMetrics:
    now: datetime.datetime
    time_limit: int
    windows: list[Window]
    failures: list[ReportJob]
    building: list[BuildingJob]


def _counts(since: dict[str, datetime.datetime]) -> dict[str, int]:
    """Every count of every window in one aggregate query."""
    columns = {}
    for key, start in since.items():
        recent = Q(created_at__gte=start)
        columns[f"{key}__total"] = Count("id", filter=recent)
        columns[f"{key}__retried"] = Count("id", filter=recent & Q(attempts__gt=1))
        for field, choices in (
            ("status", ReportStatus),
            ("format", ReportFormat),
            ("scope", ReportScope),
        ):
            for value in choices.values:
                columns[f"{key}__{field}__{value}"] = Count(
                    "id", filter=recent & Q(**{field: value})
                )
    widest = min(since.values())
    return ReportJob.objects.filter(created_at__gte=widest).aggregate(**columns)


def _seconds(delta: datetime.timedelta) -> float:
    return delta.total_seconds()


def report_job_metrics(*, now: datetime.datetime) -> ReportJobMetrics:
    """The figures of the report-jobs page as of `now`, in four queries."""
    since = {key: now - span for key, span in WINDOWS}
    counts = _counts(since)
    # Only the widest window's timestamps are read; narrower windows are subsets of it.
    stamps = list(
        ReportJob.objects.filter(created_at__gte=min(since.values()), started_at__isnull=False)
        .order_by()
        .values_list("created_at", "started_at", "finished_at")
    )
    windows = []
    for key, start in since.items():
        builds, waits = [], []
        for created, started, finished in stamps:
            if created < start:
                continue
            waits.append(_seconds(started - created))
            if finished is not None and finished >= started:
                builds.append(_seconds(finished - started))
        windows.append(
            Window(
                key=key,
                since=start,
                total=counts[f"{key}__total"],
                by_status={v: counts[f"{key}__status__{v}"] for v in ReportStatus.values},
                by_format={v: counts[f"{key}__format__{v}"] for v in ReportFormat.values},
                by_scope={v: counts[f"{key}__scope__{v}"] for v in ReportScope.values},
                retried=counts[f"{key}__retried"],
                durations=Durations.of(builds, waits),
            )
        )
    failures = list(
        ReportJob.objects.filter(status=ReportStatus.FAILED)
        .select_related("requested_by", "brand", "project")
        .order_by(F("finished_at").desc(nulls_last=True), "-id")[:RECENT_FAILURES]
    )
    limit = settings.REPORT_TIME_LIMIT
    building = []
    for job in (
        ReportJob.objects.filter(status=ReportStatus.BUILDING)
        .select_related("requested_by", "brand", "project")
        .order_by(F("started_at").asc(nulls_first=True), "id")[:BUILDING_SHOWN]
    ):
        age = _seconds(now - job.started_at) if job.started_at else 0.0
        building.append(BuildingJob(job=job, age=age, stuck=age > limit))
    return ReportJobMetrics(
        now=now, time_limit=limit, windows=windows, failures=failures, building=building
    )


def metrics_as_json(metrics: ReportJobMetrics, machinery: dict) -> dict:
    """The figures for monitoring: plain numbers and strings, durations in seconds."""

    def job_summary(job: ReportJob) -> dict:
        return {
            "code": str(job.code),
            "format": job.format,
            "scope": job.scope,
            "language": job.report_language,
            "subject": job.subject,
            "requested_by": job.requested_by.get_username(),
            "attempts": job.attempts,
            "created_at": job.created_at.isoformat(),
            "started_at": job.started_at.isoformat() if job.started_at else None,
            "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        }

    return {
        "now": metrics.now.isoformat(),
        "machinery": machinery,
        "time_limit_seconds": metrics.time_limit,
        "windows": {
            window.key: {
                "since": window.since.isoformat(),
                "total": window.total,
                "by_status": window.by_status,
                "by_format": window.by_format,
                "by_scope": window.by_scope,
                "retried": window.retried,
                "build_seconds": {
                    "count": window.durations.builds,
                    "p50": window.durations.build_p50,
                    "p95": window.durations.build_p95,
                    "max": window.durations.build_max,
                },
                "wait_seconds": {
                    "count": window.durations.waits,
                    "p50": window.durations.wait_p50,
                    "p95": window.durations.wait_p95,
                },
            }
            for window in metrics.windows
        },
        "recent_failures": [{**job_summary(job), "error": job.error} for job in metrics.failures],
        "building": [
            {
                **job_summary(row.job),
                "progress": row.job.progress,
                "age_seconds": row.age,
                "stuck": row.stuck,
            }
            for row in metrics.building
        ],
    }

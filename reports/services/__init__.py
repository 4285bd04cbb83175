"""Writes for reports, one module per domain; the public names are re-exported here.

jobs.py asks for a report and queues its task, build.py is the task's body,
upkeep.py the periodic sweep and expiry; access.py says who may see a job.
"""

from reports.services.access import get_report_job_for_user, report_jobs_for_user
from reports.services.build import (
    DATABASE,
    INTERNAL,
    STORAGE,
    TRANSIENT,
    report_job_build,
    report_scope,
)
from reports.services.jobs import (
    MAX_OPEN_JOBS,
    UNAVAILABLE,
    ReportRefused,
    report_job_enqueue,
    report_job_request,
    report_job_retry,
)
from reports.services.upkeep import report_files_expire, report_jobs_sweep

__all__ = [
    "DATABASE",
    "INTERNAL",
    "MAX_OPEN_JOBS",
    "STORAGE",
    "TRANSIENT",
    "UNAVAILABLE",
    "ReportRefused",
    "get_report_job_for_user",
    "report_files_expire",
    "report_job_build",
    "report_job_enqueue",
    "report_job_request",
    "report_job_retry",
    "report_jobs_for_user",
    "report_jobs_sweep",
    "report_scope",
]

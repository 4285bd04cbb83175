"""Shared by the report job tests: report storage in a temporary folder, eager or real Celery,
and real worker processes (tests/reports/test_worker.py, tests/reports/test_faults.py)."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from config.celery import app as celery_app
from reports.models import FINISHED as FINISHED_STATUSES
from reports.models import ReportJob
from scoring.services import score_store
from surveys.models import AssessmentStatus
from tests import factories

ANSWERS = {"doc-purpose": "yes", "doc-success-metrics": "partly"}


def use_report_folder(settings, folder) -> None:
    """Point STORAGES["reports"] at `folder` (the report storage proxy follows the setting)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }


def stored_files(folder) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@contextlib.contextmanager
def celery_config(**changes):
    """Change the Celery app's configuration for a block; the broker connections are reopened.

    The app reads Django's settings once, so the tests change its own conf; CI sets
    REDIS_URL (real workers), and most tests want the embedded default (eager).
    """
    conf = celery_app.conf
    saved = {name: conf[name] for name in changes}
    conf.update(changes)
    _reset_connections()
    try:
        yield celery_app
    finally:
        conf.update(saved)
        _reset_connections()


def _reset_connections() -> None:
    # Forget the pools (kombu keeps them per broker URL), so the next publish uses the new URL.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def validated_assessment(project, version):
    """A validated, scored assessment, so that reports have figures."""
    assessment = factories.assessment(
        project, version, status=AssessmentStatus.VALIDATED, answers=ANSWERS
    )
    score_store(assessment=assessment)
    return assessment


# --- real worker processes ---------------------------------------------------------------

WAIT_SECONDS = 120  # bounded: a worker that never answers fails the test, it does not hang it


def database_url() -> str:
    """The URL of the test database (test_<name>) for processes of our own; skips on SQLite."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the worker process needs a database it can reach: set DATABASE_URL (CI does)")
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def start_worker(
    *,
    base_dir,
    queue: str,
    broker_url: str,
    folder,
    log: Path,
    env: dict | None = None,
    extra_queues: tuple[str, ...] = (),
) -> subprocess.Popen:
    """`celery -A config worker` on `queue` (and `extra_queues`) of `broker_url`, against the
    test database.

    It runs in a session of its own, so that the whole worker (main process and
    pool) can be signalled at once; `env` adds settings (e.g. short report limits).
    """
    full_env = (
        os.environ
        | {
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker_url,
            "REPORTS_ROOT": str(folder),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONUNBUFFERED": "1",
        }
        | (env or {})
    )
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--queues", ",".join((queue, *extra_queues)), "--hostname", f"{queue}-{time.monotonic_ns()}@%h",
        "--concurrency", "1",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel", "INFO",
    ]  # fmt: skip
    with open(log, "ab") as output:
        return subprocess.Popen(
            command,
            cwd=base_dir,
            env=full_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def forget_queue(queue: str) -> None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
    except Exception:  # the queue may be gone already; it holds nothing of value
        pass


def pool_children(process: subprocess.Popen) -> list[int]:
    """The worker's pool processes (the ones that run the tasks)."""
    path = f"/proc/{process.pid}/task/{process.pid}/children"
    with open(path) as children:
        return [int(pid) for pid in children.read().split()]


@contextlib.contextmanager
def brands_locked():
    """Hold an exclusive lock on the brands table from a connection of our own.

    A build reads its job's brand right after claiming the job, so it waits
    there, "building", for as long as the lock is held.
    """
    db = connection.settings_dict
    other = psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    try:
        other.execute("LOCK TABLE brands_brand IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        other.rollback()
        other.close()


def job_status(job: ReportJob) -> str:
    return ReportJob.objects.values_list("status", flat=True).get(pk=job.pk)


def wait_for(condition, process, what: str, *, seconds: float = WAIT_SECONDS) -> None:
    """Wait (bounded) until `condition()` holds; `process`, when given, must stay alive."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process is None or process.poll() is None, "the worker process stopped"
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"not {what} after {seconds} s")


def wait_for_status(job: ReportJob, process) -> str:
    """Wait (bounded) until the job is finished; returns its status (the job is refreshed)."""
    wait_for(lambda: job_status(job) in FINISHED_STATUSES, process, "finished")
    job.refresh_from_db()
    return job.status

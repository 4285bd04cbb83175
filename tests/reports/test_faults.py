"""Faults with real processes: Redis stopped and started again, a whole worker killed.

Each test runs a redis-server of its own on a free port (the shared one on
6379 is never touched) and real `celery worker` processes against the test
database; the web side is this process, through the test client. TARGETS R3
and R4; the PostgreSQL outage is in test_faults_postgres.py.
"""

import datetime
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid

import pytest
import redis
from django.urls import reverse

from reports.models import ReportJob, ReportStatus
from reports.services import UNAVAILABLE
from reports.tasks import sweep_report_jobs
from tests.reports.jobs_support import (
    brands_locked,
    celery_config,
    forget_queue,
    job_status,
    start_worker,
    stop_worker,
    use_report_folder,
    validated_assessment,
    wait_for,
    wait_for_status,
)

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

HTMX = {"HTTP_HX_REQUEST": "true"}
# Short report limits for the workers of these tests (the settings' minimums), so that the
# sweep may fail a job whose worker died within seconds instead of minutes.
SHORT_LIMITS = {"REPORT_SOFT_TIME_LIMIT": "10", "REPORT_TIME_LIMIT": "15"}


class RedisServer:
    """A redis-server of this test's own, stopped and started again on the same port."""

    def __init__(self, folder):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.folder),
        ]  # fmt: skip
        with open(self.folder / "redis.log", "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        wait_for(lambda: self._answers(client), None, "answering", seconds=20)

    @staticmethod
    def _answers(client) -> bool:
        try:
            return client.ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def workers(settings, tmp_path, own_redis):
    """Start workers on a queue of this test's own Redis; the web side publishes there too."""
    folder = tmp_path / "reports"
    use_report_folder(settings, folder)
    settings.REDIS_URL = own_redis.url  # /readyz asks this broker
    queue = f"yardstick-faults-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    started: list[subprocess.Popen] = []

    def start(env: dict | None = None) -> subprocess.Popen:
        process = start_worker(
            base_dir=settings.BASE_DIR,
            queue=queue,
            broker_url=own_redis.url,
            folder=folder,
            log=log,
            env=env,
        )
        started.append(process)
        return process

    try:
        with celery_config(
            task_always_eager=False,
            broker_url=own_redis.url,
            task_default_queue=queue,
            broker_connection_timeout=1,
            broker_transport_options={"max_retries": 1, "socket_connect_timeout": 1},
        ):
            yield start
            forget_queue(queue)
    finally:
        for process in started:
            stop_worker(process)
        if log.exists():
            print(log.read_text(errors="replace")[-6000:])  # shown when the test fails


def ask(client, brand, fmt: str = "xlsx") -> ReportJob:
    response = client.post(
        reverse("report_list"), {"scope": "brand", "code": brand.code, "format": fmt}, **HTMX
    )
    assert response.status_code == 200, response.content.decode()
    return ReportJob.objects.order_by("-id").first()


def readyz(client) -> dict:
    response = client.get(reverse("readyz"))
    assert response.status_code == 200  # the database decides readiness, not the broker
    return response.json()


def main_pages(brand, project) -> list[str]:
    return [
        reverse("home"),
        reverse("brand_list"),
        reverse("brand_detail", args=[brand.code]),
        reverse("project_detail", args=[project.code]),
        reverse("report_list"),
    ]


def test_with_redis_stopped_pages_work_and_reports_resume_when_it_is_back(
    workers, own_redis, client, lead, group_viewer, brand, project, version
):
    """TARGETS R4 with a real outage: the broker process stops, then starts on the same port."""
    worker = workers()
    validated_assessment(project, version)
    client.force_login(lead)
    before = ask(client, brand)
    assert wait_for_status(before, worker) == ReportStatus.READY, before.error
    assert readyz(client)["broker"] == "ok"

    own_redis.stop()

    for user, extra in (
        (lead, [reverse("report_detail", args=[before.code])]),
        (group_viewer, [reverse("group_dashboard"), reverse("product_line_list")]),
    ):
        client.force_login(user)
        for url in main_pages(brand, project) + extra:
            # followed: the home page sends a brand member on to their brand's page
            assert client.get(url, follow=True).status_code == 200, (user.username, url)
    client.force_login(lead)
    assert client.get(reverse("report_download", args=[before.code])).status_code == 200
    state = readyz(client)
    assert state["broker"] == "unreachable" and state["status"] == "ready"

    response = client.post(
        reverse("report_list"), {"scope": "brand", "code": brand.code, "format": "pdf"}, **HTMX
    )
    assert response.status_code == 200
    assert UNAVAILABLE.split("(")[0].strip() in response.content.decode()
    refused = ReportJob.objects.order_by("-id").first()
    assert refused.status == ReportStatus.FAILED

    own_redis.start()
    # Neither this (web) process nor the worker is restarted: the worker reconnects on its own.
    wait_for(lambda: readyz(client).get("workers") == 1, worker, "worker reconnected")
    response = client.post(reverse("report_retry", args=[refused.code]), **HTMX)
    assert response.status_code == 200
    again = ReportJob.objects.order_by("-id").first()
    assert again != refused
    assert wait_for_status(again, worker) == ReportStatus.READY, again.error
    download = client.get(reverse("report_download", args=[again.code]))
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_whole_worker_killed_mid_report_leaves_a_failed_job_and_asking_again_works(
    workers, client, lead, brand, project, version
):
    """TARGETS R3: SIGKILL to the worker's main process and its pool while it builds.

    Its message stays unacknowledged with the dead worker (Redis would hand it out
    again only after the broker's visibility timeout, an hour), so the sweep ends
    the job once it has been building longer than the hard time limit.
    """
    validated_assessment(project, version)
    client.force_login(lead)
    job = ask(client, brand)  # queued: no worker runs yet
    assert job.status == ReportStatus.QUEUED

    with brands_locked():
        first = workers(SHORT_LIMITS)
        wait_for(lambda: job_status(job) == ReportStatus.BUILDING, first, "claimed")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=20)
    assert job_status(job) == ReportStatus.BUILDING  # as a dead worker leaves it

    second = workers(SHORT_LIMITS)

    def swept() -> bool:
        sweep_report_jobs.delay()  # what Celery beat sends every minute
        time.sleep(1)
        return job_status(job) != ReportStatus.BUILDING

    wait_for(swept, second, "swept")
    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED
    assert "the worker building it stopped" in job.error
    assert job.attempts == 1
    # Failed by the sweep because its hard time limit had passed, not earlier.
    limit = datetime.timedelta(seconds=int(SHORT_LIMITS["REPORT_TIME_LIMIT"]))
    assert job.finished_at - job.started_at >= limit
    page = client.get(reverse("report_detail", args=[job.code])).content.decode()
    assert "the worker building it stopped" in page

    response = client.post(reverse("report_retry", args=[job.code]), **HTMX)
    assert response.status_code == 200
    again = ReportJob.objects.order_by("-id").first()
    assert again != job
    assert wait_for_status(again, second) == ReportStatus.READY, again.error

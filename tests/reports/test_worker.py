"""Report jobs with a real Celery worker process and Redis, as in production (CI runs this).

The worker is started with `celery -A config worker` against the test database
(the data is committed: transaction=True) and consumes a queue of its own, so
that parallel runs on the same Redis never take each other's tasks. It is
always stopped at the end.
"""

import datetime
import io
import os
import signal
import time
import uuid
from dataclasses import replace

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from reports.models import ReportJob, ReportStatus
from reports.tasks import build_report, sweep_report_jobs
from surveys import question_set_format, services
from surveys.management.commands.import_question_set import SHIPPED_SETS
from tests.reports.jobs_support import (
    WAIT_SECONDS,
    brands_locked,
    celery_config,
    forget_queue,
    job_status,
    pool_children,
    start_worker,
    stop_worker,
    use_report_folder,
    validated_assessment,
    wait_for,
    wait_for_status,
)

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def worker(settings, tmp_path):
    """A Celery worker process on a queue of its own, writing reports where this test reads them."""
    folder = tmp_path / "reports"
    use_report_folder(settings, folder)
    queue = f"yardstick-test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    process = start_worker(
        base_dir=settings.BASE_DIR,
        queue=queue,
        broker_url=os.environ["REDIS_URL"],
        folder=folder,
        log=log,
    )
    try:
        with celery_config(
            task_always_eager=False, broker_url=os.environ["REDIS_URL"], task_default_queue=queue
        ):
            yield process, log
    finally:
        stop_worker(process)
        forget_queue(queue)
        print(log.read_text(errors="replace")[-4000:])  # shown when the test fails


def wait_until_finished(client, job: ReportJob, process) -> ReportJob:
    """Poll the status partial as the browser does until the job is finished (bounded)."""
    url = reverse("report_detail", args=[job.code])
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "the worker process stopped"
        page = client.get(url, **HTMX).content.decode()
        if "hx-trigger" not in page:
            job.refresh_from_db()
            return job
        time.sleep(0.5)
    job.refresh_from_db()
    pytest.fail(f"the job is still {job.status} after {WAIT_SECONDS} s")


def test_a_worker_builds_the_reports_asked_for_through_the_web(
    worker, client, lead, brand, project, version
):
    process, log = worker
    validated_assessment(project, version)
    client.force_login(lead)

    asked = []
    for fmt in ("xlsx", "pdf"):
        response = client.post(
            reverse("report_list"), {"scope": "brand", "code": brand.code, "format": fmt}
        )
        assert response.status_code == 302
        asked.append(ReportJob.objects.get(code=response["Location"].split("/")[-2]))
    # Queued for the worker, not built in this process.
    assert {job.status for job in asked} <= {ReportStatus.QUEUED, ReportStatus.BUILDING}

    workbook_job, pdf_job = (wait_until_finished(client, job, process) for job in asked)

    assert workbook_job.status == ReportStatus.READY, workbook_job.error
    assert pdf_job.status == ReportStatus.READY, pdf_job.error
    assert "Task reports.tasks.build_report[" in log.read_text(errors="replace")

    download = client.get(reverse("report_download", args=[workbook_job.code]))
    assert download.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    cells = {
        str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
    }
    assert project.name in cells

    pdf = b"".join(client.get(reverse("report_download", args=[pdf_job.code])).streaming_content)
    assert pdf.startswith(b"%PDF-")


@pytest.fixture
def english_after():
    """A request in French leaves French active in this thread: switch it off afterwards."""
    yield
    translation.deactivate()


def test_a_worker_builds_a_report_asked_from_a_french_page_in_french(
    worker, client, lead, project, english_after
):
    """The worker has no request: the job's row carries the language it was asked in, and the
    statements come from the set's French (the shipped default set's, complete in French)."""
    process, _log = worker
    path = next(p for p in SHIPPED_SETS if p.name == "mlops_maturity.yaml")
    spec = replace(
        question_set_format.parse(path.read_text(encoding="utf-8")), key="mlops-worker-i18n"
    )
    translated, _ = services.question_set_import(spec=spec, publish=True)
    validated_assessment(project, translated)
    lead.language = "fr"
    lead.save()
    client.force_login(lead)
    response = client.post(
        reverse("report_list"), {"scope": "project", "code": project.code, "format": "xlsx"}
    )
    job = wait_until_finished(
        client, ReportJob.objects.get(code=response["Location"].split("/")[-2]), process
    )
    assert job.status == ReportStatus.READY, job.error
    assert job.language == "fr" and job.filename.endswith("-fr.xlsx")
    download = client.get(reverse("report_download", args=[job.code]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    with translation.override("fr"):
        summary = pgettext("Excel sheet name, 31 characters at most", "Summary")
        label = gettext("Report")
    assert workbook.sheetnames[0] == summary
    assert workbook.worksheets[0]["A2"].value == label
    question = translated.questions.get(key="doc-purpose")
    cells = {cell for row in workbook.worksheets[3].iter_rows(values_only=True) for cell in row}
    assert question.translations["fr"]["text"] in cells and question.text not in cells


def test_a_worker_reclaims_a_job_its_killed_predecessor_left_and_sweeps_stuck_ones(
    worker, lead, brand, settings
):
    process, _log = worker
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.REPORT_TIME_LIMIT + 5)
    # As a worker killed in the middle leaves a job: building, started long ago.
    left = ReportJob.objects.create(
        requested_by=lead,
        scope="brand",
        brand=brand,
        format="xlsx",
        filename="b.xlsx",
        status="building",
        started_at=long_ago,
        attempts=1,
        progress=30,
    )
    # And one whose message is lost for good: only the sweep can end it.
    lost = ReportJob.objects.create(
        requested_by=lead,
        scope="brand",
        brand=brand,
        format="pdf",
        filename="b.pdf",
        status="building",
        started_at=long_ago,
        attempts=1,
    )

    build_report.delay(left.id)  # the broker delivers the message again (acks_late)
    assert wait_for_status(left, process) == ReportStatus.READY, left.error
    assert left.attempts == 2

    sweep_report_jobs.delay()
    assert wait_for_status(lost, process) == ReportStatus.FAILED
    assert "the worker building it stopped" in lost.error


def test_a_report_whose_worker_is_killed_is_built_again_from_the_returned_message(
    worker, client, lead, brand
):
    """TARGETS R3 with a real kill: the pool process building the report gets SIGKILL."""
    process, log = worker
    job = ReportJob.objects.create(
        requested_by=lead, scope="brand", brand=brand, format="xlsx", filename="b.xlsx"
    )
    with brands_locked():
        build_report.delay(job.id)
        wait_for(lambda: job_status(job) == ReportStatus.BUILDING, process, "claimed")
        (child,) = pool_children(process)
        os.kill(child, signal.SIGKILL)
        wait_for(lambda: child not in pool_children(process), process, "replaced")

    # Acknowledged late and rejected when its worker was lost, the message comes back
    # marked as redelivered: the next attempt knows the first one is dead and takes over.
    assert wait_for_status(job, process) == ReportStatus.READY, job.error
    assert job.attempts == 2
    assert "WorkerLostError" in log.read_text(errors="replace")

    client.force_login(lead)
    response = client.get(reverse("report_download", args=[job.code]))
    assert response.status_code == 200
    openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))

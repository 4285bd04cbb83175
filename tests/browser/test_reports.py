"""Reports in Chromium: ask from a dashboard, watch the job through HTMX polling, download.

The broker is Celery's in-memory one here (with or without REDIS_URL), so the
task waits in a queue no worker reads, and the test plays the worker: it runs
the build in a thread of its own while the page polls. That way the page shows
every state a manager sees (waiting, building with a percentage, ready) without
timing luck. The real worker process is tested in tests/reports/test_worker.py.
"""

import io
import re
import threading

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from reports import builders
from reports.models import ReportJob
from reports.services import report_job_build
from tests.reports.jobs_support import celery_config, use_report_folder, validated_assessment

pytestmark = pytest.mark.browser


@pytest.fixture
def queue_without_worker(settings, tmp_path):
    use_report_folder(settings, tmp_path / "reports")
    with celery_config(task_always_eager=False, broker_url="memory://"):
        yield


@pytest.fixture
def paused_builder(monkeypatch):
    """The real builders, held at 40% until the test releases them."""
    release = threading.Event()
    real = builders.build

    def build(fmt, scope, out, progress):
        progress(40)
        assert release.wait(30), "the test never released the build"
        real(fmt, scope, out, progress)

    monkeypatch.setattr(builders, "build", build)
    return release


def build_in_thread(job: ReportJob) -> threading.Thread:
    """What a worker does with the job's message, in a thread of this process."""

    def work():
        try:
            report_job_build(job_id=job.id)
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_a_brand_workbook_is_asked_for_watched_and_downloaded(
    open_page, lead, brand, project, version, queue_without_worker, paused_builder
):
    validated_assessment(project, version)
    page = open_page(lead)
    page.goto(reverse("brand_detail", args=[brand.code]))

    page.get_by_role("button", name="Excel report").click()

    status = page.locator(".report-job")
    expect(status).to_contain_text("Waiting for a worker")
    expect(status).to_have_attribute("hx-trigger", "every 1s")
    job = ReportJob.objects.get(requested_by=lead)
    worker = build_in_thread(job)

    expect(status).to_contain_text("Building")
    expect(status.locator(".report-progress")).to_have_text("40%")
    paused_builder.set()
    worker.join(120)
    assert not worker.is_alive()

    link = status.get_by_role("link", name=re.compile(r"Download yardstick-acme-groceries-"))
    expect(link).to_be_visible()
    expect(status).not_to_have_attribute("hx-trigger", re.compile(".*"))  # polling stopped
    with page.expect_download() as download:
        link.click()

    job.refresh_from_db()
    assert download.value.suggested_filename == job.filename
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    cells = {
        str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
    }
    assert project.name in cells

    page.get_by_role("link", name="My reports").click()
    expect(page.locator("#report-jobs")).to_contain_text("Excel report of brand Acme Groceries")
    expect(page.locator("#report-jobs .report-job")).to_contain_text("Ready")


def test_a_failed_report_says_why_and_retry_builds_it(
    open_page, group_viewer, brand, project, version, queue_without_worker, monkeypatch
):
    validated_assessment(project, version)
    page = open_page(group_viewer)
    page.goto(reverse("group_dashboard"))
    page.get_by_role("button", name="Excel report").click()
    status = page.locator(".report-job")
    expect(status).to_contain_text("Waiting for a worker")

    real = builders.build

    def broken(fmt, scope, out, progress):
        raise RuntimeError("a bug in the layout")

    monkeypatch.setattr(builders, "build", broken)
    build_in_thread(ReportJob.objects.get(requested_by=group_viewer)).join(30)

    expect(status).to_contain_text("The report could not be built")
    expect(status).not_to_contain_text("RuntimeError")
    monkeypatch.setattr(builders, "build", real)
    page.get_by_role("button", name="Retry").click()

    retried = page.locator(".report-job")
    expect(retried).to_contain_text("Waiting for a worker")
    second = ReportJob.objects.filter(requested_by=group_viewer).latest("created_at")
    worker = build_in_thread(second)
    worker.join(120)
    assert not worker.is_alive()
    second.refresh_from_db()
    assert second.status == "ready", second.error
    expect(
        retried.get_by_role("link", name=re.compile(r"Download yardstick-group-"))
    ).to_be_visible()

"""Report jobs through their services and the Celery task, on the embedded default (eager tasks)."""

import datetime
import logging

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from brands.models import Membership
from reports import builders
from reports.models import ReportJob, ReportStatus, report_storage
from reports.services import (
    INTERNAL,
    MAX_OPEN_JOBS,
    STORAGE,
    UNAVAILABLE,
    ReportRefused,
    report_files_expire,
    report_job_build,
    report_job_request,
    report_job_retry,
    report_jobs_sweep,
)
from reports.tasks import build_report, expire_report_files, sweep_report_jobs
from tests import factories
from tests.reports.jobs_support import celery_config, stored_files, use_report_folder


@pytest.fixture
def folder(settings, tmp_path):
    use_report_folder(settings, tmp_path / "reports")
    return tmp_path / "reports"


@pytest.fixture(autouse=True)
def eager(folder):
    with celery_config(task_always_eager=True):
        yield


@pytest.fixture
def fake_builder(monkeypatch):
    """A builder that writes a small file and reports progress; it records what it was given."""
    calls = []

    def build(fmt, scope, out, progress):
        calls.append(scope)
        progress(50)
        out.write(f"{fmt} report of {scope.kind}".encode())
        progress(100)

    monkeypatch.setattr(builders, "build", build)
    return calls


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """`ask(user, scope, fmt, code=None, query="")`: request a report and run what follows the commit."""

    def ask(user, scope="brand", fmt="pdf", code=None, query=""):
        with django_capture_on_commit_callbacks(execute=True):
            job = report_job_request(user=user, scope=scope, fmt=fmt, code=code, query=query)
        job.refresh_from_db()
        return job

    return ask


TODAY = "2025-10-02"


def queued_job(user, brand, **fields) -> ReportJob:
    """A job as the request leaves it, without running its task."""
    return ReportJob.objects.create(
        requested_by=user, scope="brand", brand=brand, format="pdf", filename="r.pdf", **fields
    )


# --- asking for a report -------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(f"{TODAY} 10:00 +0000", tick=True)
def test_asking_builds_the_report_in_process_and_stores_the_file(
    ask, lead, brand, folder, fake_builder
):
    job = ask(lead, "brand", "xlsx", code=brand.code, query="quarter=2025-Q3&kind=batch")

    assert job.status == ReportStatus.READY
    assert job.progress == 100
    assert job.attempts == 1
    assert job.filters == "quarter=2025-Q3&kind=batch"
    assert job.filename == f"yardstick-acme-groceries-2025-Q3-batch-{TODAY}.xlsx"
    assert job.started_at <= job.finished_at < job.expires_at
    assert [p.name for p in stored_files(folder)] == [f"{job.code}.xlsx"]
    with report_storage.open(job.file.name, "rb") as stored:
        assert stored.read() == b"xlsx report of brand"
    assert job.size == len(b"xlsx report of brand")
    (scope,) = fake_builder
    assert (scope.kind, scope.user, scope.brand) == ("brand", lead, brand)
    assert scope.filters.kinds == ("batch",)


@pytest.mark.django_db
def test_a_project_report_names_the_project_and_its_brand(ask, lead, project, fake_builder):
    job = ask(lead, "project", "pdf", code=project.code)

    assert job.status == ReportStatus.READY
    assert (job.brand, job.project) == (project.brand, project)
    assert job.filename.startswith("yardstick-acme-groceries-cross-sell-api-")
    assert fake_builder[0].project == project


@pytest.mark.django_db
def test_a_group_report_is_for_group_roles(ask, group_viewer, lead, fake_builder):
    assert ask(group_viewer, "group", "pdf").status == ReportStatus.READY
    with pytest.raises(ReportRefused, match="central MLOps team") as refused:
        ask(lead, "group", "pdf")
    assert refused.value.status == 403


@pytest.mark.django_db
def test_a_brand_the_user_cannot_see_is_not_found(ask, lead, other_brand, other_project):
    with pytest.raises(Http404):
        ask(lead, "brand", "pdf", code=other_brand.code)
    with pytest.raises(Http404):
        ask(lead, "project", "pdf", code=other_project.code)
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scope", "fmt", "message"),
    [
        ("planet", "pdf", "not a kind of report"),
        ("brand", "docx", "not a report format"),
        ("brand", "pdf", "needs the code of its brand"),
    ],
)
def test_a_bad_request_is_refused_with_a_message(ask, lead, scope, fmt, message):
    with pytest.raises(ReportRefused, match=message):
        ask(lead, scope, fmt)
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
def test_bad_filters_are_dropped_as_on_the_dashboard(ask, lead, brand, fake_builder):
    job = ask(lead, "brand", "pdf", code=brand.code, query="quarter=soon&kind=batch&kind=boat")
    assert job.status == ReportStatus.READY
    assert job.filters.endswith("&kind=batch")
    assert "soon" not in job.filters


@pytest.mark.django_db
def test_one_person_may_have_only_a_few_reports_open_at_once(ask, lead, brand):
    for _ in range(MAX_OPEN_JOBS):
        queued_job(lead, brand)
    with pytest.raises(ReportRefused, match="already have") as refused:
        ask(lead, "brand", "pdf", code=brand.code)
    assert refused.value.status == 409


# --- claiming: a job is never built twice at once --------------------------------------


@pytest.mark.django_db
def test_a_job_being_built_is_not_built_again(lead, brand, fake_builder):
    job = queued_job(lead, brand, status="building", started_at=timezone.now(), attempts=1)

    assert report_job_build(job_id=job.id) is None

    assert fake_builder == []
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ReportStatus.BUILDING, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["ready", "failed", "expired"])
def test_a_finished_job_is_left_alone(lead, brand, fake_builder, status):
    job = queued_job(lead, brand, status=status)
    assert report_job_build(job_id=job.id) is None
    assert fake_builder == []
    job.refresh_from_db()
    assert job.status == status


@pytest.mark.django_db
def test_a_job_left_building_by_a_killed_worker_is_reclaimed_when_delivered_again(
    lead, brand, settings, fake_builder
):
    # The broker delivers the message again (acks_late) after the worker died.
    started = timezone.now() - datetime.timedelta(seconds=settings.REPORT_TIME_LIMIT + 5)
    job = queued_job(lead, brand, status="building", started_at=started, attempts=1, progress=40)

    assert report_job_build(job_id=job.id) == ReportStatus.READY

    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == (ReportStatus.READY, 2, 100)


@pytest.mark.django_db
def test_a_message_the_broker_hands_out_again_reclaims_its_job_at_once(lead, brand, fake_builder):
    # Redelivered: the worker that had the message died without acknowledging it.
    job = queued_job(lead, brand, status="building", started_at=timezone.now(), attempts=1)

    assert report_job_build(job_id=job.id, redelivered=True) == ReportStatus.READY

    job.refresh_from_db()
    assert (job.status, job.attempts) == (ReportStatus.READY, 2)


@pytest.mark.django_db
def test_a_job_that_never_finishes_is_failed_after_its_last_attempt(
    lead, brand, settings, fake_builder
):
    started = timezone.now() - datetime.timedelta(seconds=settings.REPORT_TIME_LIMIT + 5)
    job = queued_job(
        lead, brand, status="building", started_at=started, attempts=settings.REPORT_MAX_ATTEMPTS
    )

    assert report_job_build(job_id=job.id) is None

    assert fake_builder == []
    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED
    assert f"started {settings.REPORT_MAX_ATTEMPTS} times" in job.error


# --- progress ------------------------------------------------------------------------


@pytest.mark.django_db
def test_progress_is_recorded_while_the_report_is_built(lead, brand, monkeypatch):
    seen = []

    def build(fmt, scope, out, progress):
        for percent in (20, 21, 60):
            progress(percent)
            job = ReportJob.objects.get(brand=brand)
            seen.append((job.status, job.progress))
        out.write(b"done")

    monkeypatch.setattr(builders, "build", build)
    job = queued_job(lead, brand)
    report_job_build(job_id=job.id)

    assert seen[0] == ("building", 20)
    assert seen[2] == ("building", 60)
    # A step of one point right after a write is not worth a write of its own.
    assert seen[1][1] in (20, 21)
    job.refresh_from_db()
    assert (job.status, job.progress) == (ReportStatus.READY, 100)


@pytest.mark.django_db
def test_a_build_whose_job_was_swept_stops_and_leaves_the_outcome_alone(
    lead, brand, folder, monkeypatch
):
    def build(fmt, scope, out, progress):
        ReportJob.objects.filter(brand=brand).update(status="failed", error="swept")
        progress(50)
        out.write(b"too late")

    monkeypatch.setattr(builders, "build", build)
    job = queued_job(lead, brand)

    assert report_job_build(job_id=job.id) is None

    job.refresh_from_db()
    assert (job.status, job.error) == (ReportStatus.FAILED, "swept")
    assert stored_files(folder) == []


# --- failures ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_builder_that_raises_fails_the_job_with_a_readable_message_and_retry_works(
    ask, lead, brand, monkeypatch, caplog, fake_builder, django_capture_on_commit_callbacks
):
    working = builders.build

    def broken(fmt, scope, out, progress):
        raise RuntimeError("KeyError deep inside the layout code")

    monkeypatch.setattr(builders, "build", broken)
    with caplog.at_level(logging.ERROR, logger="reports.services.build"):
        job = ask(lead, "brand", "pdf", code=brand.code)

    assert job.status == ReportStatus.FAILED
    assert job.error == INTERNAL
    assert "KeyError" not in job.error and "Traceback" not in job.error
    assert job.finished_at is not None and not job.file
    assert "KeyError deep inside" in caplog.text  # the traceback is in the log

    monkeypatch.setattr(builders, "build", working)
    with pytest.raises(ReportRefused):
        report_job_retry(user=lead, job=ReportJob.objects.create(**_copy(job, status="ready")))
    with django_capture_on_commit_callbacks(execute=True):
        again = report_job_retry(user=lead, job=job)
    again.refresh_from_db()
    assert again.pk != job.pk
    assert (again.status, again.format, again.brand, again.filters) == (
        ReportStatus.READY,
        job.format,
        brand,
        job.filters,
    )


def _copy(job: ReportJob, **changes) -> dict:
    fields = ("requested_by", "scope", "brand", "project", "filters", "format", "filename")
    return {name: getattr(job, name) for name in fields} | changes


@pytest.mark.django_db
def test_a_report_that_runs_past_the_soft_limit_is_stopped_with_a_message(
    ask, lead, brand, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    def slow(fmt, scope, out, progress):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(builders, "build", slow)
    job = ask(lead, "brand", "pdf", code=brand.code)

    assert job.status == ReportStatus.FAILED
    assert "took longer than 5 minutes" in job.error


@pytest.mark.django_db
def test_a_transient_failure_goes_back_to_the_queue_for_the_retry(lead, brand, monkeypatch):
    def full_disk(fmt, scope, out, progress):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(builders, "build", full_disk)
    job = queued_job(lead, brand)

    with pytest.raises(OSError):
        report_job_build(job_id=job.id, may_retry=True)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ReportStatus.QUEUED, 1)

    assert report_job_build(job_id=job.id, may_retry=False) == ReportStatus.FAILED
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (ReportStatus.FAILED, 2, STORAGE)


@pytest.mark.django_db
def test_the_task_retries_a_transient_failure_and_then_succeeds(
    ask, lead, brand, monkeypatch, fake_builder
):
    working = builders.build
    failures = []

    def flaky(fmt, scope, out, progress):
        if not failures:
            failures.append("once")
            raise OSError("storage briefly unreachable")
        working(fmt, scope, out, progress)

    monkeypatch.setattr(builders, "build", flaky)
    job = ask(lead, "brand", "pdf", code=brand.code)

    assert (job.status, job.attempts) == (ReportStatus.READY, 2)


@pytest.mark.django_db
def test_a_requester_who_lost_access_gets_no_report(lead, brand, fake_builder):
    job = queued_job(lead, brand)
    Membership.objects.filter(user=lead).delete()

    assert report_job_build(job_id=job.id) == ReportStatus.FAILED

    assert fake_builder == []
    job.refresh_from_db()
    assert "no longer see brand Acme Groceries" in job.error


# --- broker down (TARGETS R4) -----------------------------------------------------------


@pytest.fixture
def broker_down():
    """Redis configured (not eager) but nothing listening: port 9 is closed here."""
    with celery_config(
        task_always_eager=False,
        broker_url="redis://127.0.0.1:9/0",
        broker_connection_timeout=1,
        broker_transport_options={"max_retries": 1, "socket_connect_timeout": 1},
    ):
        yield


@pytest.mark.django_db
def test_with_the_broker_down_the_job_fails_at_once_with_a_clear_message(
    ask, broker_down, lead, brand, fake_builder, caplog
):
    job = ask(lead, "brand", "pdf", code=brand.code)

    assert job.status == ReportStatus.FAILED
    assert job.error == UNAVAILABLE
    assert "unavailable right now" in job.error
    assert fake_builder == []


# --- the periodic sweep and expiry -----------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_fails_jobs_stuck_past_their_limits(lead, brand, settings):
    now = timezone.now()
    long_ago = now - datetime.timedelta(seconds=settings.REPORT_TIME_LIMIT + 1)
    stuck = queued_job(lead, brand, status="building", started_at=long_ago, attempts=1)
    busy = queued_job(lead, brand, status="building", started_at=now, attempts=1)
    forgotten = queued_job(lead, brand)
    ReportJob.objects.filter(pk=forgotten.pk).update(
        created_at=now - datetime.timedelta(seconds=settings.REPORT_QUEUED_LIMIT + 1)
    )
    waiting = queued_job(lead, brand)

    assert sweep_report_jobs.delay().get() == 2

    stuck.refresh_from_db()
    assert stuck.status == ReportStatus.FAILED
    assert "the worker building it stopped" in stuck.error
    forgotten.refresh_from_db()
    assert forgotten.status == ReportStatus.FAILED
    assert "No report worker took this request" in forgotten.error
    busy.refresh_from_db()
    waiting.refresh_from_db()
    assert (busy.status, waiting.status) == (ReportStatus.BUILDING, ReportStatus.QUEUED)
    # A swept job's message arrives late: the worker that comes back does nothing.
    assert build_report.delay(stuck.id).get() is None
    stuck.refresh_from_db()
    assert stuck.status == ReportStatus.FAILED


@pytest.mark.django_db
def test_expiry_deletes_old_files_and_keeps_recent_ones(ask, lead, brand, folder, fake_builder):
    old = ask(lead, "brand", "pdf", code=brand.code)
    recent = ask(lead, "brand", "xlsx", code=brand.code)
    ReportJob.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=8),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    assert len(stored_files(folder)) == 2

    assert expire_report_files.delay().get() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.file.name) == (ReportStatus.EXPIRED, "")
    assert recent.status == ReportStatus.READY
    assert [p.name for p in stored_files(folder)] == [f"{recent.code}.xlsx"]


@pytest.mark.django_db
def test_a_shorter_retention_expires_files_built_under_a_longer_one(
    ask, lead, brand, folder, settings, fake_builder
):
    job = ask(lead, "brand", "pdf", code=brand.code)
    ReportJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=2)
    )
    settings.REPORT_RETENTION_DAYS = 1

    assert report_files_expire() == 1
    assert stored_files(folder) == []
    assert report_jobs_sweep() == 0


@pytest.mark.django_db
def test_the_filters_of_a_job_read_as_words(lead, brand):
    job = queued_job(
        lead,
        brand,
        filters=f"quarter=2025-Q3&brand={brand.code}&kind=batch&criticality=high&submitted=1",
    )
    assert job.filters_label == (
        "2025 Q3 · Batch · High criticality · 1 brand · submitted self-fills included"
    )


@pytest.mark.django_db
@time_machine.travel(f"{TODAY} 10:00 +0000", tick=True)
def test_a_group_reports_file_name_carries_its_filters_and_the_day(
    ask, group_viewer, brand, other_brand, folder, fake_builder
):
    line = factories.ProductLineFactory(name="Cross-sell")
    query = (
        f"quarter=2025-Q3&kind=realtime&criticality=high&line={line.code}"
        f"&brand={brand.code}&brand={other_brand.code}&submitted=1"
    )
    job = ask(group_viewer, "group", "pdf", query=query)
    assert job.filename == (
        "yardstick-group-2025-Q3-real-time-high-criticality-cross-sell-"
        f"acme-groceries-other-foods-with-self-fills-{TODAY}.pdf"
    )
    third = factories.BrandFactory(name="Épicerie Lumière")
    many = f"quarter=2025-Q3&brand={brand.code}&brand={other_brand.code}&brand={third.code}"
    assert ask(group_viewer, "group", "xlsx", query=many).filename == (
        f"yardstick-group-2025-Q3-3-brands-{TODAY}.xlsx"
    )

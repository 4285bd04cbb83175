"""The report job screens: ask from a dashboard, follow the status, download, retry, My reports."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from brands.models import AuditAction, AuditEvent, Membership
from reports import builders
from reports.models import ReportJob, ReportStatus
from reports.services import INTERNAL, UNAVAILABLE
from tests import factories
from tests.reports.jobs_support import celery_config, use_report_folder, validated_assessment

HTMX = {"HTTP_HX_REQUEST": "true"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def eager(settings, tmp_path):
    use_report_folder(settings, tmp_path / "reports")
    with celery_config(task_always_eager=True):
        yield


@pytest.fixture
def fake_builder(monkeypatch):
    def build(fmt, scope, out, progress):
        progress(50)
        out.write(f"{fmt} report of {scope.kind}".encode())

    monkeypatch.setattr(builders, "build", build)


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """`post(user, url, data, htmx=True)`: a POST whose on-commit work (queueing) runs."""

    def post(user, url, data=None, *, htmx=True):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **(HTMX if htmx else {}))

    return post


def ask_brand_report(post, user, brand, fmt="xlsx", **extra):
    data = {"scope": "brand", "code": brand.code, "format": fmt, "filters": ""} | extra
    return post(user, reverse("report_list"), data)


def job_of(user) -> ReportJob:
    return ReportJob.objects.filter(requested_by=user).latest("created_at")


def ready_job(user, brand) -> ReportJob:
    from reports.models import report_storage

    job = ReportJob.objects.create(
        requested_by=user, scope="brand", brand=brand, format="pdf", filename="acme.pdf"
    )
    job.file.name = report_storage.save(f"{job.code}.pdf", io.BytesIO(b"%PDF-1.7 test"))
    job.status, job.size, job.progress = ReportStatus.READY, 13, 100
    job.save()
    return job


# --- the whole flow, with the real Excel builder --------------------------------------------


@pytest.mark.django_db
def test_asking_following_and_downloading_a_brand_workbook(
    post, client, lead, brand, project, version
):
    validated_assessment(project, version)

    response = ask_brand_report(post, lead, brand, "xlsx", filters="kind=realtime")

    # The answer comes before the task (queued on commit) has run: it polls.
    assert response.status_code == 200
    job = job_of(lead)
    status_url = reverse("report_detail", args=[job.code])
    page = response.content.decode()
    assert f'id="report-job-{job.code}"' in page
    assert f'hx-get="{status_url}" hx-trigger="every 1s"' in page
    assert job.status == ReportStatus.READY, job.error

    polled = client.get(status_url, **HTMX).content.decode()
    download = reverse("report_download", args=[job.code])
    assert "Ready" in polled and download in polled
    assert "hx-trigger" not in polled  # finished: polling stops

    file = client.get(download)
    assert file.status_code == 200
    assert file["Content-Type"] == XLSX
    assert file["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(file.streaming_content)))
    text = " ".join(
        str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
    )
    assert project.name in text


@pytest.mark.django_db
def test_without_htmx_the_request_leads_to_the_report_page(post, client, lead, brand, fake_builder):
    response = post(lead, reverse("report_list"), _form(brand), htmx=False)

    job = job_of(lead)
    assert response.status_code == 302
    assert response["Location"] == reverse("report_detail", args=[job.code])
    page = client.get(response["Location"]).content.decode()
    assert "PDF report of brand Acme Groceries" in page
    assert "Download yardstick-acme-groceries-" in page


def _form(brand, fmt="pdf") -> dict:
    return {"scope": "brand", "code": brand.code, "format": fmt}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "shown"),
    [("queued", "Waiting for a worker"), ("building", "37%")],
)
def test_an_unfinished_job_polls_its_status_every_second(client, lead, brand, status, shown):
    job = ReportJob.objects.create(
        requested_by=lead, scope="brand", brand=brand, format="pdf", status=status, progress=37
    )
    client.force_login(lead)
    page = client.get(reverse("report_detail", args=[job.code]), **HTMX).content.decode()
    assert shown in page
    assert f'hx-get="{reverse("report_detail", args=[job.code])}"' in page
    assert 'hx-trigger="every 1s"' in page
    assert "<html" not in page  # only the partial


@pytest.mark.django_db
def test_a_failed_job_shows_its_message_and_retry_makes_a_new_job(
    post, client, lead, brand, monkeypatch
):
    def broken(fmt, scope, out, progress):
        raise ValueError("no figures")

    monkeypatch.setattr(builders, "build", broken)
    ask_brand_report(post, lead, brand)
    failed = job_of(lead)
    assert failed.status == ReportStatus.FAILED
    page = client.get(reverse("report_detail", args=[failed.code]), **HTMX).content.decode()
    assert INTERNAL.split(";")[0] in page.replace("&#x27;", "'")
    assert "Retry" in page and "hx-trigger" not in page

    monkeypatch.setattr(builders, "build", lambda fmt, scope, out, progress: out.write(b"ok"))
    retried = post(lead, reverse("report_retry", args=[failed.code]))
    new = job_of(lead)
    assert new.pk != failed.pk and new.status == ReportStatus.READY
    assert f'id="report-job-{new.code}"' in retried.content.decode()


@pytest.mark.django_db
def test_a_ready_job_cannot_be_retried(post, lead, brand):
    job = ready_job(lead, brand)
    response = post(lead, reverse("report_retry", args=[job.code]))
    assert response.status_code == 409
    assert "Only a failed or expired report" in response.content.decode()


# --- refusals ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_that_is_not_understood_is_answered_400_with_the_problem(post, lead, brand):
    response = post(lead, reverse("report_list"), {"scope": "brand", "format": "docx"})
    assert response.status_code == 400
    assert "format: Select a valid choice" in response.content.decode()
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
def test_a_brand_member_asking_for_a_group_report_is_told_why(post, viewer, brand):
    response = post(viewer, reverse("report_list"), {"scope": "group", "format": "pdf"})
    assert response.status_code == 403
    assert "central MLOps team" in response.content.decode()


@pytest.mark.django_db
def test_a_report_of_another_brand_cannot_be_asked_for(post, outsider, brand, project):
    assert ask_brand_report(post, outsider, brand).status_code == 404
    response = post(
        outsider,
        reverse("report_list"),
        {"scope": "project", "code": project.code, "format": "pdf"},
    )
    assert response.status_code == 404
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
def test_too_many_open_reports_are_refused_with_a_message_htmx_shows(post, lead, brand):
    for _ in range(5):
        ReportJob.objects.create(requested_by=lead, scope="brand", brand=brand, format="pdf")
    response = ask_brand_report(post, lead, brand)
    assert response.status_code == 409
    assert "You already have 5 reports waiting" in response.content.decode()
    assert ReportJob.objects.count() == 5


@pytest.mark.django_db
def test_a_viewer_may_ask_for_their_brands_report(post, viewer, brand, fake_builder):
    assert ask_brand_report(post, viewer, brand).status_code == 200
    assert job_of(viewer).status == ReportStatus.READY


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("report_detail", "post"),
        ("report_download", "post"),
        ("report_retry", "get"),
    ],
)
def test_wrong_methods_are_refused(client, lead, brand, name, method):
    job = ready_job(lead, brand)
    client.force_login(lead)
    assert getattr(client, method)(reverse(name, args=[job.code])).status_code == 405


@pytest.mark.django_db
def test_posts_need_the_csrf_token(lead, brand):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    assert client.post(reverse("report_list"), _form(brand)).status_code == 403
    job = ready_job(lead, brand)
    assert client.post(reverse("report_retry", args=[job.code])).status_code == 403


# --- who may see and download a job ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["viewer", "outsider", "group_admin"])
def test_someone_elses_report_is_not_found(client, lead, brand, who, request):
    job = ready_job(lead, brand)
    client.force_login(request.getfixturevalue(who))
    for name in ("report_detail", "report_download"):
        assert client.get(reverse(name, args=[job.code])).status_code == 404
    assert client.post(reverse("report_retry", args=[job.code])).status_code == 404


@pytest.mark.django_db
def test_a_download_is_recorded_in_the_audit_log(client, lead, brand):
    job = ready_job(lead, brand)
    client.force_login(lead)

    assert client.get(reverse("report_download", args=[job.code])).status_code == 200

    event = AuditEvent.objects.get(action=AuditAction.REPORT_DOWNLOADED)
    assert (event.actor_id, event.brand_id) == (lead.pk, brand.pk)
    assert (event.target_type, event.target_code) == ("reportjob", str(job.code))
    assert event.details == {"format": "pdf"}


@pytest.mark.django_db
def test_the_download_checks_access_when_it_is_downloaded(client, lead, brand):
    job = ready_job(lead, brand)
    client.force_login(lead)
    url = reverse("report_download", args=[job.code])
    assert client.get(url).status_code == 200

    Membership.objects.filter(user=lead, brand=brand).delete()

    assert client.get(url).status_code == 404
    assert client.get(reverse("report_detail", args=[job.code])).status_code == 404
    assert job.subject not in client.get(reverse("report_list")).content.decode()


@pytest.mark.django_db
def test_a_group_report_is_no_longer_downloadable_without_the_group_role(client, group_viewer):
    job = ReportJob.objects.create(
        requested_by=group_viewer, scope="group", format="pdf", status="ready", filename="g.pdf"
    )
    client.force_login(group_viewer)
    assert client.get(reverse("report_detail", args=[job.code])).status_code == 200
    group_viewer.group_role = ""
    group_viewer.save()
    assert client.get(reverse("report_download", args=[job.code])).status_code == 404


@pytest.mark.django_db
def test_an_unfinished_or_expired_report_has_nothing_to_download(client, lead, brand):
    client.force_login(lead)
    queued = ReportJob.objects.create(requested_by=lead, scope="brand", brand=brand, format="pdf")
    response = client.get(reverse("report_download", args=[queued.code]))
    assert response.status_code == 409
    assert "not ready yet" in response.content.decode()
    queued.status = ReportStatus.EXPIRED
    queued.save()
    response = client.get(reverse("report_download", args=[queued.code]))
    assert response.status_code == 410
    assert "has expired" in response.content.decode()


@pytest.mark.django_db
def test_a_file_gone_from_storage_is_explained(client, lead, brand):
    from reports.models import report_storage

    job = ready_job(lead, brand)
    report_storage.delete(job.file.name)
    client.force_login(lead)
    response = client.get(reverse("report_download", args=[job.code]))
    assert response.status_code == 410
    assert "can no longer be found" in response.content.decode()


# --- My reports ------------------------------------------------------------------------


@pytest.mark.django_db
def test_my_reports_lists_only_my_own_reports(client, lead, viewer, brand, group_viewer):
    mine = ready_job(lead, brand)
    ReportJob.objects.create(requested_by=viewer, scope="brand", brand=brand, format="xlsx")
    ReportJob.objects.create(requested_by=group_viewer, scope="group", format="pdf")
    client.force_login(lead)

    page = client.get(reverse("report_list")).content.decode()

    assert reverse("report_detail", args=[mine.code]) in page
    assert page.count('class="report-job') == 1
    assert "Excel report of" not in page and "the group" not in page
    assert 'href="/reports/"' in page  # in the navigation


@pytest.mark.django_db
def test_my_reports_says_so_when_there_are_none(client, viewer):
    client.force_login(viewer)
    assert (
        "You have not asked for any report yet"
        in client.get(reverse("report_list")).content.decode()
    )


# --- broker down (TARGETS R4) -------------------------------------------------------------


@pytest.mark.django_db
def test_with_the_broker_down_asking_says_reports_are_unavailable_and_pages_work(
    post, client, lead, brand, project, fake_builder
):
    with celery_config(
        task_always_eager=False,
        broker_url="redis://127.0.0.1:9/0",
        broker_connection_timeout=1,
        broker_transport_options={"max_retries": 1, "socket_connect_timeout": 1},
    ):
        response = ask_brand_report(post, lead, brand)
        assert response.status_code == 200
        job = job_of(lead)
        assert job.status == ReportStatus.FAILED
        page = client.get(reverse("report_detail", args=[job.code]), **HTMX).content.decode()
        assert UNAVAILABLE.split("(")[0].strip() in page

        for url in (
            reverse("brand_detail", args=[brand.code]),
            reverse("project_detail", args=[project.code]),
            reverse("report_list"),
            reverse("report_detail", args=[job_of(lead).code]),
        ):
            assert client.get(url).status_code == 200, url


# --- the "Download report" box on the dashboards ----------------------------------------------


def _box(page: str) -> str:
    match = re.search(r'<div class="card report-request">.*?</form>', page, re.S)
    assert match, "no Download report box"
    return match.group(0)


@pytest.mark.django_db
def test_the_group_dashboard_offers_a_report_of_its_current_filters(client, group_viewer):
    client.force_login(group_viewer)
    page = client.get(reverse("group_dashboard"), {"quarter": "2025-Q2", "kind": "batch"})
    box = _box(page.content.decode())
    assert 'name="scope" value="group"' in box
    assert 'name="filters" value="quarter=2025-Q2&amp;kind=batch"' in box
    assert "PDF report" in box and "Excel report" in box


@pytest.mark.django_db
def test_the_box_follows_the_filters_when_htmx_swaps_the_results(client, group_viewer):
    client.force_login(group_viewer)
    swapped = client.get(reverse("group_dashboard"), {"kind": "realtime"}, **HTMX)
    box = _box(swapped.content.decode())
    assert "kind=realtime" in box


@pytest.mark.django_db
def test_the_brand_page_offers_the_brands_report(client, lead, brand):
    client.force_login(lead)
    box = _box(
        client.get(reverse("brand_detail", args=[brand.code]), {"kind": "batch"}).content.decode()
    )
    assert 'name="scope" value="brand"' in box
    assert f'name="code" value="{brand.code}"' in box
    assert "kind=batch" in box


@pytest.mark.django_db
def test_the_project_page_offers_the_projects_report(client, viewer, project):
    client.force_login(viewer)
    box = _box(client.get(reverse("project_detail", args=[project.code])).content.decode())
    assert 'name="scope" value="project"' in box
    assert f'name="code" value="{project.code}"' in box


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_answer_to_the_request_itself_says_so(client, lead, brand):
    # Committed for real (no test transaction around it): the task is queued before the
    # view answers, as in production, so the answer already tells the requester.
    client.force_login(lead)
    with celery_config(
        task_always_eager=False,
        broker_url="redis://127.0.0.1:9/0",
        broker_connection_timeout=1,
        broker_transport_options={"max_retries": 1, "socket_connect_timeout": 1},
    ):
        response = client.post(reverse("report_list"), _form(brand), **HTMX)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Report building is unavailable right now" in page
    assert "hx-trigger" not in page
    assert "Retry" in page
    assert job_of(lead).status == ReportStatus.FAILED


@pytest.mark.django_db
def test_the_admin_lists_report_jobs_read_only(client, lead, brand):
    job = ready_job(lead, brand)
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get(reverse("admin:reports_reportjob_changelist"))
    assert listing.status_code == 200
    assert str(job.code) in listing.content.decode()
    assert client.get(reverse("admin:reports_reportjob_add")).status_code == 403
    page = client.get(reverse("admin:reports_reportjob_change", args=[job.pk]))
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()  # shown, not editable

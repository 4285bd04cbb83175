"""Uploads and report files (issue 8, "Uploads"): a size limit on every upload path that
holds before the file is stored, types told by content, uploads never kept on disk, and
files served only through the permission-checked download view, never from a URL of
the media folder.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from brands.models import BrandRole
from reports.models import ReportJob, ReportStatus
from reports.services import report_job_build
from surveys import services
from surveys.models import AssessmentMode, QuestionSetVersion
from surveys.uploads import upload_cap
from tests import factories
from tests.reports.jobs_support import use_report_folder

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024  # Django's upload chunk size
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 200


@pytest.fixture
def small_limits(settings, tmp_path):
    """Limits small enough to cross in a test; uploads past memory go to a folder we watch."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10_000
    settings.WORKBOOK_UPLOAD_MAX_BYTES = 20_000
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


@pytest.fixture
def self_fill(project, lead, version):
    return services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )


def _parsed_upload(size: int):
    """The file as a view would get it from a multipart request of `size` bytes."""
    body = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"x" * (size - 4), content_type=XLSX)
    request = RequestFactory().post("/", {"workbook": body})
    return request.FILES["workbook"]


# --------------------------------------------------------------------------- size


def test_an_oversized_file_is_kept_only_up_to_the_cap(small_limits):
    cap = upload_cap()
    upload = _parsed_upload(cap * 4)
    # Past every form's limit (so it is refused), but the rest of the request was dropped.
    assert cap < upload.size <= cap + CHUNK
    assert Path(upload.temporary_file_path()).parent == small_limits


def test_a_file_within_the_cap_arrives_whole(small_limits):
    upload = _parsed_upload(upload_cap() // 2)
    assert upload.size == upload_cap() // 2
    assert upload.read(4) == b"PK\x03\x04"


def test_the_cap_is_at_least_every_upload_forms_limit(settings):
    settings.WORKBOOK_UPLOAD_MAX_BYTES = 7_000_000
    assert upload_cap() >= 7_000_000
    settings.WORKBOOK_UPLOAD_MAX_BYTES = 2_000
    assert upload_cap() >= 1_000_000  # question-set YAML may be up to 1 MB


def _post(client, path: str, target, upload, group_admin, lead):
    """Upload `upload` through one of the three upload paths; (response, anything saved?)."""
    if path == "question set":
        client.force_login(group_admin)
        response = client.post(
            reverse("version_draft_upload", args=[target["version"].code]), {"file": upload}
        )
        return response, QuestionSetVersion.objects.filter(status="draft").exists()
    if path == "questionnaire":
        client.force_login(lead)
        assessment = target["self_fill"]
        response = client.post(
            reverse("workbook_upload", args=[assessment.code]), {"workbook": upload}
        )
        return response, bool(client.session.get(f"workbook-preview:{assessment.code}"))
    client.force_login(group_admin)
    project = target["project"]
    response = client.post(
        reverse("historic_import", args=[project.code]),
        {"workbook": upload, "assessed_on": "2024-03-31", "mode": "interview"},
    )
    return response, project.assessments.exclude(pk=target["self_fill"].pk).exists()


PATHS = ["question set", "questionnaire", "earlier round"]


@pytest.fixture
def target(version, self_fill, project):
    return {"version": version, "self_fill": self_fill, "project": project}


@pytest.mark.parametrize("path", PATHS)
def test_every_upload_path_refuses_an_oversized_file_with_a_message(
    client, small_limits, target, group_admin, lead, path
):
    size = upload_cap() * 3
    upload = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"x" * size, content_type=XLSX)
    response, saved = _post(client, path, target, upload, group_admin, lead)
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not saved


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", ["picture.xlsx", "picture.png"])
def test_every_upload_path_judges_the_type_by_content(
    client, small_limits, target, group_admin, lead, path, name
):
    upload = SimpleUploadedFile(name, PNG, content_type=XLSX)
    response, saved = _post(client, path, target, upload, group_admin, lead)
    assert response.status_code == 400
    page = response.content.decode()
    assert "not" in page and ("workbook" in page or "UTF-8" in page)
    assert not saved


@pytest.mark.parametrize("path", PATHS)
def test_uploads_are_never_stored_in_the_media_folder(
    client, small_limits, target, group_admin, lead, path
):
    content = client_download(client, target, lead, path)
    upload = SimpleUploadedFile("filled.xlsx", content, content_type=XLSX)
    _post(client, path, target, upload, group_admin, lead)
    media = Path(django_settings.MEDIA_ROOT)
    assert not media.exists() or list(media.rglob("*")) == []
    # Nothing stays in the temporary folder after the request either.
    assert [p for p in small_limits.iterdir() if p.is_file()] == []


def client_download(client, target, lead, path) -> bytes:
    if path == "question set":
        client.force_login(lead)
        return client.get(reverse("version_xlsx", args=[target["version"].code])).content
    if path == "questionnaire":
        client.force_login(lead)
        return client.get(reverse("workbook_download", args=[target["self_fill"].code])).content
    client.force_login(lead)
    return client.get(reverse("historic_template", args=[target["project"].code])).content


# --------------------------------------------------------------------------- serving


def _inside(path: Path, folder: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


def test_media_and_reports_are_outside_every_folder_served_as_static_files():
    served = [Path(django_settings.STATIC_ROOT), *map(Path, django_settings.STATICFILES_DIRS)]
    reports = Path(storages["reports"].location)
    for folder in (Path(django_settings.MEDIA_ROOT), reports):
        assert not any(_inside(folder, root) or _inside(root, folder) for root in served)


@pytest.fixture
def built_report(settings, tmp_path, lead, brand):
    folder = tmp_path / "reports"
    use_report_folder(settings, folder)
    settings.MEDIA_ROOT = str(tmp_path)
    job = ReportJob.objects.create(
        requested_by=lead, scope="brand", brand=brand, format="xlsx", filename="brand.xlsx"
    )
    assert report_job_build(job_id=job.id) == ReportStatus.READY
    job.refresh_from_db()
    assert (folder / job.file.name).is_file()
    return job


def test_a_report_file_is_served_only_through_the_download_view(client, built_report, lead):
    client.force_login(lead)
    name = built_report.file.name
    for url in (
        f"/{django_settings.MEDIA_URL}{name}",
        f"/{django_settings.MEDIA_URL}reports/{name}",
        f"{django_settings.STATIC_URL}{name}",
        f"{django_settings.STATIC_URL}../media/reports/{name}",
        f"/reports/{name}",
    ):
        assert client.get(url).status_code == 404, url
    response = client.get(reverse("report_download", args=[built_report.code]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK\x03\x04")


def test_another_member_of_the_brand_cannot_download_the_report(client, built_report, brand):
    colleague = factories.member(brand, BrandRole.LEAD)
    client.force_login(colleague)
    assert client.get(reverse("report_download", args=[built_report.code])).status_code == 404

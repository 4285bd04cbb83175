"""The offline questionnaire pages: download, upload, preview, apply."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys import services
from surveys.models import AnswerEvent, AnswerVia, AssessmentMode, AssessmentStatus
from tests import factories
from tests.surveys.workbook_files import fill, row_number, rows_of


@pytest.fixture
def self_fill(project, lead, version):
    return services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )


def url(name, assessment):
    return reverse(name, args=[assessment.code])


def download(client, assessment) -> bytes:
    response = client.get(url("workbook_download", assessment))
    assert response.status_code == 200
    return response.content


def post_file(client, assessment, content: bytes, name="filled.xlsx"):
    return client.post(
        url("workbook_upload", assessment),
        {"workbook": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
    )


def first_keys(assessment, n):
    return list(
        assessment.answers.order_by("question__order").values_list("question__key", flat=True)[:n]
    )


def imported(assessment):
    return AnswerEvent.objects.filter(answer__assessment=assessment, via=AnswerVia.IMPORT)


def test_the_assessment_page_links_to_the_offline_questionnaire(client, self_fill, lead):
    client.force_login(lead)
    page = client.get(url("assessment_detail", self_fill)).content.decode()
    assert url("workbook_upload", self_fill) in page
    page = client.get(url("workbook_upload", self_fill)).content.decode()
    assert url("workbook_download", self_fill) in page


def test_the_download_is_an_xlsx_attachment(client, self_fill, data_scientist):
    client.force_login(data_scientist)
    response = client.get(url("workbook_download", self_fill))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="Cross-sell-API-')
    assert len(rows_of(response.content)) == self_fill.answers.count()


def test_upload_preview_apply(client, self_fill, lead):
    client.force_login(lead)
    a, b = first_keys(self_fill, 2)
    content = fill(
        download(client, self_fill),
        {a: {"Answer": "Yes", "Comment": "<script>alert(1)</script>"}, b: {"Answer": "No"}},
    )

    response = post_file(client, self_fill, content)
    assert response.status_code == 302
    assert response["Location"] == url("workbook_preview", self_fill)
    page = client.get(response["Location"]).content.decode()
    assert "2 answers would change" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert imported(self_fill).count() == 0

    response = client.post(url("workbook_apply", self_fill), follow=True)
    assert "2 answers saved from the workbook." in response.content.decode()
    assert imported(self_fill).count() == 2
    assert self_fill.answers.get(question__key=a).option.key == "yes"

    # The preview is used up: applying again writes nothing.
    response = client.post(url("workbook_apply", self_fill), follow=True)
    assert "There is no uploaded workbook waiting" in response.content.decode()
    assert imported(self_fill).count() == 2


def test_a_conflict_is_shown_and_resolved_per_answer(client, self_fill, lead, data_scientist):
    client.force_login(lead)
    a, b = first_keys(self_fill, 2)
    content = fill(download(client, self_fill), {a: {"Answer": "Yes"}, b: {"Answer": "Yes"}})
    for key in (a, b):
        answer = self_fill.answers.get(question__key=key)
        services.answer_save(
            assessment=self_fill,
            question_key=key,
            user=data_scientist,
            base_revision=answer.revision,
            data=services.AnswerInput(option="no"),
            via=AnswerVia.SELF_FILL,
        )
    post_file(client, self_fill, content)
    page = client.get(url("workbook_preview", self_fill)).content.decode()
    assert page.count("Conflict: changed online since the download") == 2

    client.post(url("workbook_apply", self_fill), {f"take-{a}": "file", f"take-{b}": "online"})
    assert self_fill.answers.get(question__key=a).option.key == "yes"
    assert self_fill.answers.get(question__key=b).option.key == "no"


def test_taking_the_file_for_all_conflicts(client, self_fill, lead, data_scientist):
    client.force_login(lead)
    [a] = first_keys(self_fill, 1)
    content = fill(download(client, self_fill), {a: {"Answer": "Yes"}})
    services.answer_save(
        assessment=self_fill,
        question_key=a,
        user=data_scientist,
        base_revision=0,
        data=services.AnswerInput(option="no"),
        via=AnswerVia.SELF_FILL,
    )
    post_file(client, self_fill, content)
    client.post(url("workbook_apply", self_fill), {"all": "file"})
    assert self_fill.answers.get(question__key=a).option.key == "yes"


def test_a_stale_preview_is_refused_with_a_message(client, self_fill, lead, data_scientist):
    client.force_login(lead)
    [a] = first_keys(self_fill, 1)
    post_file(client, self_fill, fill(download(client, self_fill), {a: {"Answer": "Yes"}}))
    services.answer_save(
        assessment=self_fill,
        question_key=a,
        user=data_scientist,
        base_revision=0,
        data=services.AnswerInput(option="partly"),
        via=AnswerVia.SELF_FILL,
    )
    response = client.post(url("workbook_apply", self_fill), follow=True)
    assert "changed since the preview (rows 2); nothing was saved" in response.content.decode()
    assert imported(self_fill).count() == 0
    assert self_fill.answers.get(question__key=a).option.key == "partly"


def test_a_bad_file_is_answered_on_the_page_with_its_problems(client, self_fill, lead):
    client.force_login(lead)
    content = download(client, self_fill)
    [a] = first_keys(self_fill, 1)
    response = post_file(client, self_fill, fill(content, {a: {"Answer": "Yess"}}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved." in page
    assert f"Row {row_number(content, a)}, Answer: &#x27;Yess&#x27; is not one of" in page

    response = post_file(client, self_fill, b"name,answer\n", name="answers.csv")
    assert response.status_code == 400
    assert "is a CSV file, not an Excel workbook" in response.content.decode()
    assert imported(self_fill).count() == 0


def test_uploading_without_a_file_asks_for_one(client, self_fill, lead):
    client.force_login(lead)
    response = client.post(url("workbook_upload", self_fill), {})
    assert response.status_code == 400
    assert "Choose the filled-in workbook" in response.content.decode()


def test_a_viewer_can_neither_download_nor_upload(client, self_fill, lead, viewer):
    client.force_login(lead)
    [a] = first_keys(self_fill, 1)
    content = fill(download(client, self_fill), {a: {"Answer": "Yes"}})
    client.force_login(viewer)
    response = client.get(url("workbook_download", self_fill), follow=True)
    assert "Only people who may change this assessment" in response.content.decode()
    response = post_file(client, self_fill, content)
    assert response.status_code == 302
    assert response["Location"] == url("assessment_detail", self_fill)
    assert imported(self_fill).count() == 0


def test_a_validated_assessment_offers_no_workbook(client, project, version, lead):
    validated = factories.assessment(project, version, status=AssessmentStatus.VALIDATED)
    client.force_login(lead)
    response = client.get(url("workbook_download", validated))
    assert response.status_code == 302
    assert (
        url("workbook_upload", validated)
        not in client.get(url("assessment_detail", validated)).content.decode()
    )


def test_another_brand_gets_404_everywhere(client, self_fill, outsider):
    client.force_login(outsider)
    for name in ("workbook_download", "workbook_upload", "workbook_preview"):
        assert client.get(url(name, self_fill)).status_code == 404
    assert client.post(url("workbook_apply", self_fill)).status_code == 404


def test_wrong_methods_are_refused(client, self_fill, lead):
    client.force_login(lead)
    assert client.post(url("workbook_download", self_fill)).status_code == 405
    assert client.get(url("workbook_apply", self_fill)).status_code == 405
    assert client.post(url("workbook_preview", self_fill)).status_code == 405


def test_in_review_the_page_asks_why_before_saving(client, self_fill, lead):
    for answer in self_fill.answers.select_related("question"):
        services.answer_save(
            assessment=self_fill,
            question_key=answer.question.key,
            user=lead,
            base_revision=answer.revision,
            data=services.AnswerInput(option="partly"),
            via=AnswerVia.SELF_FILL,
        )
    services.assessment_submit(assessment=self_fill, user=lead)
    client.force_login(lead)
    [a] = first_keys(self_fill, 1)
    post_file(client, self_fill, fill(download(client, self_fill), {a: {"Answer": "Yes"}}))
    assert "Why these changes" in client.get(url("workbook_preview", self_fill)).content.decode()

    response = client.post(url("workbook_apply", self_fill), follow=True)
    assert response.redirect_chain[-1][0] == url("workbook_preview", self_fill)
    assert "Changing answers in review needs a note" in response.content.decode()
    assert imported(self_fill).count() == 0

    client.post(url("workbook_apply", self_fill), {"note": "The team sent proof"})
    assert imported(self_fill).get().note.startswith("The team sent proof")

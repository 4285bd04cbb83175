"""Payloads that need a world of their own: line breaks where headers are made, links
other than web addresses in the offline workbook and the earlier-round import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from surveys import services
from surveys.models import Answer, AssessmentMode
from tests.security.payloads import BAD_LINKS, HTML, html_problems
from tests.surveys.workbook_files import fill

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def self_fill(project, lead, version):
    return services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )


def test_an_invitation_for_a_project_named_over_two_lines_is_sent_on_one_line(
    client, project, lead, self_fill, mailoutbox
):
    # The admin site takes a line break inside a name; an e-mail header cannot hold one.
    project.name = "Cross-sell\r\nBcc: someone@evil.example"
    project.save()
    client.force_login(lead)
    response = client.post(
        reverse("invitation_list", args=[self_fill.code]), {"email": "a@example.com"}
    )
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.subject.endswith("Cross-sell Bcc: someone@evil.example")
    assert mail.bcc == [] and mail.to == ["a@example.com"]
    assert self_fill.invitations.get().sent_at is not None


@pytest.mark.parametrize("link", [*BAD_LINKS, "vbscript:msgbox(1)", " javascript:alert(1)"])
def test_the_offline_workbook_refuses_links_other_than_web_addresses(client, lead, self_fill, link):
    client.force_login(lead)
    content = client.get(reverse("workbook_download", args=[self_fill.code])).content
    key = self_fill.answers.order_by("question__order").first().question.key
    filled = fill(content, {key: {"Answer": "Yes", "Evidence link": link}})
    upload = SimpleUploadedFile(f"{HTML}.xlsx", filled, content_type=XLSX)
    response = client.post(reverse("workbook_upload", args=[self_fill.code]), {"workbook": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "http:// or https://" in page, page[page.find("<main") :]
    assert "<script>alert(1)" not in page
    assert not Answer.objects.exclude(evidence_url="").exists()


@pytest.mark.parametrize("link", BAD_LINKS)
def test_an_earlier_round_refuses_links_other_than_web_addresses(
    client, group_admin, project, version, link
):
    client.force_login(group_admin)
    template = client.get(reverse("historic_template", args=[project.code])).content
    key = version.questions.filter(applies_to__in=["all", "batch"]).order_by("order")[0].key
    filled = fill(template, {key: {"Answer": "Yes", "Evidence link": link}})
    response = client.post(
        reverse("historic_import", args=[project.code]),
        {
            "workbook": SimpleUploadedFile(f"{HTML}.xlsx", filled, content_type=XLSX),
            "assessed_on": "2024-03-31",
            "mode": "interview",
        },
    )
    assert response.status_code == 400
    assert "http:// or https://" in response.content.decode()
    assert not project.assessments.exists()


def _save(client, assessment, key, revision, **data):
    return client.post(
        reverse("answer_save", args=[assessment.code, key]),
        {"base_revision": revision, "answer": "yes", **data},
        HTTP_HX_REQUEST="true",
    )


def test_the_partials_of_a_save_show_the_posted_payloads_escaped(client, lead, self_fill):
    client.force_login(lead)
    answer = self_fill.answers.order_by("question__order").first()
    key = answer.question.key
    # Saved: the "saved" partial.
    saved = _save(client, self_fill, key, answer.revision, comment=HTML + " first")
    assert saved.status_code == 200
    # A bad link: the comment is saved, the link refused beside its field, as it was sent.
    refused = _save(
        client, self_fill, key, answer.revision + 1, comment=HTML + " second", evidence_url=HTML
    )
    # A conflict: the other person's answer and "mine" (posted) in hidden fields.
    conflict = _save(client, self_fill, key, answer.revision, comment=HTML + " third")
    assert (refused.status_code, conflict.status_code) == (200, 409)
    assert "Not saved" in refused.content.decode()
    for response, shown in ((refused, "second"), (conflict, "third"), (conflict, "second")):
        page = response.content.decode()
        assert html_problems(page) == []
        assert escape(f"{HTML} {shown}") in page

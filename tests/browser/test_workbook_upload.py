"""The offline questionnaire in Chromium: download, fill, upload, check the preview, apply."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from surveys import services
from surveys.models import AnswerEvent, AnswerVia, AssessmentMode
from tests.surveys.workbook_files import fill


@pytest.fixture
def self_fill(project, lead, version):
    return services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )


def test_download_fill_upload_preview_and_apply(
    page, self_fill, keys_of, data_scientist, answer_by_service, tmp_path
):
    a, b, c = keys_of(self_fill)[:3]
    page.goto(reverse("assessment_detail", args=[self_fill.code]))
    page.get_by_role("link", name="Fill in offline (Excel)").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the workbook (.xlsx)").click()
    content = download.value.path().read_bytes()

    # Meanwhile a team member answers b online; the file changes a and b.
    answer_by_service(self_fill, data_scientist, [b], option="no")
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(
        fill(
            content,
            {
                a: {"Answer": "Yes", "Comment": "Checked in the call"},
                b: {"Answer": "Partly"},
                c: {"Answer": "N/A", "N/A reason": "No production model yet"},
            },
        )
    )

    page.get_by_label("Filled-in workbook (.xlsx)").set_input_files(str(filled))
    page.get_by_role("button", name="Check the workbook").click()
    expect(page.get_by_role("heading", name="Check the changes")).to_be_visible()
    changes = page.locator("#workbook-changes")
    expect(changes.locator("tbody tr")).to_have_count(3)
    conflict = page.locator(f"#change-{b}")
    expect(conflict).to_contain_text("Conflict: changed online since the download")
    expect(conflict).to_contain_text("No")
    expect(page.locator(f"#change-{a}")).to_contain_text("Checked in the call")
    assert not AnswerEvent.objects.filter(via=AnswerVia.IMPORT).exists()

    conflict.get_by_role("radio", name="Take the file").check()
    page.get_by_role("button", name="Save these changes").click()
    expect(page.get_by_role("status")).to_contain_text("3 answers saved from the workbook.")

    stored = {x.question.key: x for x in self_fill.answers.select_related("question", "option")}
    assert stored[a].option.key == "yes" and stored[a].comment == "Checked in the call"
    assert stored[b].option.key == "partly"
    assert stored[c].is_na and stored[c].na_reason == "No production model yet"
    assert AnswerEvent.objects.filter(via=AnswerVia.IMPORT).count() == 3


def test_a_bad_workbook_lists_its_problems_and_saves_nothing(
    page, console, self_fill, keys_of, tmp_path
):
    console.allow(r"status of 400 .*/workbook/upload/")  # the page answers a bad file with 400
    [a] = keys_of(self_fill)[:1]
    page.goto(reverse("workbook_upload", args=[self_fill.code]))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the workbook (.xlsx)").click()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(fill(download.value.path().read_bytes(), {a: {"Answer": "Yess"}}))

    page.get_by_label("Filled-in workbook (.xlsx)").set_input_files(str(bad))
    page.get_by_role("button", name="Check the workbook").click()
    problems = page.locator("#workbook-problems")
    expect(problems).to_contain_text("Nothing was saved.")
    expect(problems).to_contain_text("Row 2, Answer: 'Yess' is not one of Yes, Partly, No, N/A")
    assert not AnswerEvent.objects.filter(via=AnswerVia.IMPORT).exists()

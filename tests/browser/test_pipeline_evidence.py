"""The reviewer and the interviewer see what CI reported beside a statement and adopt its link
as the answer's evidence with one click."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from surveys import services
from surveys.models import Answer, AssessmentMode
from tests.clock import PINNED_NOW

KEY = "code-ci"
SHA = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
LINK = "https://ci.example.com/acme/cross-sell/runs/77#tests"


@pytest.fixture
def evidence(project, lead, version):
    return services.evidence_record(
        project=project,
        user=lead,
        question_key=KEY,
        url=LINK,
        outcome="passed",
        run_id="77",
        run_url="https://ci.example.com/acme/cross-sell/runs/77",
        commit=SHA,
        observed_at=PINNED_NOW - datetime.timedelta(days=3),
        source="GitHub Actions",
    )


@pytest.fixture
def submitted(answer_by_service, keys_of, lead, data_scientist, project, version):
    assessment = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    answer_by_service(assessment, data_scientist, keys_of(assessment))
    return services.assessment_submit(assessment=assessment, user=data_scientist)


def test_the_reviewer_sees_the_evidence_and_adopts_its_link(
    open_page, saved, lead, submitted, evidence
):
    page = open_page(lead)
    page.goto(reverse("assessment_review", args=[submitted.code]))
    question = page.locator(f"#q-{KEY}")
    line = question.locator(".pipeline-ev")
    expect(line).to_contain_text("From GitHub Actions, 3 days ago: passed")
    expect(line.get_by_role("link", name="run 77")).to_be_visible()
    expect(line.locator("code")).to_have_text(SHA[:7])

    with saved(page, KEY):
        line.get_by_role("button", name="Use as evidence").click()
    expect(question.get_by_label("Evidence link")).to_have_value(LINK)
    expect(question.locator(".pipeline-ev")).to_contain_text("In use as the evidence link")
    answer = Answer.objects.get(assessment=submitted, question__key=KEY)
    assert answer.evidence_url == LINK
    assert answer.option.key == "yes"


def test_the_interviewer_adopts_it_in_the_console(
    open_page, saved, lead, project, version, evidence
):
    interview = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.INTERVIEW, version=version
    )
    keys = [a.question.key for a in interview.answers.order_by("question__order")]
    page = open_page(lead)
    page.goto(reverse("interview_console", args=[interview.code]) + f"?q={keys.index(KEY) + 1}")
    question = page.locator(f"#q-{KEY}")
    expect(question.locator(".pipeline-ev")).to_contain_text("passed")
    with saved(page, KEY):
        question.get_by_role("button", name="Use as evidence").click()
    expect(question.get_by_label("Evidence link")).to_have_value(LINK)
    assert Answer.objects.get(assessment=interview, question__key=KEY).evidence_url == LINK

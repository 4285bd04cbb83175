"""Each person lands on their own list after logging in and reaches their task in one click."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from surveys import services
from surveys.models import AssessmentMode


def test_a_data_scientist_a_lead_and_an_assessor_each_reach_their_task_in_one_click(
    open_page, answer_by_service, keys_of, lead, data_scientist, group_assessor, project, version
):
    self_fill = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    interview = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.INTERVIEW, version=version
    )
    answer_by_service(self_fill, data_scientist, keys_of(self_fill)[:2])

    page = open_page(data_scientist)
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^My work"))).to_contain_text("1")
    expect(page.locator(".work-progress")).to_contain_text(
        f"Answered 2 of {len(keys_of(self_fill))}"
    )
    page.get_by_role("link", name="Continue: Cross-sell API").click()
    expect(page).to_have_url(re.compile(reverse("assessment_fill", args=[self_fill.code]) + "$"))

    page = open_page(lead)
    expect(page.get_by_role("heading", name="In the brands I lead")).to_be_visible()
    page.get_by_role("link", name="Resume interview: Cross-sell API").click()
    expect(page).to_have_url(re.compile(reverse("interview_console", args=[interview.code])))

    answer_by_service(self_fill, data_scientist, keys_of(self_fill)[2:])
    services.assessment_submit(assessment=self_fill, user=data_scientist)
    page = open_page(group_assessor)
    queue = page.locator("#queue")
    expect(queue.get_by_role("row")).to_have_count(3)  # header, the review, the interview
    page.get_by_label("Mode").select_option("self_fill")
    expect(queue.get_by_role("row")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"\?.*mode=self_fill"))
    queue.get_by_role("link", name="Review Cross-sell API").click()
    expect(page).to_have_url(re.compile(reverse("assessment_review", args=[self_fill.code]) + "$"))

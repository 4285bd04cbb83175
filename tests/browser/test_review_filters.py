"""A reviewer narrows the review to what needs a look, and sees last time's answer beside each."""

import datetime
import re

from django.urls import reverse
from playwright.sync_api import expect

from scoring.services import score_store
from surveys import services
from surveys.models import Answer, AnswerVia, AssessmentMode, AssessmentStatus
from tests import factories


def test_the_review_filters_show_the_right_answers(
    open_page, keys_of, lead, data_scientist, project, version
):
    keys = [
        q.key for q in version.questions.order_by("order") if q.applies_to in ("all", project.kind)
    ]
    before = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers=dict.fromkeys(keys, "yes"),
        assessed_on=datetime.date(2026, 6, 30),
    )
    score_store(assessment=before)
    fill = services.assessment_start(
        project=project,
        user=lead,
        mode=AssessmentMode.SELF_FILL,
        version=version,
        assessed_on=datetime.date(2026, 11, 20),
    )
    for key, data in {
        keys[0]: services.AnswerInput(option="no"),
        keys[1]: services.AnswerInput(is_na=True, na_reason="No personal data"),
        keys[2]: services.AnswerInput(option="partly", evidence_url="https://wiki.example.com/x"),
    }.items():
        answer = Answer.objects.get(assessment=fill, question__key=key)
        services.answer_save(
            assessment=fill,
            question_key=key,
            user=data_scientist,
            base_revision=answer.revision,
            data=data,
            via=AnswerVia.SELF_FILL,
        )
    services.assessment_submit(assessment=fill, user=data_scientist)

    page = open_page(lead)
    page.goto(reverse("assessment_review", args=[fill.code]))
    filters = page.get_by_role("navigation", name="Show only")
    expect(page.locator("form.qform")).to_have_count(len(keys))

    filters.get_by_role("link", name=re.compile(r"^Changed since")).click()
    expect(page.locator("form.qform")).to_have_count(3)
    expect(page.get_by_role("status")).to_contain_text(f"Showing 3 of {len(keys)} statements")
    expect(page.locator(f"#q-{keys[0]}")).to_be_visible()
    expect(page.locator(".rv-previous").first).to_contain_text("last validated: Yes")

    filters.get_by_role("link", name=re.compile(r"^Answered No")).click()
    expect(page.locator("form.qform")).to_have_count(1)
    expect(
        page.locator(f"#q-{keys[0]}").get_by_role("radio", name="No", exact=True)
    ).to_be_checked()

    filters.get_by_role("link", name=re.compile(r"^N\/A")).click()
    expect(page.locator("form.qform")).to_have_count(1)
    expect(page.locator(f"#q-{keys[1]}")).to_be_visible()

    filters.get_by_role("link", name=re.compile(r"^Carried over unchanged")).click()
    expect(page.locator("form.qform")).to_have_count(len(keys) - 3)
    expect(filters.get_by_role("link", name=re.compile(r"^Carried over"))).to_have_attribute(
        "aria-current", "true"
    )

"""Two people change the same answer: the second is told, sees the other value and chooses."""

import pytest
from django.urls import reverse
from django.utils.timezone import localtime
from playwright.sync_api import expect

from surveys import services
from surveys.models import Answer, AssessmentMode


@pytest.fixture
def conflict(open_page, console, saved, keys_of, lead, data_scientist, project, version):
    """The lead answers Yes; the data scientist, on a page opened before, answers No and is refused."""
    assessment = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    key = keys_of(assessment)[0]
    fill_url = reverse("assessment_fill", args=[assessment.code])
    first, second = open_page(lead), open_page(data_scientist)
    first.goto(fill_url)
    second.goto(fill_url)

    with saved(first, key):
        first.locator(f"#q-{key}").get_by_role("radio", name="Yes", exact=True).check()

    console.allow(r"status of 409 .*/answers/")
    question = second.locator(f"#q-{key}")
    with saved(second, key, status=409):
        # click, not check: check() verifies the radio afterwards and clicks again when the
        # 409's form has replaced it meanwhile, which would save No over the conflict.
        question.get_by_role("radio", name="No", exact=True).click()
    return assessment, key, second, question


def _stored(assessment, key):
    return Answer.objects.select_related("option").get(assessment=assessment, question__key=key)


def test_the_second_save_of_one_answer_shows_the_conflict_and_can_apply_its_own_value(
    conflict, saved, lead, data_scientist
):
    assessment, key, page, question = conflict
    box = question.get_by_role("alert")
    expect(box).to_contain_text(f"{lead} changed this answer")
    expect(box).to_contain_text("Their answer: Yes")
    expect(box).to_contain_text("Your answer was: No")
    expect(question.get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    assert _stored(assessment, key).option.key == "yes"

    with saved(page, key):
        question.get_by_role("button", name="Use my answer instead").click()
    answer = _stored(assessment, key)
    assert (answer.option.key, answer.answered_by) == ("no", data_scientist)

    page.goto(reverse("answer_history", args=[assessment.code, key]))
    rows = page.locator("table.history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(str(data_scientist))
    expect(rows.nth(0)).to_contain_text("Option: yes → no")
    expect(rows.nth(1)).to_contain_text(str(lead))
    expect(rows.nth(1)).to_contain_text("Option: \u2013 → yes")  # the dash: nothing before
    for n, event in enumerate(answer.events.order_by("-revision")):
        expect(rows.nth(n).locator("td").first).to_have_text(
            localtime(event.at).strftime("%-d %b %Y %H:%M")
        )


def test_using_my_answer_shows_it_in_the_form_and_a_later_edit_keeps_it(conflict, saved):
    assessment, key, page, question = conflict
    with saved(page, key):
        question.get_by_role("button", name="Use my answer instead").click()
    expect(question.get_by_role("radio", name="No", exact=True)).to_be_checked(timeout=2000)
    expect(question.get_by_role("alert")).to_have_count(0)

    with saved(page, key):
        question.get_by_label("Comment").fill("We keep our answer")
        question.get_by_label("Comment").blur()
    assert _stored(assessment, key).option.key == "no"

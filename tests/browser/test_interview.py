"""An assessor starts an interview from the project page and runs it with the keyboard only."""

import re

from django.template.defaultfilters import floatformat
from django.urls import reverse
from playwright.sync_api import expect

from scoring.models import Score
from surveys.models import Answer, Assessment, AssessmentMode, AssessmentStatus
from tests.browser.conftest import accept_next_dialog


def test_an_assessor_runs_an_interview_by_keyboard_and_finalises_it(
    open_page, saved, answer_by_service, keys_of, group_assessor, project, version
):
    page = open_page(group_assessor)
    page.goto(reverse("project_detail", args=[project.code]))
    start = page.locator("#new-assessment")
    start.get_by_role("radio", name=re.compile(r"^Interview")).check()
    start.get_by_label("Interviewees").fill("Ada, Grace")
    start.get_by_role("button", name="Start the assessment").click()
    interview = Assessment.objects.get(project=project, mode=AssessmentMode.INTERVIEW)
    console_url = reverse("interview_console", args=[interview.code])
    expect(page).to_have_url(re.compile(re.escape(console_url) + "$"))
    expect(page.get_by_text("with Ada, Grace")).to_be_visible()

    # The call covers most statements quickly; the keyboard records the first two and the last.
    keys = keys_of(interview)
    answer_by_service(interview, group_assessor, keys[2:-1])
    page.reload()
    keyboard = page.keyboard
    first = page.locator(f"#q-{keys[0]}")
    expect(page.get_by_text(f"Question 1 of {len(keys)}")).to_be_visible()

    with saved(page, keys[0]):
        keyboard.press("1")
    expect(first.get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    keyboard.press("c")
    expect(first.get_by_label("Comment")).to_be_focused()
    with saved(page, keys[0]):
        keyboard.type("Repository shown on screen")
        keyboard.press("Escape")
    keyboard.press("m")
    expect(first.get_by_label("Interviewer note")).to_be_focused()
    with saved(page, keys[0]):
        keyboard.type("Ask for the CI link")
        keyboard.press("Escape")

    keyboard.press("j")
    expect(page).to_have_url(re.compile(r"\?q=2$"))
    page.wait_for_load_state()  # the keys work once the console's script has run
    with saved(page, keys[1]):
        keyboard.press("2")
    expect(page.locator(f"#q-{keys[1]}").get_by_role("radio", name="Partly")).to_be_checked()

    keyboard.press("k")
    expect(page).to_have_url(re.compile(r"\?q=1$"))
    page.wait_for_load_state()
    expect(first.get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    expect(first.get_by_label("Comment")).to_have_value("Repository shown on screen")
    expect(first.get_by_label("Interviewer note")).to_have_value("Ask for the CI link")

    keyboard.press("u")
    expect(page).to_have_url(re.compile(rf"\?q={len(keys)}$"))
    page.wait_for_load_state()
    last = page.locator(f"#q-{keys[-1]}")
    keyboard.press("0")  # N/A waits for its reason, and the reason field takes the keys
    expect(last.get_by_label("Why does it not apply?")).to_be_focused()
    with saved(page, keys[-1]):
        keyboard.type("No online traffic to split yet")
        keyboard.press("Escape")
    expect(last.get_by_role("radio", name="N/A")).to_be_checked()

    # Nothing left unanswered: `u` opens "Finish the interview"; Tab reaches its button.
    keyboard.press("u")
    expect(page.locator("#iv-finish summary")).to_be_focused()
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Finalise and validate")).to_be_focused()
    asked = accept_next_dialog(page)
    keyboard.press("Enter")

    expect(page).to_have_url(re.compile(reverse("assessment_detail", args=[interview.code]) + "$"))
    expect(page.get_by_role("status")).to_contain_text("Interview finalised")
    assert "Finalise the interview" in asked[0]
    expect(page.locator(".status")).to_have_text("Validated")
    score = Score.objects.get(assessment=interview)
    expect(page.locator(".bigfigure .pct")).to_have_text(f"{floatformat(score.percent, 0)}%")
    interview.refresh_from_db()
    assert interview.status == AssessmentStatus.VALIDATED
    assert interview.conducted_by == group_assessor
    note = Answer.objects.get(assessment=interview, question__key=keys[0]).interviewer_note
    assert note == "Ask for the CI link"

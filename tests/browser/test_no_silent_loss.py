"""Nothing a person types is lost without a word: refused values stay with their reason,
and Submit, Finalise and Validate refuse while a change is not saved."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from surveys import services
from surveys.models import Answer, AssessmentMode, AssessmentStatus
from tests.browser.conftest import accept_next_dialog

# The refused save answers 400, which the browser logs as a failed request.
REFUSED = r"status of 400"


def _answer(assessment, key) -> Answer:
    return Answer.objects.select_related("option").get(assessment=assessment, question__key=key)


@pytest.fixture
def self_fill(lead, project, version):
    return services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )


def _is_save(key):
    return lambda r: r.request.method == "POST" and f"/answers/{key}/" in r.url


def test_a_mistyped_evidence_link_keeps_its_value_and_the_next_choice_is_saved(
    open_page, console, keys_of, data_scientist, self_fill
):
    console.allow(REFUSED)
    key = keys_of(self_fill)[0]
    page = open_page(data_scientist)
    page.goto(reverse("assessment_fill", args=[self_fill.code]))
    question = page.locator(f"#q-{key}")
    link = question.get_by_label("Evidence link")

    with page.expect_response(_is_save(key)) as response:
        link.fill("confluence/runbook")
        link.blur()
    assert response.value.status == 400
    state = page.locator(f"#state-{key}")
    expect(state).to_contain_text("Not saved")
    expect(state).to_contain_text("must be a web address starting with http:// or https://")
    expect(link).to_have_value("confluence/runbook")
    expect(link).to_have_attribute("aria-invalid", "true")
    expect(question.locator(".field-error")).to_contain_text("evidence link")

    # The choice that follows is saved; the link stays refused, with what was typed.
    with page.expect_response(_is_save(key)) as response:
        question.get_by_role("radio", name="Partly", exact=True).check()
    assert response.value.status == 200
    expect(state).to_contain_text("The rest of this answer is saved")
    expect(link).to_have_value("confluence/runbook")
    expect(link).to_have_attribute("aria-invalid", "true")
    stored = _answer(self_fill, key)
    assert stored.option.key == "partly" and stored.evidence_url == ""

    # Leaving with the refused link asks first.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name=self_fill.project.name).first.click()
    expect(page).to_have_url(re.compile(reverse("assessment_fill", args=[self_fill.code])))
    assert asked == ["beforeunload"]

    # Fixing it saves it and clears the refusal.
    with page.expect_response(_is_save(key)) as response:
        link.fill("https://wiki.example.com/runbook")
        link.blur()
    assert response.value.status == 200
    expect(state).to_contain_text("Saved")
    expect(link).not_to_have_attribute("aria-invalid", "true")
    assert _answer(self_fill, key).evidence_url == "https://wiki.example.com/runbook"

    page.reload()
    expect(question.get_by_role("radio", name="Partly", exact=True)).to_be_checked()
    expect(link).to_have_value("https://wiki.example.com/runbook")


def test_submit_is_refused_while_a_value_is_not_saved(
    open_page, console, answer_by_service, keys_of, data_scientist, self_fill
):
    console.allow(REFUSED)
    keys = keys_of(self_fill)
    answer_by_service(self_fill, data_scientist, keys)
    page = open_page(data_scientist)
    page.goto(reverse("assessment_fill", args=[self_fill.code]))
    link = page.locator(f"#q-{keys[1]}").get_by_label("Evidence link")
    with page.expect_response(_is_save(keys[1])):
        link.fill("see the wiki page, section Monitoring")
        link.blur()

    page.get_by_role("button", name="Submit the assessment").click()
    refusal = page.locator(".submit-box .freeze-refused")
    expect(refusal).to_contain_text("Not submitted: 1 statement has a change not saved")
    expect(refusal.get_by_role("link")).to_have_attribute("href", f"#q-{keys[1]}")
    self_fill.refresh_from_db()
    assert self_fill.status == AssessmentStatus.DRAFT


def test_submit_right_after_a_refused_save_waits_for_the_swapped_form_to_settle(
    open_page, console, answer_by_service, keys_of, data_scientist, self_fill
):
    # htmx keeps the old form's classes ("still saving") on the swapped-in form until it
    # settles; a click on Submit in that moment must still end in the refusal, not in nothing.
    console.allow(REFUSED)
    keys = keys_of(self_fill)
    answer_by_service(self_fill, data_scientist, keys)
    page = open_page(data_scientist)
    page.goto(reverse("assessment_fill", args=[self_fill.code]))
    page.evaluate("htmx.config.defaultSettleDelay = 1500")
    question = page.locator(f"#q-{keys[1]}")
    link = question.get_by_label("Evidence link")
    with page.expect_response(_is_save(keys[1])):
        link.fill("wiki/monitoring")
        link.blur()
    expect(question).to_have_class(re.compile(r"\bhtmx-settling\b"))
    expect(question).to_have_class(re.compile(r"\bis-saving\b"))

    page.get_by_role("button", name="Submit the assessment").click()
    refusal = page.locator(".submit-box .freeze-refused")
    expect(refusal).to_contain_text("Not submitted: 1 statement has a change not saved")
    expect(question).to_have_class(re.compile(r"\bis-refused\b"))
    self_fill.refresh_from_db()
    assert self_fill.status == AssessmentStatus.DRAFT


@pytest.fixture
def submitted(answer_by_service, keys_of, data_scientist, self_fill):
    answer_by_service(self_fill, data_scientist, keys_of(self_fill))
    return services.assessment_submit(assessment=self_fill, user=data_scientist)


def test_validate_with_a_change_waiting_for_its_note_is_refused(
    open_page, console, saved, keys_of, lead, submitted
):
    console.allow(r"htmx:oobErrorNoTarget")
    key = keys_of(submitted)[0]
    page = open_page(lead)
    page.goto(reverse("assessment_review", args=[submitted.code]))
    question = page.locator(f"#q-{key}")
    question.get_by_role("radio", name="No", exact=True).check()
    expect(question).to_have_class(re.compile(r"\bneeds-note\b"))

    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("button", name="Validate").click()
    refusal = page.locator(".freeze-refused")
    expect(refusal).to_contain_text("Not validated: 1 statement has a change not saved")
    expect(refusal).to_contain_text("waits for its review note")
    assert dialogs == []
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED
    assert _answer(submitted, key).option.key == "yes"
    page.remove_listener("dialog", dismiss)

    # With the note the change is saved, and Validate asks before freezing.
    with saved(page, key):
        question.get_by_label("Review note").fill("No monitoring dashboard exists yet")
        question.get_by_label("Review note").blur()
    expect(page.locator("#disagreements .count")).to_have_text("1")
    asked = accept_next_dialog(page)
    page.get_by_role("button", name="Validate").click()
    expect(page).to_have_url(re.compile(reverse("assessment_detail", args=[submitted.code]) + "$"))
    assert "frozen for good" in asked[0]
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.VALIDATED
    assert _answer(submitted, key).option.key == "no"


def test_submit_right_after_typing_waits_for_the_save_and_then_asks(
    open_page, answer_by_service, keys_of, data_scientist, self_fill
):
    keys = keys_of(self_fill)
    answer_by_service(self_fill, data_scientist, keys)
    page = open_page(data_scientist)
    page.goto(reverse("assessment_fill", args=[self_fill.code]))
    page.locator(f"#q-{keys[0]}").get_by_label("Comment").fill("Written just before submitting")

    asked = accept_next_dialog(page)
    page.get_by_role("button", name="Submit the assessment").click()
    expect(page).to_have_url(re.compile(reverse("assessment_detail", args=[self_fill.code]) + "$"))
    assert "Submit the self-assessment" in asked[0]
    assert _answer(self_fill, keys[0]).comment == "Written just before submitting"
    self_fill.refresh_from_db()
    assert self_fill.status == AssessmentStatus.SUBMITTED

"""A data scientist follows an invitation, fills in part of the self-fill, comes back, finishes and submits."""

import re

from django.template.defaultfilters import floatformat
from django.urls import reverse
from playwright.sync_api import expect

from brands.models import User
from scoring.models import Score
from surveys import services
from surveys.models import AssessmentMode
from tests.browser.conftest import accept_next_dialog

NEW_PASSWORD = "lantern-orchard-5817"


def _radio(question, label):
    return question.get_by_role("radio", name=label, exact=True)


def test_a_new_respondent_fills_in_comes_back_finishes_and_submits(
    open_page,
    console,
    saved,
    answer_by_service,
    keys_of,
    live_server,
    mailoutbox,
    lead,
    project,
    version,
):
    assessment = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    services.invitation_create(
        assessment=assessment, email="nadia@example.com", user=lead, base_url=live_server.url
    )
    link = re.search(r"https?://\S+/invite/\S+/", mailoutbox[-1].body).group(0)
    keys = keys_of(assessment)
    fill_url = reverse("assessment_fill", args=[assessment.code])
    page = open_page()

    # A new address: the link asks for an account first, then opens the questions.
    page.goto(link)
    expect(page.get_by_role("heading", name="Create your Yardstick account")).to_be_visible()
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account and start").click()
    expect(page).to_have_url(re.compile(re.escape(fill_url) + "$"))

    # Part of the survey: radios, a comment, N/A with its reason.
    first, second, third, fourth = (page.locator(f"#q-{key}") for key in keys[:4])
    with saved(page, keys[0]):
        _radio(first, "Yes").check()
    with saved(page, keys[1]):
        _radio(second, "Partly").check()
    with saved(page, keys[1]):
        second.get_by_label("Comment").fill("Only the training code so far")
        second.get_by_label("Comment").blur()
    _radio(third, "N/A").check()  # held until the reason is given
    with saved(page, keys[2]):
        third.get_by_label("Why does it not apply?").fill("No personal data in this model")
        third.get_by_label("Why does it not apply?").blur()
    with saved(page, keys[3]):
        _radio(fourth, "No").check()

    page.reload()
    expect(_radio(first, "Yes")).to_be_checked()
    expect(_radio(second, "Partly")).to_be_checked()
    expect(second.get_by_label("Comment")).to_have_value("Only the training code so far")
    expect(_radio(third, "N/A")).to_be_checked()
    expect(third.get_by_label("Why does it not apply?")).to_have_value(
        "No personal data in this model"
    )
    expect(_radio(fourth, "No")).to_be_checked()
    expect(page.locator("#overall-progress")).to_contain_text(f"Answered 4 of {len(keys)}")

    # Submitting too early lists what is missing, each with a link to it.
    console.allow(r"status of 400 .*/submit/")
    page.get_by_role("button", name="Submit the assessment").click()
    missing = len(keys) - 4
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"{missing} statements still need an answer"
    )
    links = page.locator("ul.missing a")
    expect(links).to_have_count(missing)
    expect(links.first).to_have_attribute("href", f"{fill_url}#q-{keys[4]}")

    # The rest quickly, all but the last, which the respondent answers from the list.
    respondent = User.objects.get(email="nadia@example.com")
    answer_by_service(assessment, respondent, keys[4:-1])
    links.last.click()
    last = page.locator(f"#q-{keys[-1]}")
    with saved(page, keys[-1]):
        _radio(last, "Partly").check()
    expect(page.locator("#overall-progress")).to_contain_text(
        f"Answered {len(keys)} of {len(keys)}"
    )

    asked = accept_next_dialog(page)
    page.get_by_role("button", name="Submit the assessment").click()
    expect(page).to_have_url(re.compile(reverse("assessment_detail", args=[assessment.code]) + "$"))
    expect(page.get_by_role("status")).to_contain_text("submitted for review")
    assert f"Answered: {len(keys)} of {len(keys)}." in asked[0]
    score = Score.objects.get(assessment=assessment)
    expect(page.locator(".bigfigure .pct")).to_have_text(f"{floatformat(score.percent, 0)}%")
    expect(page.get_by_text("Core statements met:")).to_contain_text(
        f"{score.core_met} of {score.core_total}"
    )

    # Submitted: nothing to edit any more, and the fill page sends the respondent back here.
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.get_by_role("link", name="Continue filling in")).to_have_count(0)
    page.goto(fill_url)
    expect(page).to_have_url(re.compile(reverse("assessment_detail", args=[assessment.code]) + "$"))

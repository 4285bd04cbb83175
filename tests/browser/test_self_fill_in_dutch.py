"""A respondent switches Yardstick to Dutch and fills in a whole self-fill in Dutch (issue 19,
part 3): the set's Dutch statements, the page marked as Dutch, and every stored answer records
the language its statement was shown in.

What the interface says is looked up with `gettext` under Dutch, so this holds whether or not
the Dutch catalog is filled in yet; the statements come from the set's own translations.
"""

import contextlib
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from surveys import services
from surveys.models import AssessmentMode, AssessmentStatus
from tests.browser.conftest import accept_next_dialog
from tests.surveys import translated_set


@pytest.fixture
def version(version):
    yield translated_set.translate(version)
    translated_set.forget_languages()


def _dutch(text: str) -> str:
    with translation.override("nl"):
        return gettext(text)


@contextlib.contextmanager
def _saved(page, key: str):
    """Waits for the question's save to be answered and shown as saved (in any language)."""
    with page.expect_response(
        lambda r: r.request.method == "POST" and f"/answers/{key}/" in r.url
    ) as response:
        yield
    assert response.value.status == 200, f"saving {key} answered {response.value.status}"
    expect(page.locator(f"#state-{key} .ok")).to_be_visible()


def test_a_respondent_fills_in_a_self_fill_in_dutch_end_to_end(
    open_page, data_scientist, lead, project, version
):
    assessment = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    answers = list(
        assessment.answers.select_related("question__section").order_by("question__order")
    )
    fill_url = reverse("assessment_fill", args=[assessment.code])
    page = open_page(data_scientist)
    page.goto(fill_url)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # The header's switcher: Nederlands, kept in the profile.
    page.locator("#language-select").select_option("nl")
    page.locator("form.language button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page).to_have_url(re.compile(re.escape(fill_url) + "$"))
    data_scientist.refresh_from_db()
    assert data_scientist.language == "nl"

    first = answers[0].question
    expect(page.locator(f"#q-{first.key} legend")).to_contain_text(first.translations["nl"]["text"])
    expect(page.locator(f"#h-{first.section.key}")).to_contain_text(
        first.section.translations["nl"]["title"]
    )
    expect(page.locator("#statement-language")).to_have_value("nl")
    expect(page.get_by_role("button", name=_dutch("Submit the assessment"))).to_be_visible()
    # A statement the set has no Dutch for is shown in English, marked as such.
    untranslated = [a.question for a in answers if "nl" not in a.question.translations]
    assert untranslated, "the test set keeps a few English-only statements"
    legend = page.locator(f"#q-{untranslated[0].key} legend")
    expect(legend.locator('span[lang="en"]')).to_have_text(untranslated[0].text)
    expect(legend.locator(".fallback-note")).to_have_text("(English)")

    # Every statement, answered on the page.
    for answer in answers:
        question = page.locator(f"#q-{answer.question.key}")
        with _saved(page, answer.question.key):
            question.get_by_role("radio", name="Ja", exact=True).check()

    asked = accept_next_dialog(page)
    page.get_by_role("button", name=_dutch("Submit the assessment")).click()
    expect(page).to_have_url(re.compile(reverse("assessment_detail", args=[assessment.code]) + "$"))
    assert asked, "submitting asks for confirmation first"
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED

    stored = {
        a.question.key: a.language
        for a in assessment.answers.select_related("question").order_by("question__order")
    }
    expected = {a.question.key: "nl" if "nl" in a.question.translations else "en" for a in answers}
    assert stored == expected
    assert list(stored.values()).count("nl") > len(stored) / 2

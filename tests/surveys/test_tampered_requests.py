"""Tampered or bad answer saves get a clear 4xx message and change nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import Answer, AnswerEvent
from surveys.services import assessment_start


@pytest.fixture
def self_fill(version, project, lead):
    return assessment_start(project=project, user=lead, mode="self_fill", version=version)


@pytest.fixture
def first(self_fill):
    return self_fill.answers.select_related("question").order_by("question__order").first()


def _nothing_changed(assessment):
    assert not Answer.objects.filter(assessment=assessment, revision__gt=0).exists()
    assert not AnswerEvent.objects.filter(answer__assessment=assessment).exists()


def test_a_save_without_a_csrf_token_is_refused_with_a_clear_page(self_fill, first, lead):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    url = reverse("answer_save", args=[self_fill.code, first.question.key])
    response = client.post(url, {"base_revision": 0, "answer": "yes"})
    assert response.status_code == 403
    assert "security token" in response.content.decode()
    _nothing_changed(self_fill)


def test_a_question_of_another_assessment_is_not_found(
    client, self_fill, lead, version, other_project, other_brand
):
    from tests import factories

    other_lead = factories.member(other_brand, "lead", username="otherlead")
    other = assessment_start(
        project=other_project, user=other_lead, mode="self_fill", version=version
    )
    batch_only = other.answers.filter(question__applies_to="batch").select_related("question")
    client.force_login(lead)
    # A batch-only question exists in the version but not in this real-time project's assessment.
    url = reverse("answer_save", args=[self_fill.code, batch_only.first().question.key])
    response = client.post(url, {"base_revision": 0, "answer": "yes"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    _nothing_changed(self_fill)


def test_an_option_that_does_not_exist_is_named_in_the_refusal(client, self_fill, first, lead):
    client.force_login(lead)
    url = reverse("answer_save", args=[self_fill.code, first.question.key])
    response = client.post(url, {"base_revision": 0, "answer": "maybe"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "&#x27;maybe&#x27; is not one of Yes, Partly, No, N/A" in response.content.decode()
    _nothing_changed(self_fill)


def test_a_non_numeric_revision_is_refused(client, self_fill, first, lead):
    client.force_login(lead)
    url = reverse("answer_save", args=[self_fill.code, first.question.key])
    response = client.post(url, {"base_revision": "abc", "answer": "yes"})
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    _nothing_changed(self_fill)


def test_another_brands_assessment_is_not_found(client, self_fill, first, outsider):
    client.force_login(outsider)
    url = reverse("answer_save", args=[self_fill.code, first.question.key])
    response = client.post(url, {"base_revision": 0, "answer": "yes"})
    assert response.status_code == 404
    _nothing_changed(self_fill)


def test_a_script_in_a_comment_is_shown_as_text(client, self_fill, first, lead):
    client.force_login(lead)
    url = reverse("answer_save", args=[self_fill.code, first.question.key])
    payload = "<script>alert('x')</script>"
    client.post(url, {"base_revision": 0, "answer": "yes", "comment": payload})
    page = client.get(reverse("assessment_fill", args=[self_fill.code])).content.decode()
    assert payload not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page

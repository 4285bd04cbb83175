"""Validate freezes only what the reviewer's page shows: the page sends its choices, and
the server refuses when one differs from what is saved (a change held for its note, or
one made meanwhile by someone else)."""

import pytest
from django.urls import reverse

from surveys.models import AssessmentStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(project, version, lead, data_scientist):
    return factories.submitted_self_fill(project, version, lead=lead, respondent=data_scientist)


def _shown(assessment, **changed) -> list[str]:
    keys = assessment.answers.values_list("question__key", flat=True)
    return [f"{key}={changed.get(key, 'yes')}" for key in keys]


def _validate(client, user, assessment, shown):
    client.force_login(user)
    url = reverse("assessment_validate", args=[assessment.code])
    return client.post(url, {"shown": shown} if shown is not None else {})


def test_a_choice_on_the_page_that_is_not_saved_stops_validation(client, lead, submitted):
    answer = submitted.answers.select_related("question").first()
    response = _validate(client, lead, submitted, _shown(submitted, **{answer.question.key: "no"}))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Not validated: 1 answer on your page differs from what is saved" in page
    assert answer.question.text[:40] in page
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED


def test_the_page_as_saved_validates(client, lead, submitted):
    response = _validate(client, lead, submitted, _shown(submitted))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.VALIDATED


def test_without_javascript_nothing_is_sent_and_it_validates(client, lead, submitted):
    assert _validate(client, lead, submitted, None).status_code == 302


def test_another_brands_user_gets_404_and_a_viewer_403(client, outsider, viewer, submitted):
    assert _validate(client, outsider, submitted, _shown(submitted)).status_code == 404
    assert _validate(client, viewer, submitted, _shown(submitted)).status_code == 403


def test_it_only_takes_post(client, lead, submitted):
    client.force_login(lead)
    url = reverse("assessment_validate", args=[submitted.code])
    assert client.get(url).status_code == 405

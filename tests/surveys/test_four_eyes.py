"""The group's four-eyes rule: off by default; when on, an interview or self-fill is
validated by someone other than the one who ran it, enforced by the services."""

import pytest
from django.urls import reverse

from brands.models import GroupSettings
from surveys import services
from surveys.models import AnswerVia, AssessmentMode, AssessmentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def four_eyes():
    settings = GroupSettings.current()
    settings.four_eyes = True
    settings.save()
    return settings


def _answer_all(assessment, user):
    via = (
        AnswerVia.INTERVIEW if assessment.mode == AssessmentMode.INTERVIEW else AnswerVia.SELF_FILL
    )
    for answer in assessment.answers.select_related("question"):
        services.answer_save(
            assessment=assessment,
            question_key=answer.question.key,
            user=user,
            base_revision=answer.revision,
            data=services.AnswerInput(option="yes"),
            via=via,
        )


@pytest.fixture
def interview(project, version, lead):
    assessment = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.INTERVIEW, version=version
    )
    _answer_all(assessment, lead)
    return assessment


@pytest.fixture
def self_fill(project, version, lead, data_scientist):
    assessment = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    _answer_all(assessment, data_scientist)
    return services.assessment_submit(assessment=assessment, user=data_scientist)


def test_it_is_off_by_default_and_the_interviewer_validates_by_finalising(lead, interview):
    assert GroupSettings.current().four_eyes is False
    services.interview_finalise(assessment=interview, user=lead)
    assert interview.status == AssessmentStatus.VALIDATED


def test_with_it_on_a_finalised_interview_waits_for_another_assessor(
    four_eyes, lead, group_assessor, interview
):
    services.interview_finalise(assessment=interview, user=lead)
    assert interview.status == AssessmentStatus.SUBMITTED
    with pytest.raises(services.NotAllowed, match="four-eyes rule is on"):
        services.assessment_validate(assessment=interview, user=lead)
    interview.refresh_from_db()
    assert interview.status == AssessmentStatus.SUBMITTED
    services.assessment_validate(assessment=interview, user=group_assessor)
    assert interview.status == AssessmentStatus.VALIDATED
    assert interview.validated_by == group_assessor


def test_with_it_on_the_lead_who_started_a_self_fill_cannot_validate_it(
    four_eyes, lead, group_assessor, self_fill
):
    with pytest.raises(services.NotAllowed, match="four-eyes"):
        services.assessment_validate(assessment=self_fill, user=lead)
    services.assessment_validate(assessment=self_fill, user=group_assessor)
    assert self_fill.status == AssessmentStatus.VALIDATED


def test_the_review_page_says_so_and_the_validate_view_refuses(client, four_eyes, lead, self_fill):
    client.force_login(lead)
    page = client.get(reverse("assessment_review", args=[self_fill.code])).content.decode()
    assert "The four-eyes rule is on" in page
    assert '<button type="submit" disabled>Validate</button>' in page
    response = client.post(reverse("assessment_validate", args=[self_fill.code]))
    assert response.status_code == 403
    assert "four-eyes rule is on" in response.content.decode()
    self_fill.refresh_from_db()
    assert self_fill.status == AssessmentStatus.SUBMITTED


def test_a_second_assessor_reviews_a_finalised_interview_through_the_review_page(
    client, four_eyes, lead, group_assessor, interview
):
    client.force_login(lead)
    response = client.post(reverse("interview_finalise", args=[interview.code]))
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == AssessmentStatus.SUBMITTED

    client.force_login(group_assessor)
    page = client.get(reverse("home")).content.decode()
    assert reverse("assessment_review", args=[interview.code]) in page
    assert client.get(reverse("assessment_review", args=[interview.code])).status_code == 200
    response = client.post(reverse("assessment_validate", args=[interview.code]))
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == AssessmentStatus.VALIDATED

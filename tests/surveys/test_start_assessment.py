"""Starting a self-fill or an interview from the project page."""

import datetime

import pytest
from django.urls import reverse

from surveys.models import Assessment, AssessmentMode, AssessmentStatus
from tests import factories


def _start_url(project) -> str:
    return reverse("assessment_start", args=[project.code])


def _project_url(project) -> str:
    return reverse("project_detail", args=[project.code])


@pytest.fixture(autouse=True)
def _published(version):
    """Every test here needs the default question set published."""
    return version


def test_the_project_page_offers_a_new_assessment_form_to_leads(client, lead, project):
    client.force_login(lead)
    response = client.get(_project_url(project))
    assert response.status_code == 200
    assert "New assessment" in response.text
    assert 'value="self_fill"' in response.text
    assert 'value="interview"' in response.text
    assert f'value="{datetime.date.today():%Y-%m-%d}"' in response.text
    assert "No assessment yet" in response.text
    assert "start one" in response.text


def test_the_project_page_hides_the_form_from_viewers(client, viewer, project):
    client.force_login(viewer)
    response = client.get(_project_url(project))
    assert response.status_code == 200
    assert "New assessment" not in response.text
    assert "start one" not in response.text


def test_a_lead_opens_a_self_fill_and_goes_to_the_invitations(client, lead, project):
    client.force_login(lead)
    response = client.post(_start_url(project), {"mode": "self_fill", "assessed_on": "2025-03-14"})
    assessment = Assessment.objects.get(project=project)
    assert response.status_code == 302
    assert response["Location"] == reverse("invitation_list", args=[assessment.code])
    assert assessment.mode == AssessmentMode.SELF_FILL
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.assessed_on == datetime.date(2025, 3, 14)
    assert assessment.created_by == lead
    assert assessment.answers.exists()


def test_a_lead_starts_an_interview_with_its_interviewees(client, lead, project):
    client.force_login(lead)
    response = client.post(
        _start_url(project), {"mode": "interview", "interviewees": " Ada Lovelace, Alan Turing "}
    )
    assessment = Assessment.objects.get(project=project)
    assert response.status_code == 302
    assert response["Location"] == reverse("interview_console", args=[assessment.code])
    assert assessment.mode == AssessmentMode.INTERVIEW
    assert assessment.conducted_by == lead
    assert assessment.interviewees == "Ada Lovelace, Alan Turing"
    assert assessment.assessed_on == datetime.date.today()


def test_the_open_assessments_show_on_the_project_page(client, lead, project):
    client.force_login(lead)
    client.post(_start_url(project), {"mode": "self_fill"})
    client.post(_start_url(project), {"mode": "interview"})
    response = client.get(_project_url(project))
    self_fill = Assessment.objects.get(project=project, mode=AssessmentMode.SELF_FILL)
    total = self_fill.answers.count()
    assert "Self-fill in progress:" in response.text
    assert f"0 of {total} answered" in response.text
    assert reverse("assessment_fill", args=[self_fill.code]) in response.text
    assert reverse("invitation_list", args=[self_fill.code]) in response.text
    assert "Interview not started yet" in response.text


def test_a_team_data_scientist_sees_fill_in_but_not_the_form(client, lead, data_scientist, project):
    client.force_login(lead)
    client.post(_start_url(project), {"mode": "self_fill"})
    self_fill = Assessment.objects.get(project=project)
    client.force_login(data_scientist)
    response = client.get(_project_url(project))
    assert "Fill in" in response.text
    assert reverse("assessment_fill", args=[self_fill.code]) in response.text
    assert reverse("invitation_list", args=[self_fill.code]) not in response.text
    assert "New assessment" not in response.text


def test_a_second_open_draft_of_the_same_mode_is_refused_on_the_project_page(client, lead, project):
    client.force_login(lead)
    client.post(_start_url(project), {"mode": "self_fill"})
    response = client.post(_start_url(project), {"mode": "self_fill"}, follow=True)
    assert response.redirect_chain[-1][0] == _project_url(project)
    assert "already has an open self-fill" in response.text
    assert Assessment.objects.filter(project=project).count() == 1


def test_an_interview_may_run_beside_an_open_self_fill(client, lead, project):
    client.force_login(lead)
    client.post(_start_url(project), {"mode": "self_fill"})
    client.post(_start_url(project), {"mode": "interview"})
    assert Assessment.objects.filter(project=project, status=AssessmentStatus.DRAFT).count() == 2


def test_a_bad_mode_is_refused_with_a_message(client, lead, project):
    client.force_login(lead)
    response = client.post(_start_url(project), {"mode": "telepathy"}, follow=True)
    assert "Choose self-fill or interview" in response.text
    assert not Assessment.objects.exists()


def test_answers_carry_over_from_the_latest_validated_assessment(client, lead, project, version):
    key = version.questions.order_by("order").first().key
    factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers={key: "yes"},
        assessed_on=datetime.date(2024, 12, 1),
    )
    client.force_login(lead)
    client.post(_start_url(project), {"mode": "self_fill"})
    new = Assessment.objects.get(project=project, status=AssessmentStatus.DRAFT)
    answer = new.answers.get(question__key=key)
    assert answer.option.key == "yes"
    assert answer.carried_over
    assert new.answers.filter(carried_over=True).count() == 1


def test_an_interview_can_start_from_a_submitted_self_fill(client, lead, project, version):
    keys = list(version.questions.order_by("order").values_list("key", flat=True)[:2])
    factories.assessment(
        project, version, status=AssessmentStatus.VALIDATED, answers={keys[0]: "yes"}
    )
    submitted = factories.assessment(
        project,
        version,
        mode=AssessmentMode.SELF_FILL,
        status=AssessmentStatus.SUBMITTED,
        answers={keys[1]: "no"},
        assessed_on=datetime.date(2025, 2, 3),
    )
    client.force_login(lead)
    page = client.get(_project_url(project))
    assert "the submitted self-fill of 3 Feb 2025" in page.text
    client.post(_start_url(project), {"mode": "interview", "source": str(submitted.code)})
    interview = Assessment.objects.get(project=project, status=AssessmentStatus.DRAFT)
    assert interview.mode == AssessmentMode.INTERVIEW
    assert interview.previous == submitted
    assert interview.answers.get(question__key=keys[1]).option.key == "no"
    assert interview.answers.get(question__key=keys[0]).option is None


def test_a_source_from_another_project_is_ignored(client, lead, project, version, other_project):
    foreign = factories.assessment(
        other_project, version, mode=AssessmentMode.SELF_FILL, status=AssessmentStatus.SUBMITTED
    )
    client.force_login(lead)
    client.post(_start_url(project), {"mode": "interview", "source": str(foreign.code)})
    interview = Assessment.objects.get(project=project)
    assert interview.previous is None


def test_a_brand_viewer_may_not_start_an_assessment(client, viewer, project):
    client.force_login(viewer)
    response = client.post(_start_url(project), {"mode": "self_fill"})
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_a_team_data_scientist_may_not_start_an_assessment(client, data_scientist, project):
    client.force_login(data_scientist)
    assert client.post(_start_url(project), {"mode": "self_fill"}).status_code == 403
    assert not Assessment.objects.exists()


def test_another_brands_lead_gets_404(client, outsider, project):
    client.force_login(outsider)
    assert client.post(_start_url(project), {"mode": "self_fill"}).status_code == 404
    assert not Assessment.objects.exists()


def test_a_group_assessor_may_start_an_assessment(client, group_assessor, project):
    client.force_login(group_assessor)
    assert client.post(_start_url(project), {"mode": "self_fill"}).status_code == 302
    assert Assessment.objects.filter(project=project).count() == 1


def test_starting_needs_post(client, lead, project):
    client.force_login(lead)
    assert client.get(_start_url(project)).status_code == 405
    assert not Assessment.objects.exists()


# The assessment page's actions


def _detail(client, assessment) -> str:
    return client.get(reverse("assessment_detail", args=[assessment.code])).text


def test_a_respondent_is_offered_to_continue_an_open_self_fill(
    client, data_scientist, project, version
):
    self_fill = factories.assessment(project, version, mode=AssessmentMode.SELF_FILL)
    client.force_login(data_scientist)
    page = _detail(client, self_fill)
    assert "Continue filling in" in page
    assert reverse("assessment_fill", args=[self_fill.code]) in page
    assert reverse("invitation_list", args=[self_fill.code]) not in page


def test_a_lead_sees_the_invitations_of_a_self_fill(client, lead, project, version):
    self_fill = factories.assessment(project, version, mode=AssessmentMode.SELF_FILL)
    client.force_login(lead)
    assert reverse("invitation_list", args=[self_fill.code]) in _detail(client, self_fill)


def test_a_lead_is_offered_the_console_of_an_open_interview(client, lead, project, version):
    interview = factories.assessment(project, version, mode=AssessmentMode.INTERVIEW)
    client.force_login(lead)
    page = _detail(client, interview)
    assert "Open the interview console" in page
    assert reverse("interview_console", args=[interview.code]) in page


def test_a_lead_is_offered_the_review_of_a_submitted_self_fill(client, lead, project, version):
    submitted = factories.assessment(
        project, version, mode=AssessmentMode.SELF_FILL, status=AssessmentStatus.SUBMITTED
    )
    client.force_login(lead)
    assert reverse("assessment_review", args=[submitted.code]) in _detail(client, submitted)


def test_a_viewer_is_offered_no_actions(client, viewer, project, version):
    self_fill = factories.assessment(project, version, mode=AssessmentMode.SELF_FILL)
    client.force_login(viewer)
    page = _detail(client, self_fill)
    assert "Continue filling in" not in page
    assert reverse("invitation_list", args=[self_fill.code]) not in page

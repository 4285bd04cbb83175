"""The interview console: who may open it, what it shows, pausing and finalising."""

import pytest
from django.urls import reverse

from scoring.models import Score
from surveys import services
from surveys.models import AnswerEvent, AnswerVia, AssessmentMode, AssessmentStatus


def _start(project, user, version):
    return services.assessment_start(
        project=project,
        user=user,
        mode=AssessmentMode.INTERVIEW,
        version=version,
        interviewees="Ada, Grace",
    )


def _answer_all(assessment, user, *, except_first: int = 0):
    answers = list(assessment.answers.select_related("question").order_by("question__order"))
    for answer in answers[except_first:]:
        services.answer_save(
            assessment=assessment,
            question_key=answer.question.key,
            user=user,
            base_revision=answer.revision,
            data=services.AnswerInput(option="yes"),
            via=AnswerVia.INTERVIEW,
        )
    return answers


def _questions(assessment):
    return [
        a.question
        for a in assessment.answers.select_related("question").order_by("question__order")
    ]


@pytest.fixture
def interview(project, lead, version):
    return _start(project, lead, version)


def _url(name, assessment):
    return reverse(name, args=[assessment.code])


# The console page


def test_console_shows_the_question_named_in_the_address(client, lead, interview):
    client.force_login(lead)
    questions = _questions(interview)
    response = client.get(_url("interview_console", interview) + "?q=3")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Question 3 of {len(questions)}" in body
    assert f'id="q-{questions[2].key}"' in body
    assert f'id="q-{questions[0].key}"' not in body


def test_console_shows_guidance_and_evidence_to_ask_for_without_a_click(client, lead, interview):
    client.force_login(lead)
    question = _questions(interview)[0]
    response = client.get(_url("interview_console", interview) + "?q=1")
    assert "Evidence to ask for" in response.content.decode()
    assert question.evidence and question.evidence.split()[0] in response.content.decode()


def test_console_offers_the_private_interviewer_note(client, lead, interview):
    client.force_login(lead)
    response = client.get(_url("interview_console", interview))
    assert 'name="interviewer_note"' in response.content.decode()


def test_console_lists_every_question_in_the_overview_strip(client, lead, interview):
    client.force_login(lead)
    total = len(_questions(interview))
    body = client.get(_url("interview_console", interview) + "?q=2").content.decode()
    assert body.count("data-nav data-key=") == total
    assert 'aria-current="step">2<' in body


def test_console_marks_answered_questions_in_the_strip(client, lead, interview):
    first = _questions(interview)[0]
    services.answer_save(
        assessment=interview,
        question_key=first.key,
        user=lead,
        base_revision=0,
        data=services.AnswerInput(option="no"),
        via=AnswerVia.INTERVIEW,
    )
    client.force_login(lead)
    body = client.get(_url("interview_console", interview) + "?q=2").content.decode()
    assert f'class="iv-box answered" data-nav data-key="{first.key}"' in body


def test_console_starts_the_clock(client, lead, interview):
    assert interview.interview_resumed_at is None
    client.force_login(lead)
    client.get(_url("interview_console", interview))
    interview.refresh_from_db()
    assert interview.interview_resumed_at is not None


def test_console_keeps_a_question_number_out_of_range_inside_the_set(client, lead, interview):
    client.force_login(lead)
    total = len(_questions(interview))
    body = client.get(_url("interview_console", interview) + "?q=999").content.decode()
    assert f"Question {total} of {total}" in body
    body = client.get(_url("interview_console", interview) + "?q=abc").content.decode()
    assert f"Question 1 of {total}" in body


def test_group_assessor_can_run_the_console(client, group_assessor, interview):
    client.force_login(group_assessor)
    assert client.get(_url("interview_console", interview)).status_code == 200


def test_console_requires_login(client, interview):
    response = client.get(_url("interview_console", interview))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_console_rejects_post(client, lead, interview):
    client.force_login(lead)
    assert client.post(_url("interview_console", interview)).status_code == 405


def test_console_is_missing_for_another_brands_user(client, outsider, interview):
    client.force_login(outsider)
    assert client.get(_url("interview_console", interview)).status_code == 404


@pytest.mark.parametrize("who", ["viewer", "data_scientist", "group_viewer"])
def test_console_sends_read_only_users_to_the_assessment_page(client, request, who, interview):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_url("interview_console", interview))
    assert response.status_code == 302
    assert response["Location"] == _url("assessment_detail", interview)
    interview.refresh_from_db()
    assert interview.interview_resumed_at is None


def test_console_of_a_finalised_interview_goes_to_the_assessment_page(client, lead, interview):
    _answer_all(interview, lead)
    services.assessment_validate(assessment=interview, user=lead)
    client.force_login(lead)
    response = client.get(_url("interview_console", interview))
    assert response["Location"] == _url("assessment_detail", interview)


def test_saving_from_the_console_records_an_interview_change_and_comes_back(
    client, lead, interview
):
    client.force_login(lead)
    question = _questions(interview)[1]
    back = _url("interview_console", interview) + "?q=2"
    response = client.post(
        reverse("answer_save", args=[interview.code, question.key]),
        {"base_revision": 0, "answer": "partly", "interviewer_note": "Ask about CI", "next": back},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{back}#q-{question.key}"
    event = AnswerEvent.objects.get(answer__assessment=interview, answer__question=question)
    assert event.via == AnswerVia.INTERVIEW
    assert event.changes["interviewer_note"] == ["", "Ask about CI"]


# Pause


def test_pause_stores_the_position_and_stops_the_clock(client, lead, interview):
    client.force_login(lead)
    client.get(_url("interview_console", interview))
    response = client.post(_url("interview_pause", interview), {"q": 5})
    assert response.status_code == 302
    assert response["Location"] == reverse("project_detail", args=[interview.project.code])
    interview.refresh_from_db()
    assert interview.interview_position == 4
    assert interview.interview_resumed_at is None


def test_reopening_a_paused_interview_resumes_at_the_stored_question(client, lead, interview):
    client.force_login(lead)
    client.post(_url("interview_pause", interview), {"q": 7})
    body = client.get(_url("interview_console", interview)).content.decode()
    assert "Question 7 of" in body
    interview.refresh_from_db()
    assert interview.interview_resumed_at is not None


def test_pause_keeps_the_time_already_spent(client, lead, interview):
    from datetime import timedelta

    from django.utils import timezone

    interview.interview_seconds = 100
    interview.interview_resumed_at = timezone.now() - timedelta(seconds=60)
    interview.save()
    client.force_login(lead)
    client.post(_url("interview_pause", interview), {"q": 1})
    interview.refresh_from_db()
    assert 159 <= interview.interview_seconds <= 165


def test_pause_rejects_get(client, lead, interview):
    client.force_login(lead)
    assert client.get(_url("interview_pause", interview)).status_code == 405


def test_pause_is_missing_for_another_brands_user(client, outsider, interview):
    client.force_login(outsider)
    assert client.post(_url("interview_pause", interview), {"q": 1}).status_code == 404


def test_pause_is_forbidden_for_a_viewer(client, viewer, interview):
    client.force_login(viewer)
    assert client.post(_url("interview_pause", interview), {"q": 1}).status_code == 403


def test_pause_refuses_a_position_that_is_not_a_number(client, lead, interview):
    client.force_login(lead)
    assert client.post(_url("interview_pause", interview), {"q": "x"}).status_code == 400


# Finalise


def test_finalise_of_an_incomplete_interview_lists_what_is_missing(client, lead, interview):
    questions = _questions(interview)
    _answer_all(interview, lead, except_first=0)
    missing = questions[2]
    answer = interview.answers.get(question=missing)
    # Take one answer back out so that exactly one statement is missing.
    services.answer_save(
        assessment=interview,
        question_key=missing.key,
        user=lead,
        base_revision=answer.revision,
        data=services.AnswerInput(option=""),
        via=AnswerVia.INTERVIEW,
    )
    client.force_login(lead)
    response = client.post(_url("interview_finalise", interview) + "?q=1")
    assert response.status_code == 400
    body = response.content.decode()
    assert "1 statement still needs an answer" in body
    assert f'href="{_url("interview_console", interview)}?q=3"' in body
    interview.refresh_from_db()
    assert interview.status == AssessmentStatus.DRAFT


def test_finalise_of_a_complete_interview_validates_and_scores_it(client, lead, interview):
    _answer_all(interview, lead)
    client.force_login(lead)
    response = client.post(_url("interview_finalise", interview))
    assert response.status_code == 302
    assert response["Location"] == _url("assessment_detail", interview)
    interview.refresh_from_db()
    assert interview.status == AssessmentStatus.VALIDATED
    assert interview.validated_by == lead
    assert interview.interview_resumed_at is None
    score = Score.objects.get(assessment=interview)
    assert score.percent == 100
    page = client.get(response["Location"]).content.decode()
    assert "Score" in page


def test_finalise_twice_is_refused(client, lead, interview):
    _answer_all(interview, lead)
    client.force_login(lead)
    client.post(_url("interview_finalise", interview))
    assert client.post(_url("interview_finalise", interview)).status_code == 409


def test_finalise_rejects_get(client, lead, interview):
    client.force_login(lead)
    assert client.get(_url("interview_finalise", interview)).status_code == 405


def test_finalise_is_missing_for_another_brands_user(client, outsider, interview):
    client.force_login(outsider)
    assert client.post(_url("interview_finalise", interview)).status_code == 404


@pytest.mark.parametrize("who", ["viewer", "data_scientist"])
def test_finalise_is_forbidden_for_read_only_users(client, request, who, lead, interview):
    _answer_all(interview, lead)
    client.force_login(request.getfixturevalue(who))
    assert client.post(_url("interview_finalise", interview)).status_code == 403
    interview.refresh_from_db()
    assert interview.status == AssessmentStatus.DRAFT

"""Review of a submitted self-fill: who sees it, changing answers with a note, validating, sending back."""

import pytest
from django.urls import reverse

from scoring.models import Score
from surveys import selectors, services
from surveys.models import AnswerEvent, AnswerVia, AssessmentMode, AssessmentStatus


@pytest.fixture
def submitted(project, lead, data_scientist, version):
    """A self-fill the data scientist answered "yes" throughout and submitted."""
    assessment = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    for answer in assessment.answers.select_related("question").order_by("question__order"):
        services.answer_save(
            assessment=assessment,
            question_key=answer.question.key,
            user=data_scientist,
            base_revision=answer.revision,
            data=services.AnswerInput(option="yes", comment="We do this"),
            via=AnswerVia.SELF_FILL,
        )
    return services.assessment_submit(assessment=assessment, user=data_scientist)


def _url(name, assessment):
    return reverse(name, args=[assessment.code])


def _first(assessment):
    return assessment.answers.select_related("question").order_by("question__order").first()


def _change(client, assessment, answer, **fields):
    data = {"base_revision": answer.revision, "answer": "no", **fields}
    return client.post(reverse("answer_save", args=[assessment.code, answer.question.key]), data)


# The review page


def test_review_shows_each_answer_with_who_gave_it(client, lead, data_scientist, submitted):
    client.force_login(lead)
    response = client.get(_url("assessment_review", submitted))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Answered by <strong>{data_scientist}</strong>" in body
    assert body.count('name="note"') == submitted.answers.count()
    assert "Review note" in body
    assert "We do this" in body  # the comment, in the answer form


def test_review_rejects_post(client, lead, submitted):
    client.force_login(lead)
    assert client.post(_url("assessment_review", submitted)).status_code == 405


def test_review_is_missing_for_another_brands_user(client, outsider, submitted):
    client.force_login(outsider)
    assert client.get(_url("assessment_review", submitted)).status_code == 404


@pytest.mark.parametrize("who", ["viewer", "data_scientist"])
def test_review_sends_read_only_users_to_the_assessment_page(client, request, who, submitted):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_url("assessment_review", submitted))
    assert response.status_code == 302
    assert response["Location"] == _url("assessment_detail", submitted)


def test_review_of_a_draft_goes_to_the_assessment_page(client, lead, project, version):
    draft = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    client.force_login(lead)
    response = client.get(_url("assessment_review", draft))
    assert response["Location"] == _url("assessment_detail", draft)


# Changing answers in review


def test_changing_an_answer_without_a_note_is_refused(client, lead, submitted):
    client.force_login(lead)
    answer = _first(submitted)
    response = _change(client, submitted, answer, note="")
    assert response.status_code == 400
    assert "needs a note" in response.content.decode()
    answer.refresh_from_db()
    assert answer.option.key == "yes"


def test_changing_an_answer_without_a_note_over_htmx_shows_the_message_in_place(
    client, lead, submitted
):
    client.force_login(lead)
    answer = _first(submitted)
    response = client.post(
        reverse("answer_save", args=[submitted.code, answer.question.key]),
        {"base_revision": answer.revision, "answer": "no"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "needs a note" in response.content.decode()


def test_a_change_with_a_note_is_saved_and_listed_as_a_disagreement(client, lead, submitted):
    client.force_login(lead)
    answer = _first(submitted)
    response = _change(
        client,
        submitted,
        answer,
        note="No CI pipeline yet",
        next=_url("assessment_review", submitted),
    )
    assert response.status_code == 302
    assert response["Location"].startswith(_url("assessment_review", submitted))
    answer.refresh_from_db()
    assert answer.option.key == "no"
    event = answer.events.order_by("-revision").first()
    assert event.via == AnswerVia.REVIEW
    assert event.note == "No CI pipeline yet"

    body = client.get(_url("assessment_review", submitted)).content.decode()
    assert 'Disagreements <span class="count">1</span>' in body
    assert '<span class="rv-from">Yes</span> → <strong class="rv-to">No</strong>' in body
    assert "No CI pipeline yet" in body


def test_an_answer_changed_back_is_no_disagreement(lead, submitted):
    answer = _first(submitted)
    for option in ("no", "yes"):
        answer = services.answer_save(
            assessment=submitted,
            question_key=answer.question.key,
            user=lead,
            base_revision=answer.revision,
            data=services.AnswerInput(option=option),
            via=AnswerVia.REVIEW,
            note="Checked with the team",
        )
    assert selectors.review_disagreements(submitted) == []


def test_a_comment_changed_in_review_is_no_disagreement(lead, submitted):
    answer = _first(submitted)
    services.answer_save(
        assessment=submitted,
        question_key=answer.question.key,
        user=lead,
        base_revision=answer.revision,
        data=services.AnswerInput(comment="See the runbook"),
        via=AnswerVia.REVIEW,
    )
    assert selectors.review_disagreements(submitted) == []


def test_disagreements_show_a_change_to_not_applicable(lead, submitted):
    answer = _first(submitted)
    services.answer_save(
        assessment=submitted,
        question_key=answer.question.key,
        user=lead,
        base_revision=answer.revision,
        data=services.AnswerInput(is_na=True, na_reason="No model yet"),
        via=AnswerVia.REVIEW,
        note="Not live",
    )
    [row] = selectors.review_disagreements(submitted)
    assert (row.respondent_value, row.reviewer_value, row.notes) == ("Yes", "N/A", ["Not live"])


def test_the_htmx_request_gets_only_the_disagreements(client, lead, submitted):
    client.force_login(lead)
    response = client.get(_url("assessment_review", submitted), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="disagreements"')
    assert "<html" not in body


# Validate


def test_validate_freezes_and_scores_the_assessment(client, lead, submitted):
    client.force_login(lead)
    response = client.post(_url("assessment_validate", submitted))
    assert response.status_code == 302
    assert response["Location"] == _url("assessment_detail", submitted)
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.VALIDATED
    assert submitted.validated_by == lead
    assert Score.objects.filter(assessment=submitted).exists()


def test_validate_rejects_get(client, lead, submitted):
    client.force_login(lead)
    assert client.get(_url("assessment_validate", submitted)).status_code == 405


def test_validate_is_missing_for_another_brands_user(client, outsider, submitted):
    client.force_login(outsider)
    assert client.post(_url("assessment_validate", submitted)).status_code == 404


@pytest.mark.parametrize("who", ["viewer", "data_scientist", "group_viewer"])
def test_validate_is_forbidden_for_read_only_users(client, request, who, submitted):
    client.force_login(request.getfixturevalue(who))
    assert client.post(_url("assessment_validate", submitted)).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED


def test_validate_refuses_an_interview(client, lead, project, version):
    interview = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.INTERVIEW, version=version
    )
    client.force_login(lead)
    assert client.post(_url("assessment_validate", interview)).status_code == 400


# Send back


def test_send_back_returns_the_assessment_to_draft_with_the_message(client, lead, submitted):
    client.force_login(lead)
    response = client.post(_url("assessment_return", submitted), {"message": "Check section 3"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.DRAFT
    assert submitted.return_message == "Check section 3"
    assert submitted.submitted_at is None


def test_send_back_without_a_message_is_refused(client, lead, submitted):
    client.force_login(lead)
    response = client.post(_url("assessment_return", submitted), {"message": "  "})
    assert response.status_code == 400
    assert "should look at again" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED


def test_send_back_rejects_get(client, lead, submitted):
    client.force_login(lead)
    assert client.get(_url("assessment_return", submitted)).status_code == 405


def test_send_back_is_missing_for_another_brands_user(client, outsider, submitted):
    client.force_login(outsider)
    response = client.post(_url("assessment_return", submitted), {"message": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["viewer", "data_scientist"])
def test_send_back_is_forbidden_for_read_only_users(client, request, who, submitted):
    client.force_login(request.getfixturevalue(who))
    response = client.post(_url("assessment_return", submitted), {"message": "x"})
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED


def test_review_events_keep_the_reviewer_as_actor(lead, submitted):
    answer = _first(submitted)
    services.answer_save(
        assessment=submitted,
        question_key=answer.question.key,
        user=lead,
        base_revision=answer.revision,
        data=services.AnswerInput(option="partly"),
        via=AnswerVia.REVIEW,
        note="Only for the main model",
    )
    event = AnswerEvent.objects.filter(answer=answer, via=AnswerVia.REVIEW).get()
    assert event.actor == lead
    assert event.changes["option"] == ["yes", "partly"]

"""The rules of saving answers, and that a validated assessment cannot change by any service."""

import pytest

from surveys import services
from surveys.models import (
    Answer,
    AnswerEvent,
    AnswerVia,
    Assessment,
    AssessmentMode,
    AssessmentStatus,
)
from tests import factories


def _start(project, lead, version, mode=AssessmentMode.SELF_FILL):
    return services.assessment_start(project=project, user=lead, mode=mode, version=version)


def _first(assessment) -> Answer:
    return assessment.answers.select_related("question").order_by("question__order").first()


def _save(assessment, user, answer, via=AnswerVia.SELF_FILL, note="", base=None, **fields):
    return services.answer_save(
        assessment=assessment,
        question_key=answer.question.key,
        user=user,
        base_revision=answer.revision if base is None else base,
        data=services.AnswerInput(**fields),
        via=via,
        note=note,
    )


def _answer_all(assessment, user, via=AnswerVia.SELF_FILL):
    for answer in assessment.answers.select_related("question"):
        _save(assessment, user, answer, via=via, option="yes")


@pytest.fixture
def self_fill(project, lead, version):
    return _start(project, lead, version)


@pytest.fixture
def interview(project, lead, version):
    return _start(project, lead, version, mode=AssessmentMode.INTERVIEW)


# Concurrency


def test_a_save_based_on_an_old_revision_is_refused_with_409(self_fill, data_scientist, lead):
    answer = _first(self_fill)
    _save(self_fill, lead, answer, option="yes")
    with pytest.raises(services.AnswerConflict) as exc:
        _save(self_fill, data_scientist, answer, base=0, option="no")
    assert exc.value.status == 409
    assert exc.value.current.option.key == "yes"
    answer.refresh_from_db()
    assert answer.option.key == "yes"
    assert answer.revision == 1


def test_each_change_raises_the_revision(self_fill, data_scientist):
    answer = _first(self_fill)
    answer = _save(self_fill, data_scientist, answer, option="yes")
    answer = _save(self_fill, data_scientist, answer, comment="In GitLab")
    assert answer.revision == 2


def test_a_save_that_changes_nothing_records_nothing(self_fill, data_scientist):
    answer = _first(self_fill)
    answer = _save(self_fill, data_scientist, answer, option="yes")
    again = _save(self_fill, data_scientist, answer, option="yes")
    assert again.revision == 1
    assert AnswerEvent.objects.filter(answer=answer).count() == 1


# Closed and foreign assessments


def test_a_submitted_self_fill_refuses_the_respondents_changes(self_fill, data_scientist):
    _answer_all(self_fill, data_scientist)
    services.assessment_submit(assessment=self_fill, user=data_scientist)
    with pytest.raises(services.AssessmentClosed) as exc:
        _save(self_fill, data_scientist, _first(self_fill), option="no")
    assert exc.value.status == 409
    assert "submitted for review" in exc.value.message


def test_a_save_on_an_assessment_closed_meanwhile_is_refused(self_fill, data_scientist):
    _answer_all(self_fill, data_scientist)
    stale = Assessment.objects.get(pk=self_fill.pk)
    services.assessment_submit(assessment=self_fill, user=data_scientist)
    with pytest.raises(services.AssessmentClosed) as exc:
        _save(stale, data_scientist, _first(stale), option="no")
    assert exc.value.status == 409


def test_a_question_of_another_assessment_is_unknown(self_fill, data_scientist):
    with pytest.raises(services.UnknownQuestion) as exc:
        services.answer_save(
            assessment=self_fill,
            question_key="no-such-question",
            user=data_scientist,
            base_revision=0,
            data=services.AnswerInput(option="yes"),
            via=AnswerVia.SELF_FILL,
        )
    assert exc.value.status == 404


def test_a_question_that_does_not_apply_to_the_project_kind_is_unknown(
    self_fill, data_scientist, version
):
    batch_only = version.questions.filter(applies_to="batch").first()
    assert batch_only is not None  # the project is a real-time API
    with pytest.raises(services.UnknownQuestion):
        services.answer_save(
            assessment=self_fill,
            question_key=batch_only.key,
            user=data_scientist,
            base_revision=0,
            data=services.AnswerInput(option="yes"),
            via=AnswerVia.SELF_FILL,
        )


def test_someone_outside_the_team_may_not_answer(self_fill, viewer, outsider):
    for user in (viewer, outsider):
        with pytest.raises(services.NotAllowed):
            _save(self_fill, user, _first(self_fill), option="yes")


def test_only_assessors_write_interviewer_notes(self_fill, data_scientist):
    with pytest.raises(services.NotAllowed):
        _save(self_fill, data_scientist, _first(self_fill), interviewer_note="secret")


# What an answer may hold


def test_an_option_that_is_not_on_the_scale_is_refused(self_fill, data_scientist):
    answer = _first(self_fill)
    with pytest.raises(services.BadAnswer) as exc:
        _save(self_fill, data_scientist, answer, option="maybe")
    assert exc.value.status == 400
    assert "'maybe' is not one of Yes, Partly, No, N/A" in exc.value.message
    answer.refresh_from_db()
    assert answer.revision == 0


def test_not_applicable_needs_a_reason(self_fill, data_scientist):
    answer = _first(self_fill)
    with pytest.raises(services.BadAnswer, match="N/A needs a reason"):
        _save(self_fill, data_scientist, answer, is_na=True, na_reason="  ")
    saved = _save(self_fill, data_scientist, answer, is_na=True, na_reason="No users yet")
    assert saved.is_na and saved.option is None and saved.na_reason == "No users yet"


def test_choosing_an_option_after_not_applicable_drops_the_reason(self_fill, data_scientist):
    answer = _save(
        self_fill, data_scientist, _first(self_fill), is_na=True, na_reason="No users yet"
    )
    answer = _save(self_fill, data_scientist, answer, option="partly", is_na=False)
    assert not answer.is_na and answer.na_reason == "" and answer.option.key == "partly"


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "ftp://files.example.com/x", "data:text/html,hi", "not a link"],
)
def test_an_evidence_link_must_be_http_or_https(self_fill, data_scientist, link):
    with pytest.raises(services.BadAnswer, match="http:// or https://"):
        _save(self_fill, data_scientist, _first(self_fill), evidence_url=link)


def test_an_https_evidence_link_is_kept(self_fill, data_scientist):
    link = "https://gitlab.example.com/ml/cross-sell/-/pipelines"
    answer = _save(self_fill, data_scientist, _first(self_fill), evidence_url=link)
    assert answer.evidence_url == link
    assert answer.safe_evidence_url == link


def test_text_that_is_too_long_is_refused(self_fill, data_scientist):
    with pytest.raises(services.BadAnswer, match="too long"):
        _save(self_fill, data_scientist, _first(self_fill), comment="x" * 5001)


# Review


@pytest.fixture
def submitted(self_fill, data_scientist):
    _answer_all(self_fill, data_scientist)
    return services.assessment_submit(assessment=self_fill, user=data_scientist)


def test_changing_an_answer_in_review_needs_a_note(submitted, lead):
    answer = _first(submitted)
    with pytest.raises(services.BadAnswer, match="needs a note"):
        _save(submitted, lead, answer, via=AnswerVia.REVIEW, option="no")
    answer.refresh_from_db()
    assert answer.option.key == "yes"


def test_changing_a_comment_in_review_needs_no_note(submitted, lead):
    answer = _save(submitted, lead, _first(submitted), via=AnswerVia.REVIEW, comment="Seen it")
    assert answer.comment == "Seen it"


def test_a_review_change_with_a_note_keeps_the_note_in_the_history(submitted, lead):
    answer = _save(
        submitted, lead, _first(submitted), via=AnswerVia.REVIEW, option="no", note=" No CI "
    )
    event = answer.events.order_by("-revision").first()
    assert (event.via, event.note, event.actor) == (AnswerVia.REVIEW, "No CI", lead)
    assert event.changes["option"] == ["yes", "no"]


# History


def test_every_change_is_kept_with_who_when_what_and_how(interview, lead):
    answer = _first(interview)
    answer = _save(interview, lead, answer, via=AnswerVia.INTERVIEW, option="partly")
    answer = _save(
        interview, lead, answer, via=AnswerVia.INTERVIEW, option="yes", interviewer_note="Demoed"
    )
    events = list(AnswerEvent.objects.filter(answer=answer).order_by("revision"))
    assert [e.revision for e in events] == [1, 2]
    assert all(e.via == AnswerVia.INTERVIEW and e.actor == lead and e.at for e in events)
    assert events[0].changes == {"option": [None, "partly"]}
    assert events[1].changes == {"option": ["partly", "yes"], "interviewer_note": ["", "Demoed"]}


def test_history_cannot_be_rewritten(self_fill, data_scientist):
    _save(self_fill, data_scientist, _first(self_fill), option="yes")
    event = AnswerEvent.objects.get()
    event.note = "edited"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


# Carried-over answers


@pytest.fixture
def carried(project, lead, version):
    previous = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers={q.key: "yes" for q in version.questions.all() if q.applies_to_kind("realtime")},
    )
    assessment = _start(project, lead, version)
    assert assessment.previous == previous
    return assessment


def test_answers_carried_over_start_marked_with_a_history_entry(carried):
    answer = _first(carried)
    assert answer.carried_over and answer.option.key == "yes"
    assert answer.events.get().via == AnswerVia.CARRY_OVER


def test_confirming_a_carried_over_answer_clears_the_mark(carried, data_scientist):
    answer = _save(carried, data_scientist, _first(carried), option="yes")
    assert not answer.carried_over
    event = answer.events.order_by("-revision").first()
    assert event.changes == {"carried_over": [True, False]}
    assert event.actor == data_scientist


def test_changing_a_carried_over_answer_clears_the_mark(carried, data_scientist):
    answer = _save(carried, data_scientist, _first(carried), option="no")
    assert not answer.carried_over and answer.option.key == "no"


# A validated assessment cannot change by any service


@pytest.fixture
def validated_self_fill(submitted, lead):
    return services.assessment_validate(assessment=submitted, user=lead)


@pytest.fixture
def validated_interview(interview, lead):
    _answer_all(interview, lead, via=AnswerVia.INTERVIEW)
    return services.assessment_validate(assessment=interview, user=lead)


def test_a_validated_assessment_refuses_answer_changes(validated_self_fill, lead):
    answer = _first(validated_self_fill)
    for via in (AnswerVia.REVIEW, AnswerVia.SELF_FILL, AnswerVia.IMPORT):
        with pytest.raises(services.AssessmentClosed):
            _save(validated_self_fill, lead, answer, via=via, option="no", note="late")
    answer.refresh_from_db()
    assert answer.option.key == "yes"


def test_a_validated_interview_refuses_answer_changes_even_from_a_group_admin(
    validated_interview, group_admin
):
    with pytest.raises(services.AssessmentClosed):
        _save(validated_interview, group_admin, _first(validated_interview), option="no")


def test_a_validated_assessment_cannot_be_submitted(validated_self_fill, data_scientist):
    with pytest.raises(services.AssessmentClosed):
        services.assessment_submit(assessment=validated_self_fill, user=data_scientist)


def test_a_validated_assessment_cannot_be_validated_again(validated_self_fill, lead):
    before = validated_self_fill.validated_at
    with pytest.raises(services.AssessmentClosed):
        services.assessment_validate(assessment=validated_self_fill, user=lead)
    validated_self_fill.refresh_from_db()
    assert validated_self_fill.validated_at == before


def test_a_validated_assessment_cannot_be_sent_back(validated_self_fill, lead):
    with pytest.raises(services.AssessmentClosed):
        services.assessment_return(assessment=validated_self_fill, user=lead, message="Again")
    validated_self_fill.refresh_from_db()
    assert validated_self_fill.status == AssessmentStatus.VALIDATED


def test_a_validated_interview_cannot_be_paused_or_resumed(validated_interview, lead):
    seconds = validated_interview.interview_seconds
    with pytest.raises(services.AssessmentClosed):
        services.interview_pause(assessment=validated_interview, user=lead, position=3)
    with pytest.raises(services.AssessmentClosed):
        services.interview_resume(assessment=validated_interview, user=lead)
    validated_interview.refresh_from_db()
    assert validated_interview.interview_seconds == seconds
    assert validated_interview.interview_position == 0
    assert validated_interview.interview_resumed_at is None


def test_a_stale_copy_of_a_validated_assessment_cannot_be_changed(submitted, lead):
    stale = Assessment.objects.get(pk=submitted.pk)
    services.assessment_validate(assessment=submitted, user=lead)
    with pytest.raises(services.AssessmentClosed):
        _save(stale, lead, _first(stale), via=AnswerVia.REVIEW, option="no", note="late")
    with pytest.raises(services.AssessmentClosed):
        services.assessment_return(assessment=stale, user=lead, message="Again")
    with pytest.raises(services.AssessmentClosed):
        services.assessment_validate(assessment=stale, user=lead)

"""Rules the database (or the model) enforces for question sets, answers and answer history."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from surveys.models import (
    Answer,
    AnswerEvent,
    AnswerOption,
    AnswerVia,
    Assessment,
    AssessmentStatus,
    Question,
    QuestionSetVersion,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(project, version):
    return factories.assessment(project, version, answers={"doc-purpose": "yes"})


@pytest.fixture
def answer(assessment):
    return assessment.answers.get(question__key="doc-purpose")


def test_it_allows_one_answer_per_question_per_assessment(assessment, answer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(assessment=assessment, question=answer.question, is_na=True)
    assert assessment.answers.filter(question=answer.question).count() == 1


def test_the_same_question_can_be_answered_in_another_assessment(project, version, answer):
    later = factories.assessment(project, version)
    Answer.objects.create(assessment=later, question=answer.question, option=answer.option)
    assert Answer.objects.filter(question=answer.question).count() == 2


def test_it_rejects_an_answer_with_both_an_option_and_na(assessment, version):
    question = version.questions.get(key="doc-success-metrics")
    option = version.options.get(key="yes")
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(assessment=assessment, question=question, option=option, is_na=True)


def test_it_rejects_switching_an_answer_to_na_while_keeping_the_option(answer):
    answer.is_na = True
    with pytest.raises(IntegrityError), transaction.atomic():
        answer.save()


def test_an_answer_may_have_neither_option_nor_na_while_open(assessment, version):
    question = version.questions.get(key="doc-success-metrics")
    blank = Answer.objects.create(assessment=assessment, question=question, comment="Ask Priya")
    assert not blank.is_answered


@pytest.fixture
def event(answer):
    return AnswerEvent.objects.create(
        answer=answer,
        at=timezone.now(),
        via=AnswerVia.INTERVIEW,
        revision=1,
        changes={"option": [None, "yes"]},
    )


def test_answer_history_cannot_be_changed(event):
    event.note = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    event.refresh_from_db()
    assert event.note == ""


def test_answer_history_cannot_be_deleted(event):
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AnswerEvent.objects.filter(pk=event.pk).exists()


def test_answer_history_keeps_one_event_per_revision(answer, event):
    with pytest.raises(IntegrityError), transaction.atomic():
        AnswerEvent.objects.create(answer=answer, at=timezone.now(), via="review", revision=1)


def test_new_history_events_can_be_appended(answer, event):
    AnswerEvent.objects.create(
        answer=answer, at=timezone.now(), via=AnswerVia.REVIEW, revision=2, changes={}
    )
    assert list(answer.events.values_list("revision", flat=True)) == [1, 2]


@pytest.mark.parametrize("score", ["-0.001", "1.001", "2"])
def test_it_rejects_an_option_score_outside_zero_to_one(version, score):
    with pytest.raises(IntegrityError), transaction.atomic():
        AnswerOption.objects.create(
            version=version, key="maybe", label="Maybe", score=score, order=9
        )


@pytest.mark.parametrize("score", ["0", "1", "0.25"])
def test_it_accepts_an_option_score_from_zero_to_one(version, score):
    assert AnswerOption.objects.create(
        version=version, key="maybe", label="Maybe", score=score, order=9
    ).pk


def _question(version, **fields) -> Question:
    section = version.sections.first()
    return Question.objects.create(
        version=version,
        section=section,
        key="extra",
        text="An extra statement.",
        order=999,
        **fields,
    )


@pytest.mark.parametrize("weight", ["0", "-1", "5.01", "6"])
def test_it_rejects_a_question_weight_out_of_range(version, weight):
    with pytest.raises(IntegrityError), transaction.atomic():
        _question(version, weight=weight)


@pytest.mark.parametrize("weight", ["0.01", "5"])
def test_it_accepts_a_question_weight_at_the_edges_of_the_range(version, weight):
    assert _question(version, weight=weight).pk


def test_it_rejects_an_unknown_applies_to(version):
    with pytest.raises(IntegrityError), transaction.atomic():
        _question(version, applies_to="streaming")


def test_it_rejects_a_second_question_with_the_same_key_in_a_version(version):
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(
            version=version, section=version.sections.first(), key="doc-purpose", text="x", order=5
        )


def test_it_rejects_a_validated_assessment_without_a_validation_date(project, version):
    validated = factories.assessment(project, version, status=AssessmentStatus.VALIDATED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=validated.pk).update(validated_at=None)


def test_a_published_version_must_have_a_publication_date(version):
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionSetVersion.objects.filter(pk=version.pk).update(published_at=None)


class TestHistoryIsAppendOnlyInBulkAndInTheDatabase:
    @pytest.fixture
    def event(self, version, project, lead):
        from surveys.services import AnswerInput, answer_save, assessment_start

        assessment = assessment_start(project=project, user=lead, mode="interview", version=version)
        answer = assessment.answers.select_related("question").first()
        answer_save(
            assessment=assessment,
            question_key=answer.question.key,
            user=lead,
            base_revision=0,
            data=AnswerInput(option="yes"),
            via="interview",
        )
        return AnswerEvent.objects.get(answer=answer)

    def test_a_bulk_update_of_history_is_refused(self, event):
        with pytest.raises(ValueError, match="append-only"):
            AnswerEvent.objects.filter(pk=event.pk).update(note="rewritten")

    def test_a_bulk_delete_of_history_is_refused(self, event):
        with pytest.raises(ValueError, match="append-only"):
            AnswerEvent.objects.filter(pk=event.pk).delete()
        assert AnswerEvent.objects.filter(pk=event.pk).exists()

    def test_the_database_refuses_to_rewrite_history_even_in_raw_sql(self, event):
        from django.db import DatabaseError, connection, transaction

        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE surveys_answerevent SET note = 'rewritten' WHERE id = %s", [event.pk]
            )
        event.refresh_from_db()
        assert event.note == ""

    def test_people_with_history_cannot_be_deleted_only_deactivated(self, event, lead):
        from django.db.models import ProtectedError

        with pytest.raises(ProtectedError):
            lead.delete()

"""The saving rules under real parallel transactions on PostgreSQL.

Each thread has its own database connection (Django's connections are per thread)
and closes it at the end. The test data is committed first (transaction=True), so
every thread sees it.
"""

import time
from contextlib import contextmanager
from unittest import mock

import pytest

from brands.models import BrandRole
from scoring.models import Score
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
from tests.concurrency_support import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OPTIONS = ("yes", "partly", "no")


@contextmanager
def _slow(target: str, seconds: float = 0.3):
    """Make `target` (a dotted name) take `seconds` longer, inside the caller's transaction,
    so that the other threads arrive while the first one still holds its locks."""
    module, name = target.rsplit(".", 1)
    original = getattr(__import__(module, fromlist=[name]), name)

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return original(*args, **kwargs)

    with mock.patch(target, side_effect=slow):
        yield


@contextmanager
def _slow_event_create(seconds: float = 0.3):
    original = AnswerEvent.objects.create

    def slow(**kwargs):
        time.sleep(seconds)
        return original(**kwargs)

    with mock.patch.object(AnswerEvent.objects, "create", side_effect=slow):
        yield


@pytest.fixture
def version():
    # Transactional tests empty the tables afterwards; import the set again when gone.
    return factories.default_version()


@pytest.fixture
def brand():
    return factories.BrandFactory(name="Acme Groceries")


@pytest.fixture
def lead(brand):
    return factories.member(brand, BrandRole.LEAD, username="lead")


def _project(brand, team=(), kind="realtime"):
    project = factories.ProjectFactory(brand=brand, kind=kind)
    project.team.add(*team)
    return project


def _start(project, user, version, mode=AssessmentMode.SELF_FILL):
    return services.assessment_start(project=project, user=user, mode=mode, version=version)


def _answered(assessment, option="yes", *, except_keys=()):
    """Answer every statement at once, bypassing the service: the setup, not the subject."""
    yes = assessment.version.options.get(key=option)
    assessment.answers.exclude(question__key__in=except_keys).update(option=yes, revision=1)


def _keys(assessment) -> list[str]:
    return list(
        assessment.answers.order_by("question__order").values_list("question__key", flat=True)
    )


def _save(assessment_pk, user, key, option, base_revision, via=AnswerVia.SELF_FILL, **fields):
    """A job for a thread: save, with the assessment as read before the race (as a view
    read it when its request came in), so that only the locks decide the outcome."""
    assessment = Assessment.objects.get(pk=assessment_pk)

    def job():
        return services.answer_save(
            assessment=assessment,
            question_key=key,
            user=user,
            base_revision=base_revision,
            data=services.AnswerInput(option=option, **fields),
            via=via,
        )

    return job


# (a) Two saves of one answer from the same revision


def test_two_saves_from_the_same_revision_one_wins_and_the_other_gets_the_winners_value(
    brand, lead, version
):
    scientist = factories.member(brand, BrandRole.DATA_SCIENTIST, username="ds")
    assessment = _start(_project(brand, [scientist]), lead, version)
    key = _keys(assessment)[0]

    with _slow_event_create():
        results = race(
            _save(assessment.pk, lead, key, "yes", 0),
            _save(assessment.pk, scientist, key, "no", 0),
        )

    wins = [r for r in results if isinstance(r, Answer)]
    conflicts = [r for r in results if isinstance(r, services.AnswerConflict)]
    assert (len(wins), len(conflicts)) == (1, 1), results
    winner = wins[0]
    assert conflicts[0].current.option.key == winner.option.key
    assert conflicts[0].current.revision == 1
    stored = Answer.objects.select_related("option").get(assessment=assessment, question__key=key)
    assert (stored.option.key, stored.answered_by, stored.revision) == (
        winner.option.key,
        winner.answered_by,
        1,
    )
    events = list(stored.events.all())
    assert len(events) == 1
    assert events[0].actor == winner.answered_by
    assert events[0].changes["option"] == [None, winner.option.key]


# (b) Many people saving at once lose nothing


def test_sixteen_people_saving_65_answers_each_at_once_lose_nothing(brand, lead, version):
    people = [
        factories.member(brand, BrandRole.DATA_SCIENTIST, username=f"ds{n}") for n in range(16)
    ]
    # Projects that run in batch and in real time: all 66 statements apply.
    assessments = [_start(_project(brand, [p], kind="both"), lead, version) for p in people]
    keys = _keys(assessments[0])[:65]
    assert len(keys) == 65

    def fill(assessment, person):
        def job():
            mine = Assessment.objects.get(pk=assessment.pk)
            for n, key in enumerate(keys):
                services.answer_save(
                    assessment=mine,
                    question_key=key,
                    user=person,
                    base_revision=0,
                    data=services.AnswerInput(option=OPTIONS[n % 3], comment=f"{person} {n}"),
                    via=AnswerVia.SELF_FILL,
                )
            return len(keys)

        return job

    results = race(*(fill(a, p) for a, p in zip(assessments, people, strict=True)))

    assert results == [65] * 16
    for assessment, person in zip(assessments, people, strict=True):
        stored = {
            a.question.key: a
            for a in assessment.answers.select_related("question", "option", "answered_by")
        }
        for n, key in enumerate(keys):
            answer = stored[key]
            assert (answer.option.key, answer.comment, answer.revision) == (
                OPTIONS[n % 3],
                f"{person} {n}",
                1,
            )
            assert answer.answered_by == person
        assert AnswerEvent.objects.filter(answer__assessment=assessment).count() == 65
        assert AnswerEvent.objects.filter(answer__assessment=assessment, actor=person).count() == 65


def test_team_members_saving_different_answers_of_one_assessment_at_once_lose_nothing(
    brand, lead, version
):
    people = [
        factories.member(brand, BrandRole.DATA_SCIENTIST, username=f"ds{n}") for n in range(8)
    ]
    assessment = _start(_project(brand, people, kind="both"), lead, version)
    keys = _keys(assessment)[:64]
    mine = {person: keys[n::8] for n, person in enumerate(people)}

    def fill(person):
        def job():
            shared = Assessment.objects.get(pk=assessment.pk)
            for key in mine[person]:
                services.answer_save(
                    assessment=shared,
                    question_key=key,
                    user=person,
                    base_revision=0,
                    data=services.AnswerInput(option="partly"),
                    via=AnswerVia.SELF_FILL,
                )

        return job

    results = race(*(fill(p) for p in people))

    assert results == [None] * 8
    for person, their_keys in mine.items():
        answers = assessment.answers.filter(question__key__in=their_keys)
        assert answers.filter(option__key="partly", answered_by=person, revision=1).count() == 8
        assert AnswerEvent.objects.filter(answer__in=answers, actor=person).count() == 8


# (c) A submit or a validation racing a save


def _submit(assessment_pk, user):
    assessment = Assessment.objects.get(pk=assessment_pk)

    def job():
        return services.assessment_submit(assessment=assessment, user=user)

    return job


def _validate(assessment_pk, user):
    assessment = Assessment.objects.get(pk=assessment_pk)

    def job():
        return services.assessment_validate(assessment=assessment, user=user)

    return job


ROUNDS = 6


@pytest.mark.parametrize("slow_first", [None, "save", "close"])
def test_a_submit_racing_the_last_answer_never_submits_with_a_missing_answer(
    brand, lead, version, slow_first
):
    scientist = factories.member(brand, BrandRole.DATA_SCIENTIST, username="ds")
    for _ in range(ROUNDS):
        assessment = _start(_project(brand, [scientist]), lead, version)
        last = _keys(assessment)[-1]
        _answered(assessment, except_keys=[last])
        with _slowed(slow_first):
            saved, submitted = race(
                _save(assessment.pk, scientist, last, "no", 0), _submit(assessment.pk, scientist)
            )
        assessment.refresh_from_db()
        answer = Answer.objects.get(assessment=assessment, question__key=last)

        # The save cannot be refused: until it lands, there is nothing complete to submit.
        assert isinstance(saved, Answer), saved
        assert answer.is_answered and answer.revision == 1
        if isinstance(submitted, services.IncompleteAssessment):
            assert assessment.status == AssessmentStatus.DRAFT
            assert [a.question.key for a in submitted.missing] == [last]
            assert not Score.objects.filter(assessment=assessment).exists()
        else:
            assert isinstance(submitted, Assessment), submitted
            assert assessment.status == AssessmentStatus.SUBMITTED
            assert services.missing_answers(assessment) == []
            assert answer.events.get().at <= assessment.submitted_at
            score = Score.objects.get(assessment=assessment)
            assert score.answered == score.applicable


@pytest.mark.parametrize("close", ["submit", "validate"])
@pytest.mark.parametrize("slow_first", [None, "save", "close"])
def test_a_save_racing_a_submit_or_validation_lands_before_it_or_is_refused(
    brand, lead, version, close, slow_first
):
    """Never a save acknowledged after the assessment closed, nor one missing from its score."""
    scientist = factories.member(brand, BrandRole.DATA_SCIENTIST, username="ds")
    for _ in range(ROUNDS):
        if close == "submit":
            assessment = _start(_project(brand, [scientist]), lead, version)
            saver, closing = scientist, _submit(assessment.pk, scientist)
            via, closed_status = AnswerVia.SELF_FILL, AssessmentStatus.SUBMITTED
        else:
            assessment = _start(_project(brand), lead, version, mode=AssessmentMode.INTERVIEW)
            saver, closing = lead, _validate(assessment.pk, lead)
            via, closed_status = AnswerVia.INTERVIEW, AssessmentStatus.VALIDATED
        _answered(assessment, "yes")
        key = _keys(assessment)[-1]
        with _slowed(slow_first):
            saved, closed = race(_save(assessment.pk, saver, key, "no", 1, via=via), closing)

        assert isinstance(closed, Assessment), closed
        assessment.refresh_from_db()
        assert assessment.status == closed_status
        closed_at = assessment.submitted_at if close == "submit" else assessment.validated_at
        answer = Answer.objects.select_related("option").get(
            assessment=assessment, question__key=key
        )
        score = Score.objects.get(assessment=assessment)
        if isinstance(saved, Answer):
            assert answer.option.key == "no" and answer.revision == 2
            assert answer.events.get().at <= closed_at
            assert score.overall < 1  # the score counts the save
        else:
            assert isinstance(saved, services.AssessmentClosed), saved
            assert answer.option.key == "yes" and answer.revision == 1
            assert not answer.events.exists()
            assert score.overall == 1


@contextmanager
def _slowed(which: str | None):
    """Hold the save's or the closing step's transaction open for a while, to force an overlap."""
    if which == "save":
        with _slow_event_create():
            yield
    elif which == "close":
        with _slow("surveys.services.assessments.missing_answers"):
            yield
    else:
        yield


# (d) Two validations of one interview


def test_two_validations_of_one_interview_at_once_one_succeeds_the_other_is_refused(
    brand, lead, version
):
    assessor = factories.UserFactory(username="assessor", group_role="assessor")
    interview = _start(_project(brand), lead, version, mode=AssessmentMode.INTERVIEW)
    _answered(interview, "partly")

    with _slow("surveys.services.assessments.assessment_scored"):
        results = race(_validate(interview.pk, lead), _validate(interview.pk, assessor))

    wins = [r for r in results if isinstance(r, Assessment)]
    refused = [r for r in results if isinstance(r, services.AssessmentClosed)]
    assert (len(wins), len(refused)) == (1, 1), results
    interview.refresh_from_db()
    assert interview.status == AssessmentStatus.VALIDATED
    assert interview.validated_by == wins[0].validated_by
    assert Score.objects.filter(assessment=interview).count() == 1

"""The autosave's two reads written once in SQL (surveys/selectors/rows.py) give the same
instances as the ORM: every field, the related objects, the version's source deferred, the
role and team membership read along, another brand's assessment a 404."""

import datetime
import uuid

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from brands.selectors import role_in_brand
from surveys import selectors, services
from surveys.models import Answer, Assessment, AssessmentMode
from surveys.services.answers import _locked_answer
from surveys.services.permissions import can_edit_answers

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.fixture
def self_fill(project, lead, version):
    assessment = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    # Values of every kind in the row: dates, times, text, a number.
    Assessment.objects.filter(pk=assessment.pk).update(
        interviewees="Ann, Bob",
        submitted_at=datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC),
        interview_seconds=75,
    )
    return assessment


def test_the_assessment_for_saving_has_the_fields_the_orm_reads(self_fill, data_scientist):
    expected = Assessment.objects.select_related("project", "version").get(pk=self_fill.pk)
    found = selectors.get_assessment_for_saving(data_scientist, str(self_fill.code))
    assert _fields(found) == _fields(expected)
    assert _fields(found.project) == _fields(expected.project)
    assert isinstance(found.code, uuid.UUID)
    assert found.submitted_at == datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)
    version_fields = _fields(expected.version)
    del version_fields["source"]
    assert found.version.get_deferred_fields() == {"source"}
    assert {k: getattr(found.version, k) for k in version_fields} == version_fields
    assert isinstance(found.version.translations, dict)
    assert found.version.source == expected.version.source  # read when asked for


def test_the_assessment_for_saving_brings_the_role_and_the_team_along(
    self_fill, data_scientist, lead, viewer
):
    for user, on_team in ((data_scientist, True), (lead, False), (viewer, False)):
        found = selectors.get_assessment_for_saving(user, self_fill.code)
        with CaptureQueriesContext(connection) as captured:
            role = role_in_brand(user, found.project.brand_id)
        assert captured.captured_queries == []
        assert role == user.memberships.get().role
        assert found.project._team_membership == {user.pk: on_team}
        assert can_edit_answers(user, found) == can_edit_answers(
            user, Assessment.objects.select_related("project").get(pk=self_fill.pk)
        )


def test_another_brands_assessment_or_an_unknown_code_is_a_404(self_fill, outsider):
    with pytest.raises(Http404):
        selectors.get_assessment_for_saving(outsider, self_fill.code)
    with pytest.raises(Http404):
        selectors.get_assessment_for_saving(outsider, uuid.uuid4())
    with pytest.raises(Http404):
        selectors.get_assessment_for_saving(outsider, "not-a-code")


def test_the_locked_answer_has_the_fields_the_orm_reads(self_fill, data_scientist):
    first = self_fill.answers.select_related("question").order_by("question__order")[0]
    services.answer_save(
        assessment=self_fill,
        question_key=first.question.key,
        user=data_scientist,
        base_revision=0,
        data=services.AnswerInput(option="yes", comment="Runs nightly"),
        via="self_fill",
        language="en",
    )
    expected = Answer.objects.select_related("assessment", "question__section").get(pk=first.pk)
    with transaction.atomic():
        found = _locked_answer(self_fill.pk, first.question.key)
    assert _fields(found) == _fields(expected)
    assert _fields(found.assessment) == _fields(expected.assessment)
    assert _fields(found.question) == _fields(expected.question)
    assert _fields(found.question.section) == _fields(expected.question.section)
    assert model_to_dict(found) == model_to_dict(expected)
    assert found.comment == "Runs nightly" and found.revision == 1


def test_an_unknown_question_finds_no_answer(self_fill):
    with transaction.atomic():
        assert _locked_answer(self_fill.pk, "no-such-question") is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
def test_the_answer_and_its_assessment_are_locked(self_fill):
    first = self_fill.answers.select_related("question").order_by("question__order")[0]
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        _locked_answer(self_fill.pk, first.question.key)
    assert captured.captured_queries[-1]["sql"].endswith(
        'FOR UPDATE OF "surveys_answer", "surveys_assessment"'
    )

"""Progress tells confirmed answers from carried-over ones, marks comments written for an
earlier answer, and a scored assessment shows how its figure moved since the last one."""

import datetime
import html as html_lib
import re

import pytest
import time_machine
from django.urls import reverse

from scoring.services import score_store
from surveys import services
from surveys.models import Answer, AnswerEvent, AssessmentMode, AssessmentStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned_date():
    with time_machine.travel("2026-11-20 10:00 +0000", tick=False):
        yield


@pytest.fixture
def carried(project, version, lead):
    """A self-fill whose answers were all carried over from a validated one (Yes throughout)."""
    keys = [q.key for q in version.questions.all() if q.applies_to in ("all", project.kind)]
    before = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers=dict.fromkeys(keys, "yes"),
        assessed_on=datetime.date(2026, 6, 30),
    )
    Answer.objects.filter(assessment=before, question__key=keys[0]).update(
        comment="Tests run nightly"
    )
    score_store(assessment=before)
    return services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return _text(response.content.decode())


def _text(page: str) -> str:
    """The page's text with its tags left out and spaces folded, as a person reads it."""
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", page)))


def _save(client, user, assessment, key, data):
    client.force_login(user)
    answer = Answer.objects.get(assessment=assessment, question__key=key)
    url = reverse("answer_save", args=[assessment.code, key])
    return client.post(
        url,
        {"base_revision": answer.revision, "with_progress": "1", **data},
        HTTP_HX_REQUEST="true",
    )


def test_a_fresh_carried_over_self_fill_says_nothing_is_confirmed_yet(
    client, data_scientist, carried
):
    total = carried.answers.count()
    page = _page(client, data_scientist, reverse("assessment_fill", args=[carried.code]))
    assert f"Answered {total} of {total}" in page
    assert f"0 confirmed in this round · {total} carried over from last time" in page
    assert page.count("Confirm as it is") == total


def test_confirming_a_carried_over_answer_counts_it_and_keeps_the_history(
    client, data_scientist, carried
):
    key = carried.answers.select_related("question").first().question.key
    response = _save(client, data_scientist, carried, key, {"answer": "yes"})
    assert response.status_code == 200
    total = carried.answers.count()
    assert f"1 confirmed in this round · {total - 1} carried over" in _text(
        response.content.decode()
    )
    answer = Answer.objects.get(assessment=carried, question__key=key)
    assert not answer.carried_over and answer.option.key == "yes"
    event = AnswerEvent.objects.get(answer=answer, via="self_fill")
    assert event.changes == {"carried_over": [True, False]}


def test_a_comment_left_from_the_old_answer_is_marked_until_it_is_rewritten(
    client, data_scientist, carried
):
    key = Answer.objects.get(assessment=carried, comment="Tests run nightly").question.key
    response = _save(
        client, data_scientist, carried, key, {"answer": "no", "comment": "Tests run nightly"}
    )
    assert "written for the previous answer, Yes" in _text(response.content.decode())
    fill = reverse("assessment_fill", args=[carried.code])
    assert "written for the previous answer, Yes" in _page(client, data_scientist, fill)

    _save(
        client,
        data_scientist,
        carried,
        key,
        {"answer": "no", "comment": "Nightly tests were dropped"},
    )
    assert "written for the previous answer" not in _page(client, data_scientist, fill)


def test_after_submitting_the_figure_is_shown_against_the_previous_validated_one(
    client, data_scientist, carried
):
    key = Answer.objects.filter(assessment=carried).first().question.key
    _save(client, data_scientist, carried, key, {"answer": "no"})
    services.assessment_submit(assessment=carried, user=data_scientist)
    page = _page(client, data_scientist, reverse("assessment_detail", args=[carried.code]))
    assert "Against the previous validated assessment, 30 Jun 2026" in page
    assert "100% →" in page
    assert "1 answer changed: 0 up, 1 down" in page
    assert "What moved, statement by statement" in page


def test_a_first_assessment_has_nothing_to_compare_with(client, lead, project, version):
    keys = [q.key for q in version.questions.all() if q.applies_to in ("all", project.kind)]
    first = factories.assessment(
        project, version, status=AssessmentStatus.VALIDATED, answers=dict.fromkeys(keys, "yes")
    )
    score_store(assessment=first)
    page = _page(client, lead, reverse("assessment_detail", args=[first.code]))
    assert "Against the previous validated assessment" not in page

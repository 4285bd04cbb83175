"""The review page's filters: each shows exactly the answers it names, with its count, and
every answer shows the last validated answer beside it."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from scoring.services import score_store
from surveys import services
from surveys.models import Answer, AnswerVia, AssessmentMode, AssessmentStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned_date():
    with time_machine.travel("2026-11-20 10:00 +0000", tick=False):
        yield


@pytest.fixture
def reviewed(project, version, lead, data_scientist):
    """A submitted self-fill carried over from an all-Yes validated one, in which the
    respondent changed keys[0] to No, keys[1] to N/A and gave keys[2] an evidence link."""
    keys = [
        q.key for q in version.questions.order_by("order") if q.applies_to in ("all", project.kind)
    ]
    before = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers=dict.fromkeys(keys, "yes"),
        assessed_on=datetime.date(2026, 6, 30),
    )
    score_store(assessment=before)
    fill = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    changes = {
        keys[0]: services.AnswerInput(option="no"),
        keys[1]: services.AnswerInput(is_na=True, na_reason="No personal data"),
        keys[2]: services.AnswerInput(evidence_url="https://wiki.example.com/ci"),
        keys[3]: services.AnswerInput(option="yes"),  # confirmed, unchanged
    }
    for key, data in changes.items():
        answer = Answer.objects.get(assessment=fill, question__key=key)
        services.answer_save(
            assessment=fill,
            question_key=key,
            user=data_scientist,
            base_revision=answer.revision,
            data=data,
            via=AnswerVia.SELF_FILL,
        )
    return services.assessment_submit(assessment=fill, user=data_scientist), keys


def _shown(client, user, assessment, show="") -> tuple[set[str], str]:
    client.force_login(user)
    url = reverse("assessment_review", args=[assessment.code])
    response = client.get(url + (f"?show={show}" if show else ""))
    assert response.status_code == 200
    page = response.content.decode()
    return set(re.findall(r'<form class="qform[^"]*" id="q-([\w-]+)"', page)), page


def test_each_filter_shows_exactly_its_answers_with_its_count(client, lead, reviewed):
    assessment, keys = reviewed
    everything, page = _shown(client, lead, assessment)
    assert everything == set(keys)
    expected = {
        "changed": {keys[0], keys[1]},
        "no": {keys[0]},
        "na": {keys[1]},
        "no-evidence": set(keys) - {keys[2]},
        "carried": set(keys) - {keys[0], keys[1], keys[2], keys[3]},
    }
    for show, answers in expected.items():
        shown, page = _shown(client, lead, assessment, show)
        assert shown == answers, show
        assert f'?show={show}" aria-current="true"' in page
        assert re.search(
            rf'\?show={show}"[^>]*>[^<]*<span class="count">{len(answers)}</span>', page
        )


def test_an_unknown_filter_shows_everything(client, lead, reviewed):
    assessment, keys = reviewed
    assert _shown(client, lead, assessment, "bogus")[0] == set(keys)


def test_the_last_validated_answer_stands_beside_the_current_one(client, lead, reviewed):
    assessment, _ = reviewed
    _, page = _shown(client, lead, assessment, "no")
    assert "last validated: <strong>Yes</strong>" in page
    assert '<span class="tag changed">changed</span>' in page


def test_without_a_validated_predecessor_there_is_no_changed_filter(
    client, lead, project, version, data_scientist, answer_all
):
    fill = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    answer_all(fill, data_scientist)
    services.assessment_submit(assessment=fill, user=data_scientist)
    _, page = _shown(client, lead, fill)
    assert "?show=changed" not in page
    assert "no validated assessment of Cross-sell API before this one" in page


@pytest.fixture
def answer_all():
    def answer_all(assessment, user):
        for answer in assessment.answers.select_related("question"):
            services.answer_save(
                assessment=assessment,
                question_key=answer.question.key,
                user=user,
                base_revision=answer.revision,
                data=services.AnswerInput(option="yes"),
                via=AnswerVia.SELF_FILL,
            )

    return answer_all


def test_another_brands_user_gets_404_and_a_viewer_is_sent_to_the_summary(
    client, outsider, viewer, reviewed
):
    assessment, _ = reviewed
    url = reverse("assessment_review", args=[assessment.code]) + "?show=no"
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(viewer)
    assert client.get(url)["Location"] == reverse("assessment_detail", args=[assessment.code])

"""Pipeline evidence on the screens: the line beside a statement on the review page and in the
interview console, the evidence history, and "Use as evidence" through the real save endpoint
(its revision, conflicts and frozen assessments behave as for a typed link)."""

import datetime

import pytest
from django.urls import reverse

from surveys import services
from surveys.models import Answer, AnswerEvent, AnswerVia, AssessmentMode
from tests import factories
from tests.clock import PINNED_NOW

HTMX = {"HTTP_HX_REQUEST": "true"}
SHA = "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d"
KEY = "code-ci"


def _post_evidence(project, user, **fields):
    data = {
        "question_key": KEY,
        "url": "https://ci.example.com/acme/cross-sell/runs/5150",
        "outcome": "passed",
        "run_id": "5150",
        "run_url": "https://ci.example.com/acme/cross-sell/runs/5150",
        "commit": SHA,
        "observed_at": PINNED_NOW - datetime.timedelta(days=3),
        "source": "GitHub Actions",
        **fields,
    }
    return services.evidence_record(project=project, user=user, **data)


@pytest.fixture
def submitted(project, lead, data_scientist, version):
    """A self-fill its data scientist answered Yes throughout (no evidence links) and submitted."""
    return factories.submitted_self_fill(project, version, lead=lead, respondent=data_scientist)


@pytest.fixture
def evidence(project, lead, version):
    return _post_evidence(project, lead)


def _answer(assessment, key=KEY) -> Answer:
    return Answer.objects.get(assessment=assessment, question__key=key)


def _adopt(client, assessment, evidence, *, revision=None, htmx=True, **fields):
    answer = _answer(assessment, evidence.question_key)
    data = {
        "base_revision": answer.revision if revision is None else revision,
        "answer": answer.option.key if answer.option else "",
        "comment": answer.comment,
        "evidence_url": "",
        "note": "",
        "adopt": str(evidence.code),
        **fields,
    }
    url = reverse("answer_save", args=[assessment.code, evidence.question_key])
    return client.post(url, data, **(HTMX if htmx else {}))


# Seeing it


def test_the_reviewer_sees_the_evidence_beside_the_statement(client, lead, submitted, evidence):
    client.force_login(lead)
    body = client.get(reverse("assessment_review", args=[submitted.code])).content.decode()
    assert body.count('class="pipeline-ev') == 1
    assert "From GitHub Actions, " in body and "3 days ago" in body
    assert '<strong class="pe-outcome">passed</strong>' in body
    assert 'href="https://ci.example.com/acme/cross-sell/runs/5150"' in body
    assert "run 5150" in body
    assert f'<code title="{SHA}">{SHA[:7]}</code>' in body
    assert f'name="adopt" value="{evidence.code}"' in body
    assert "Use as evidence" in body


def test_stale_and_failing_evidence_say_so_in_words(client, lead, project, submitted, settings):
    settings.EVIDENCE_STALE_DAYS = 30
    _post_evidence(project, lead, observed_at=PINNED_NOW - datetime.timedelta(days=45))
    _post_evidence(project, lead, question_key="code-unit-tests", outcome="failed", source="")
    client.force_login(lead)
    body = client.get(reverse("assessment_review", args=[submitted.code])).content.decode()
    assert 'class="pipeline-ev is-stale"' in body
    assert "stale, older than 30 days" in body
    assert 'class="pipeline-ev is-failing"' in body
    assert '<strong class="pe-outcome">failed</strong>' in body
    assert "From CI, " in body  # no source name given


def test_the_interviewer_sees_the_evidence_of_the_current_statement(
    client, lead, project, version, evidence
):
    interview = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.INTERVIEW, version=version
    )
    number = [a.question.key for a in interview.answers.order_by("question__order")].index(KEY) + 1
    client.force_login(lead)
    url = reverse("interview_console", args=[interview.code])
    body = client.get(f"{url}?q={number}").content.decode()
    assert "From GitHub Actions" in body and "Use as evidence" in body
    assert "pipeline-ev" not in client.get(f"{url}?q={number + 1}").content.decode()


def test_the_self_fill_screen_does_not_show_it(
    client, data_scientist, project, lead, version, evidence
):
    draft = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    client.force_login(data_scientist)
    body = client.get(reverse("assessment_fill", args=[draft.code])).content.decode()
    assert "pipeline-ev" not in body


def test_the_answer_history_lists_the_statements_evidence(
    client, viewer, submitted, project, lead, evidence
):
    _post_evidence(
        project, lead, outcome="failed", observed_at=PINNED_NOW - datetime.timedelta(days=1)
    )
    client.force_login(viewer)
    response = client.get(reverse("answer_history", args=[submitted.code, KEY]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Evidence from pipelines" in body
    assert body.index("1 day ago") < body.index("3 days ago")  # newest first
    assert "posted by" in body and "Use as evidence" not in body


# Adopting it


def test_use_as_evidence_saves_the_link_through_the_answer_save(client, lead, submitted, evidence):
    before = _answer(submitted)
    client.force_login(lead)
    response = _adopt(client, submitted, evidence)
    assert response.status_code == 200
    after = _answer(submitted)
    assert after.evidence_url == evidence.url
    assert after.revision == before.revision + 1
    assert after.option_id == before.option_id  # the answer itself is left as it was
    event = AnswerEvent.objects.get(answer=after, revision=after.revision)
    assert event.changes == {"evidence_url": ["", evidence.url]}
    assert (event.actor, event.via) == (lead, AnswerVia.REVIEW)
    body = response.content.decode()
    assert f'value="{evidence.url}"' in body  # the field now shows the adopted link
    assert "In use as the evidence link" in body and "Use as evidence" not in body
    assert "answer-saved" in response["HX-Trigger"]


def test_without_javascript_it_saves_and_goes_back_to_the_review(client, lead, submitted, evidence):
    client.force_login(lead)
    review = reverse("assessment_review", args=[submitted.code])
    response = _adopt(client, submitted, evidence, htmx=False, next=review)
    assert response.status_code == 302
    assert response["Location"] == f"{review}#q-{KEY}"
    assert _answer(submitted).evidence_url == evidence.url


def test_a_stale_revision_is_a_conflict_and_changes_nothing(client, lead, submitted, evidence):
    answer = _answer(submitted)
    services.answer_save(
        assessment=submitted,
        question_key=KEY,
        user=lead,
        base_revision=answer.revision,
        data=services.AnswerInput(evidence_url="https://wiki.example.com/ci"),
        via=AnswerVia.REVIEW,
    )
    client.force_login(lead)
    response = _adopt(client, submitted, evidence, revision=answer.revision)
    assert response.status_code == 409
    assert _answer(submitted).evidence_url == "https://wiki.example.com/ci"
    body = response.content.decode()
    assert "conflict-box" in body
    # "Use my answer instead" would send the adopted link.
    assert f'<input type="hidden" name="evidence_url" value="{evidence.url}">' in body


def test_a_validated_assessment_refuses_it(client, lead, submitted, evidence):
    services.assessment_validate(assessment=submitted, user=lead)
    client.force_login(lead)
    response = _adopt(client, submitted, evidence)
    assert response.status_code == 409
    assert "validated" in response.content.decode()
    assert _answer(submitted).evidence_url == ""


def test_another_brands_user_gets_404(client, outsider, submitted, evidence):
    client.force_login(outsider)
    assert _adopt(client, submitted, evidence).status_code == 404
    assert _answer(submitted).evidence_url == ""


@pytest.mark.parametrize("who", ["viewer", "data_scientist"])
def test_read_only_users_cannot_adopt_in_review(client, request, who, submitted, evidence):
    client.force_login(request.getfixturevalue(who))
    response = _adopt(client, submitted, evidence, htmx=False)
    assert response.status_code in (403, 409)
    assert _answer(submitted).evidence_url == ""


def test_evidence_of_another_statement_or_project_cannot_be_adopted(
    client, lead, submitted, project, other_project, outsider, version
):
    other_statement = _post_evidence(project, lead, question_key="code-unit-tests")
    elsewhere = _post_evidence(other_project, outsider)
    client.force_login(lead)
    url = reverse("answer_save", args=[submitted.code, KEY])
    for code in (other_statement.code, elsewhere.code, "not-a-code"):
        response = client.post(url, {"base_revision": _answer(submitted).revision, "adopt": code})
        assert response.status_code == 404
    assert _answer(submitted).evidence_url == ""


def test_the_adopt_button_needs_post(client, lead, submitted, evidence):
    client.force_login(lead)
    url = reverse("answer_save", args=[submitted.code, KEY])
    assert client.get(url, {"adopt": evidence.code}).status_code == 405


def test_the_admin_lists_evidence_read_only(client, evidence, admin_user):
    client.force_login(admin_user)
    listing = client.get(reverse("admin:surveys_pipelineevidence_changelist"))
    assert listing.status_code == 200 and KEY in listing.content.decode()
    assert client.get(reverse("admin:surveys_pipelineevidence_add")).status_code == 403

"""Saving answers and submitting through the API: the rules of the screens, unchanged."""

import pytest

from brands.models import AuditAction, AuditEvent
from surveys.models import Answer, AnswerEvent, AssessmentMode, AssessmentStatus
from surveys.services import assessment_start
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def self_fill(project, version, lead):
    return assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )


def _start(api, project, mode="self_fill"):
    response = api.post(f"/projects/{project.code}/assessments", {"mode": mode})
    assert response.status_code == 201, response.content
    return response.json()


def _answer(api, code, key):
    body = api.get(f"/assessments/{code}").json()
    return next(a for a in body["answers"] if a["question"] == key)


def test_a_lead_starts_an_assessment_and_saves_an_answer(api_as, lead, project):
    api = api_as(lead)
    started = _start(api, project)
    assert started["status"] == "draft" and started["mode"] == "self_fill"
    before = _answer(api, started["code"], "doc-purpose")
    response = api.put(
        f"/assessments/{started['code']}/answers/doc-purpose",
        {"base_revision": before["revision"], "answer": "yes", "comment": "In the README"},
    )
    assert response.status_code == 200, response.content
    saved = response.json()
    assert (saved["option"], saved["comment"]) == ("yes", "In the README")
    assert saved["revision"] == before["revision"] + 1
    assert saved["answered_by"] == "lead"
    assert AnswerEvent.objects.filter(answer__question__key="doc-purpose").exists()


def test_a_stale_revision_is_a_conflict_with_the_current_answer(api_as, lead, self_fill):
    api = api_as(lead)
    url = f"/assessments/{self_fill.code}/answers/doc-purpose"
    assert api.put(url, {"base_revision": 0, "answer": "yes"}).status_code == 200
    response = api.put(url, {"base_revision": 0, "answer": "no"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["current"]["option"] == "yes"
    assert body["current"]["revision"] == 1
    assert Answer.objects.get(assessment=self_fill, question__key="doc-purpose").option.key == "yes"


def test_na_needs_a_reason(api_as, lead, self_fill):
    response = api_as(lead).put(
        f"/assessments/{self_fill.code}/answers/doc-purpose", {"base_revision": 0, "answer": "na"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == "na_reason"
    assert "reason" in response.json()["message"]


def test_na_with_a_reason_is_saved(api_as, lead, self_fill):
    response = api_as(lead).put(
        f"/assessments/{self_fill.code}/answers/doc-purpose",
        {"base_revision": 0, "answer": "na", "na_reason": "No model yet"},
    )
    assert response.status_code == 200
    assert response.json()["is_na"] is True


def test_an_unknown_option_names_the_field(api_as, lead, self_fill):
    response = api_as(lead).put(
        f"/assessments/{self_fill.code}/answers/doc-purpose",
        {"base_revision": 0, "answer": "maybe"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "answer"


def test_a_bad_evidence_link_names_the_field(api_as, lead, self_fill):
    response = api_as(lead).put(
        f"/assessments/{self_fill.code}/answers/doc-purpose",
        {"base_revision": 0, "answer": "yes", "evidence_url": "javascript:alert(1)"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "evidence_url"


def test_an_unknown_statement_is_404(api_as, lead, self_fill):
    response = api_as(lead).put(
        f"/assessments/{self_fill.code}/answers/no-such-key", {"base_revision": 0, "answer": "yes"}
    )
    assert response.status_code == 404


def test_a_missing_base_revision_is_422_naming_it(api_as, lead, self_fill):
    response = api_as(lead).put(
        f"/assessments/{self_fill.code}/answers/doc-purpose", {"answer": "yes"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == "base_revision"


def test_malformed_json_is_refused_with_the_error_body(client, lead, self_fill):
    from tests.api.conftest import make_token

    response = client.put(
        f"/api/v1/assessments/{self_fill.code}/answers/doc-purpose",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {make_token(lead)}",
    )
    assert response.status_code in (400, 422)
    assert set(response.json()) >= {"code", "message"}


def test_a_validated_assessment_is_frozen(api_as, lead, project, version):
    validated = factories.assessment(
        project, version, status=AssessmentStatus.VALIDATED, answers={"doc-purpose": "yes"}
    )
    response = api_as(lead).put(
        f"/assessments/{validated.code}/answers/doc-purpose", {"base_revision": 1, "answer": "no"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "assessment_closed"
    assert Answer.objects.get(assessment=validated, question__key="doc-purpose").option.key == "yes"


def test_a_viewer_may_not_answer(api_as, viewer, self_fill):
    response = api_as(viewer).put(
        f"/assessments/{self_fill.code}/answers/doc-purpose", {"base_revision": 0, "answer": "yes"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_a_data_scientist_on_the_team_answers_a_self_fill(api_as, data_scientist, self_fill):
    response = api_as(data_scientist).put(
        f"/assessments/{self_fill.code}/answers/doc-purpose", {"base_revision": 0, "answer": "yes"}
    )
    assert response.status_code == 200


def test_a_data_scientist_may_not_start_an_assessment(api_as, data_scientist, project):
    response = api_as(data_scientist).post(
        f"/projects/{project.code}/assessments", {"mode": "self_fill"}
    )
    assert response.status_code == 403


def test_interviewer_notes_are_hidden_from_data_scientists(api_as, lead, data_scientist, project):
    started = _start(api_as(lead), project, mode="interview")
    api_as(lead).put(
        f"/assessments/{started['code']}/answers/doc-purpose",
        {"base_revision": 0, "answer": "yes", "interviewer_note": "Ask again in Q1"},
    )
    assert _answer(api_as(lead), started["code"], "doc-purpose")["interviewer_note"] == (
        "Ask again in Q1"
    )
    assert (
        _answer(api_as(data_scientist), started["code"], "doc-purpose")["interviewer_note"] is None
    )


def test_submitting_an_incomplete_self_fill_lists_what_is_missing(api_as, lead, self_fill):
    response = api_as(lead).post(f"/assessments/{self_fill.code}/submit")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "incomplete"
    assert "doc-purpose" in body["missing"]
    self_fill.refresh_from_db()
    assert self_fill.status == AssessmentStatus.DRAFT


def test_submitting_a_complete_self_fill_stores_its_score(api_as, lead, project, version):
    keys = [q.key for q in version.questions.all() if q.applies_to_kind(project.kind)]
    complete = factories.assessment(
        project, version, mode=AssessmentMode.SELF_FILL, answers=dict.fromkeys(keys, "yes")
    )
    response = api_as(lead).post(f"/assessments/{complete.code}/submit")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["score"]["percent"] == 100
    assert body["score"]["sections"]
    again = api_as(lead).post(f"/assessments/{complete.code}/submit")
    assert again.status_code == 409


def test_every_write_is_audited_with_its_token(api_as, lead, self_fill):
    api = api_as(lead)
    api.put(
        f"/assessments/{self_fill.code}/answers/doc-purpose", {"base_revision": 0, "answer": "yes"}
    )
    event = AuditEvent.objects.get(action=AuditAction.API_WRITE)
    assert event.actor == lead
    assert event.target_code == str(self_fill.code)
    assert event.details["what"] == "answer doc-purpose saved"
    assert event.details["token"] == api.secret[: len(event.details["token"])]
    assert event.details["method"] == "PUT"


def test_a_refused_write_leaves_no_audit_event(api_as, viewer, self_fill):
    api_as(viewer).put(
        f"/assessments/{self_fill.code}/answers/doc-purpose", {"base_revision": 0, "answer": "yes"}
    )
    assert not AuditEvent.objects.filter(action=AuditAction.API_WRITE).exists()


def test_a_method_a_route_does_not_take_is_405_in_json(api_as, lead, self_fill):
    response = api_as(lead).send("DELETE", f"/assessments/{self_fill.code}")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_an_unknown_address_under_the_api_is_404_in_json(api_as, lead):
    response = api_as(lead).get("/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_code_that_is_no_uuid_is_422_naming_it(api_as, lead):
    response = api_as(lead).get("/assessments/not-a-code")
    assert response.status_code == 422
    assert response.json()["field"] == "code"

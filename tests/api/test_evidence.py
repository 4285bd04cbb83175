"""Pipelines post evidence for a project's statement through the API: the service's rules,
the token's scope, the tenant, and never a changed answer."""

import datetime

import pytest
from django.urls import reverse

from api.errors import NOT_FOUND
from brands.models import AuditAction, AuditEvent, TokenScope
from surveys import services
from surveys.models import Answer, AnswerVia, AssessmentMode, PipelineEvidence
from tests.api.conftest import Api, make_service_token
from tests.clock import PINNED_NOW

pytestmark = pytest.mark.django_db

COMMIT = "3f2a9c4e1b7d"


def _body(**changes) -> dict:
    return {
        "question_key": "doc-purpose",
        "url": "https://ci.example.com/runs/5150/report.html",
        "outcome": "passed",
        "run_id": 5150,
        "run_url": "https://ci.example.com/runs/5150",
        "commit": COMMIT,
        "observed_at": (PINNED_NOW - datetime.timedelta(hours=3)).isoformat(),
        "source": "GitHub Actions",
        **changes,
    }


def _post(api, project, **changes):
    return api.post(f"/projects/{project.code}/evidence", _body(**changes))


def test_a_data_scientists_pipeline_posts_evidence_and_the_answer_stays_as_it_was(
    api_as, data_scientist, lead, project, version
):
    assessment = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    answer = Answer.objects.get(assessment=assessment, question__key="doc-purpose")
    services.answer_save(
        assessment=assessment,
        question_key="doc-purpose",
        user=data_scientist,
        base_revision=answer.revision,
        data=services.AnswerInput(option="partly", evidence_url="https://wiki.example.com/x"),
        via=AnswerVia.SELF_FILL,
    )
    before = Answer.objects.get(pk=answer.pk)

    response = _post(api_as(data_scientist), project)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body | {"code": None} == {
        "code": None,
        "project": str(project.code),
        "question_key": "doc-purpose",
        "question_set": None,
        "url": "https://ci.example.com/runs/5150/report.html",
        "outcome": "passed",
        "run_id": "5150",
        "run_url": "https://ci.example.com/runs/5150",
        "commit": COMMIT,
        "observed_at": body["observed_at"],
        "received_at": body["received_at"],
        "source": "GitHub Actions",
        "posted_by": data_scientist.get_username(),
        "stale": False,
    }
    stored = PipelineEvidence.objects.get(code=body["code"])
    assert stored.observed_at == PINNED_NOW - datetime.timedelta(hours=3)
    assert stored.posted_by == data_scientist and stored.project == project
    after = Answer.objects.get(pk=answer.pk)
    assert (after.revision, after.option_id, after.evidence_url) == (
        before.revision,
        before.option_id,
        before.evidence_url,
    )
    event = AuditEvent.objects.get(action=AuditAction.API_WRITE)
    assert event.actor == data_scientist and event.details["what"] == "evidence posted"


def test_the_list_shows_the_newest_observation_first_and_filters_by_statement(
    api_as, lead, project
):
    api = api_as(lead)
    for hours, key, outcome in ((5, "doc-purpose", "failed"), (1, "doc-purpose", "passed")):
        observed = (PINNED_NOW - datetime.timedelta(hours=hours)).isoformat()
        response = _post(api, project, question_key=key, outcome=outcome, observed_at=observed)
        assert response.status_code == 201
    old = (PINNED_NOW - datetime.timedelta(days=45)).isoformat()
    assert _post(api, project, question_key="doc-model-card", observed_at=old).status_code == 201

    listed = api.get(f"/projects/{project.code}/evidence").json()
    assert listed["count"] == 3
    assert [(e["question_key"], e["outcome"], e["stale"]) for e in listed["results"]] == [
        ("doc-purpose", "passed", False),
        ("doc-purpose", "failed", False),
        ("doc-model-card", "passed", True),
    ]
    one = api.get(f"/projects/{project.code}/evidence", question_key="doc-model-card").json()
    assert [e["question_key"] for e in one["results"]] == ["doc-model-card"]
    paged = api.get(f"/projects/{project.code}/evidence", limit=2).json()
    assert len(paged["results"]) == 2 and paged["next"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"outcome": "maybe"}, "outcome", "passed"),
        ({"url": "ftp://ci.example.com/x"}, "url", "http"),
        ({"commit": "not-hex"}, "commit", "hex"),
        ({"question_key": "no-such-statement"}, "question_key", "no-such-statement"),
        ({"observed_at": "2026-11-18T09:00:00"}, "observed_at", "time zone"),
        ({"observed_at": "2026-11-19T10:00:00Z"}, "observed_at", "future"),
        ({"observed_at": "yesterday"}, "observed_at", "ISO 8601"),
    ],
)
def test_a_wrong_field_is_refused_with_its_name_and_nothing_is_stored(
    api_as, lead, project, changes, field, words
):
    response = _post(api_as(lead), project, **changes)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == field
    assert words.lower() in body["message"].lower()
    assert not PipelineEvidence.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.API_WRITE).exists()


def test_a_missing_field_is_a_422_naming_it(api_as, lead, project):
    body = _body()
    del body["outcome"]
    response = api_as(lead).post(f"/projects/{project.code}/evidence", body)
    assert response.status_code == 422
    assert "outcome" in response.content.decode()


def test_a_read_token_a_viewer_and_another_brand_are_refused(
    api_as, lead, viewer, outsider, project
):
    read_only = _post(api_as(lead, TokenScope.READ), project)
    assert read_only.status_code == 403 and read_only.json()["code"] == "read_only_token"
    by_viewer = _post(api_as(viewer), project)
    assert by_viewer.status_code == 403 and by_viewer.json()["code"] == "forbidden"
    for response in (
        _post(api_as(outsider), project),
        api_as(outsider).get(f"/projects/{project.code}/evidence"),
    ):
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": NOT_FOUND}
    assert not PipelineEvidence.objects.exists()


def test_a_brand_service_token_posts_for_its_brand_only(
    client, brand, lead, project, other_project
):
    api = Api(client, make_service_token(brand, lead))
    response = _post(api, project)
    assert response.status_code == 201
    posted_by = PipelineEvidence.objects.get().posted_by
    assert posted_by.is_service_account and response.json()["posted_by"] == posted_by.username
    assert _post(api, other_project).status_code == 404


def test_the_interviewer_sees_posted_evidence_beside_the_statement(
    api_as, client, data_scientist, lead, project, version
):
    assessment = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.INTERVIEW, version=version
    )
    assert _post(api_as(data_scientist), project).status_code == 201
    client.force_login(lead)
    page = client.get(reverse("interview_console", args=[assessment.code])).content.decode()
    assert 'id="pe-doc-purpose"' in page and "From GitHub Actions" in page
    assert ">3 hours ago</time>" in page
    assert "https://ci.example.com/runs/5150/report.html" in page

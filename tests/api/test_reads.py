"""Reading through the API: each list as far as the token's owner may see, paged and filtered
like the pages."""

import pytest

from brands.models import AuditAction, AuditEvent, Project
from scoring.services import score_store
from surveys.models import AssessmentStatus
from surveys.services import version_draft_copy
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def validated(project, version):
    assessment = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers={"doc-purpose": "yes", "doc-success-metrics": "no"},
    )
    score_store(assessment=assessment)
    return assessment


def test_a_brand_member_sees_only_their_brand(api_as, lead, brand, other_brand):
    body = api_as(lead).get("/brands").json()
    assert [b["name"] for b in body["results"]] == [brand.name]
    assert body["results"][0]["role"] == "lead"
    assert body["count"] == 1


def test_a_group_role_sees_every_brand(api_as, group_viewer, brand, other_brand):
    body = api_as(group_viewer).get("/brands").json()
    assert {b["name"] for b in body["results"]} == {brand.name, other_brand.name}


def test_lists_are_paged_with_a_total_and_links(api_as, lead, brand):
    for i in range(5):
        factories.ProjectFactory(brand=brand, name=f"Model {i}")
    api = api_as(lead)
    first = api.get("/projects", limit=2).json()
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert "offset=2" in first["next"] and "limit=2" in first["next"]
    last = api.get("/projects", limit=2, offset=4).json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    assert "offset=2" in last["previous"]
    names = [
        p["name"]
        for p in first["results"] + api.get("/projects", limit=2, offset=2).json()["results"]
    ]
    assert len(set(names)) == 4


def test_a_page_size_beyond_the_maximum_is_refused_naming_the_field(api_as, lead):
    response = api_as(lead).get("/projects", limit=10_000)
    assert response.status_code == 422
    assert response.json()["field"] == "limit"


def test_projects_filter_like_the_pages(api_as, group_admin, brand, other_brand, project):
    factories.ProjectFactory(brand=other_brand, name="Forecast", kind="batch")
    api = api_as(group_admin)
    by_brand = api.get("/projects", brand=str(brand.code)).json()["results"]
    assert [p["name"] for p in by_brand] == [project.name]
    by_kind = api.get("/projects", kind="batch").json()["results"]
    assert [p["name"] for p in by_kind] == ["Forecast"]
    assert api.get("/projects", kind="sideways").status_code == 422


def test_a_project_shows_its_latest_validated_score(api_as, lead, project, validated):
    body = api_as(lead).get(f"/projects/{project.code}").json()
    assert body["latest_validated"]["assessment"] == str(validated.code)
    assert body["latest_validated"]["percent"] == 50


def test_an_assessment_comes_with_its_answers_and_section_figures(api_as, viewer, validated):
    body = api_as(viewer).get(f"/assessments/{validated.code}").json()
    assert body["status"] == "validated"
    assert body["can_edit"] is False
    assert body["score"]["percent"] == 50
    assert body["score"]["sections"][0]["key"]
    answers = {a["question"]: a["option"] for a in body["answers"]}
    assert answers == {"doc-purpose": "yes", "doc-success-metrics": "no"}


def test_assessments_filter_by_status_and_project(api_as, lead, project, version, validated):
    factories.assessment(project, version)
    api = api_as(lead)
    assert api.get("/assessments").json()["count"] == 2
    assert [a["code"] for a in api.get("/assessments", status="validated").json()["results"]] == [
        str(validated.code)
    ]
    assert api.get(f"/projects/{project.code}/assessments", status="draft").json()["count"] == 1


def test_question_sets_and_a_version_whole(api_as, viewer, version):
    api = api_as(viewer)
    sets = api.get("/question-sets").json()["results"]
    assert sets[0]["versions"][0]["code"] == str(version.code)
    body = api.get(f"/question-set-versions/{version.code}").json()
    assert body["options"] and body["levels"]
    assert body["sections"][0]["questions"][0]["key"]


def test_a_draft_version_is_only_for_question_set_editors(api_as, viewer, group_admin, version):
    draft = version_draft_copy(version=version, user=group_admin)
    assert api_as(viewer).get(f"/question-set-versions/{draft.code}").status_code == 404
    assert api_as(group_admin).get(f"/question-set-versions/{draft.code}").status_code == 200


def test_trends_plan_and_gaps(api_as, lead, brand, project, validated):
    api = api_as(lead)
    trend = api.get(f"/projects/{project.code}/trend").json()
    assert trend["points"][0]["assessment"] == str(validated.code)
    brand_trend = api.get(f"/brands/{brand.code}/trend").json()
    assert brand_trend["points"][-1]["so_far"] is True
    assert brand_trend["points"][-1]["percent"] == 50
    plan = api.get(f"/projects/{project.code}/plan").json()
    assert plan["assessment"] == str(validated.code)
    assert [i["question"] for i in plan["items"]] == ["doc-success-metrics"]
    gaps = api.get(f"/brands/{brand.code}/gaps").json()
    assert [g["question"] for g in gaps["gaps"]] == ["doc-success-metrics"]


def test_an_unknown_question_set_for_figures_names_the_field(api_as, lead, brand):
    response = api_as(lead).get(
        f"/brands/{brand.code}/trend", set="00000000-0000-0000-0000-000000000000"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "No published question set has this code.",
        "field": "set",
    }


def test_the_group_gaps_are_for_group_roles(api_as, lead, group_assessor):
    assert api_as(lead).get("/gaps").status_code == 403
    assert api_as(group_assessor).get("/gaps").status_code == 200


def test_a_lead_creates_and_changes_a_project(api_as, lead, brand):
    api = api_as(lead)
    created = api.post(
        "/projects", {"brand": str(brand.code), "name": "Search ranking", "kind": "realtime"}
    )
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    changed = api.patch(f"/projects/{code}", {"criticality": "high", "description": "Ranks"})
    assert changed.status_code == 200
    project = Project.objects.get(code=code)
    assert (project.name, project.criticality, project.description) == (
        "Search ranking",
        "high",
        "Ranks",
    )
    whats = list(
        AuditEvent.objects.filter(action=AuditAction.API_WRITE).values_list(
            "details__what", flat=True
        )
    )
    assert sorted(whats) == ["project changed", "project created"]


def test_a_duplicate_project_name_names_the_field(api_as, lead, brand, project):
    response = api_as(lead).post(
        "/projects", {"brand": str(brand.code), "name": project.name, "kind": "batch"}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "name"


def test_a_viewer_may_not_create_projects(api_as, viewer, brand):
    response = api_as(viewer).post(
        "/projects", {"brand": str(brand.code), "name": "Nope", "kind": "batch"}
    )
    assert response.status_code == 403
    assert not Project.objects.filter(name="Nope").exists()


def test_a_missing_kind_is_422_naming_the_field(api_as, lead, brand):
    response = api_as(lead).post("/projects", {"brand": str(brand.code), "name": "No kind"})
    assert response.status_code == 422
    assert response.json()["field"] == "kind"


def test_a_group_viewers_write_token_still_may_not_change_a_project(api_as, group_viewer, project):
    response = api_as(group_viewer).patch(f"/projects/{project.code}", {"name": "Renamed"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    project.refresh_from_db()
    assert project.name == "Cross-sell API"

"""The improvement plan as a CSV for Jira's importer: one row per open action, safe cells."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring.models import ActionStatus, ImprovementAction
from scoring.services import score_store
from surveys.models import AssessmentStatus, Question
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_with_actions(project, version, lead):
    assessment = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers={"doc-purpose": "no", "doc-success-metrics": "partly"},
    )
    score_store(assessment=assessment)
    lead.email = "lead@example.com"
    lead.save()
    open_one = ImprovementAction.objects.create(
        project=project,
        question_key="doc-success-metrics",
        question_text="Success metrics are written down.",
        title='=HYPERLINK("http://evil.example","click")',
        note="+Start with the business KPI",
        owner=lead,
        due_on=datetime.date(2027, 1, 31),
        created_by=lead,
    )
    ImprovementAction.objects.create(
        project=project,
        question_key="doc-purpose",
        question_text="The purpose is written down.",
        title="Already done",
        status=ActionStatus.DONE,
        closed_at=timezone.now(),
        created_by=lead,
    )
    return open_one


def rows_of(response) -> list[list[str]]:
    text = response.content.decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_the_open_actions_are_one_row_each_with_jiras_columns(
    client, lead, project, version, plan_with_actions
):
    client.force_login(lead)
    response = client.get(reverse("project_plan_csv", args=[project.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = rows_of(response)
    assert header == [
        "Summary", "Issue Type", "Description", "Priority", "Labels", "Labels", "Due date",
        "Assignee", "Yardstick action",
    ]  # fmt: skip
    assert len(rows) == 1  # the done action is left out
    (row,) = rows
    core = Question.objects.get(version=version, key="doc-success-metrics").core
    assert row[0] == '\'=HYPERLINK("http://evil.example","click")'  # never a formula
    assert row[1] == "Task"
    assert row[2].startswith("Statement: Success metrics are written down.")
    assert "+Start with the business KPI" in row[2]
    assert f"/projects/{project.code}/plan/#action-{plan_with_actions.code}" in row[2]
    assert row[3] == ("High" if core else "Medium")
    assert row[4:6] == ["yardstick", "doc-success-metrics"]
    assert row[6:9] == ["2027-01-31", "lead@example.com", str(plan_with_actions.code)]


def test_the_plan_page_links_to_the_download(client, lead, project, plan_with_actions):
    client.force_login(lead)
    page = client.get(reverse("project_plan", args=[project.code])).content.decode()
    assert reverse("project_plan_csv", args=[project.code]) in page


def test_a_viewer_of_the_brand_may_download_it(client, viewer, project, plan_with_actions):
    client.force_login(viewer)
    assert client.get(reverse("project_plan_csv", args=[project.code])).status_code == 200


def test_another_brand_gets_404_and_the_method_is_get(
    client, outsider, lead, project, plan_with_actions
):
    client.force_login(outsider)
    assert client.get(reverse("project_plan_csv", args=[project.code])).status_code == 404
    client.force_login(lead)
    assert client.post(reverse("project_plan_csv", args=[project.code])).status_code == 405

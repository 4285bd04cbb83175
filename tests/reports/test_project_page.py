"""The project page: profile against brand and group, history with what moved, answers, plan."""

import csv
import datetime
import io
import statistics

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from brands.models import BrandRole
from reports.dashboards.project import project_page_data
from scoring.models import ActionStatus, ImprovementAction
from scoring.selectors import assessment_movement, assessment_result, scores_for_assessments
from scoring.services import score_store
from surveys.models import Answer, AssessmentStatus
from surveys.selectors import assessments_of_project
from tests import factories
from tests.clock import PINNED_NOW, PINNED_TODAY
from tests.reports.dashboard_data import count_queries

pytestmark = pytest.mark.django_db

TODAY = PINNED_TODAY
EARLIER = TODAY - datetime.timedelta(days=100)
YES, NO = {"doc-purpose": "yes"}, {"doc-purpose": "no"}
MIXED = {"doc-purpose": "yes", "doc-success-metrics": "partly", "trace-model-registry": "no"}


def scored(project, version, answers, on=TODAY, status=AssessmentStatus.VALIDATED):
    assessment = factories.assessment(
        project, version, status=status, answers=answers, assessed_on=on
    )
    score_store(assessment=assessment)
    return assessment


def url(project) -> str:
    return reverse("project_detail", args=[project.code])


def page_of(project):
    assessments = list(scores_for_assessments(assessments_of_project(project)))
    return project_page_data(project=project, assessments=assessments, on=timezone.localdate())


def peers(brand, version, answers_list):
    for answers in answers_list:
        scored(factories.ProjectFactory(brand=brand), version, answers)


def test_the_profile_equals_the_engines_figures(project, version):
    latest = scored(project, version, MIXED)
    result = assessment_result(latest)
    page = page_of(project)
    assert page.overall.percent == pytest.approx(result.percent)
    sections = {row.key: row.percent for row in page.sections}
    for key, section in result.sections.items():
        expected = None if section.score is None else section.score * 100
        if expected is not None:
            assert sections[key] == pytest.approx(expected)


def test_the_group_is_the_median_of_other_brands_and_the_brand_the_mean_of_the_others(
    project, brand, other_brand, version
):
    scored(project, version, MIXED)
    peers(brand, version, [YES, NO, YES])
    peers(other_brand, version, [YES, NO, NO, YES])
    others = [assessment_result(a).percent for a in other_brand_assessments(other_brand)]
    page = page_of(project)
    assert page.overall.group.n == 4
    assert page.overall.group.median == pytest.approx(statistics.median(others))
    assert page.overall.brand.n == 3
    assert page.overall.brand.mean == pytest.approx(statistics.fmean([100.0, 0.0, 100.0]))


def other_brand_assessments(brand):
    from surveys.models import Assessment

    return Assessment.objects.filter(project__brand=brand).select_related("version", "project")


def test_a_group_of_fewer_than_three_is_never_shown(client, lead, project, other_brand, version):
    scored(project, version, MIXED)
    peers(other_brand, version, [YES, NO])
    page = page_of(project)
    assert not page.overall.group.shown
    assert page.overall.group.median is None
    client.force_login(lead)
    response = client.get(reverse("project_profile_csv", args=[project.code]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    overall = rows[1]
    assert overall[0] == "Overall"
    assert overall[4:] == ["", "", "", ""]  # quartiles, median and n withheld
    assert overall[2:4] == ["", ""]  # the brand has no other project


def test_the_page_shows_the_chart_table_and_csv_link(client, lead, project, version):
    scored(project, version, MIXED)
    client.force_login(lead)
    html = client.get(url(project)).content.decode()
    assert 'id="chart-profile"' in html
    assert reverse("project_profile_csv", args=[project.code]) in html
    assert "The numbers as a table" in html


def test_without_a_validated_assessment_it_says_start_one(client, lead, project, version):
    scored(project, version, YES, status=AssessmentStatus.SUBMITTED)
    client.force_login(lead)
    html = client.get(url(project)).content.decode()
    assert "No assessment yet" in html
    assert 'href="#new-assessment">start one' in html
    assert 'id="chart-profile"' not in html
    assert client.get(reverse("project_profile_csv", args=[project.code])).status_code == 404


def test_the_history_shows_what_moved_since_the_previous_validated(client, lead, project, version):
    scored(project, version, NO, on=EARLIER)
    latest = scored(project, version, {"doc-purpose": "yes", "doc-success-metrics": "yes"})
    page = page_of(project)
    row = page.history[0]
    assert row.assessment == latest
    assert row.overall_points == pytest.approx(assessment_result(latest).percent - 0.0)
    assert page.movement is not None and len(page.movement.answers) == 2
    client.force_login(lead)
    html = client.get(url(project)).content.decode()
    assert "+100.0 points" in html
    assert "2 answers changed" in html
    assert reverse("assessment_moved", args=[latest.code]) in html


def test_answers_show_comments_and_evidence_but_never_interviewer_notes(
    client, viewer, project, version
):
    latest = scored(project, version, MIXED)
    Answer.objects.filter(assessment=latest, question__key="doc-purpose").update(
        comment="Written in the wiki",
        evidence_url="https://wiki.example.com/purpose",
        interviewer_note="SECRET-NOTE",
    )
    client.force_login(viewer)
    html = client.get(url(project)).content.decode()
    assert "Written in the wiki" in html
    assert "https://wiki.example.com/purpose" in html
    assert "SECRET-NOTE" not in html
    assert "Documentation" in html


def test_the_plan_summary_lists_at_most_five_unmet_statements(client, lead, project, version):
    answers = {
        key: "no"
        for key in (
            "doc-purpose",
            "doc-success-metrics",
            "doc-model-card",
            "doc-architecture",
            "doc-data-sources",
            "doc-onboarding",
        )
    }
    scored(project, version, answers)
    page = page_of(project)
    assert len(page.plan_items) == 5
    assert page.plan_total == 6
    client.force_login(lead)
    html = client.get(url(project)).content.decode()
    assert "(6 statements not met)" in html
    assert reverse("project_plan", args=[project.code]) in html


def test_another_brands_user_gets_404(client, outsider, project, version):
    scored(project, version, MIXED)
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404
    assert client.get(reverse("project_profile_csv", args=[project.code])).status_code == 404


def test_it_only_takes_get(client, lead, project):
    client.force_login(lead)
    assert client.post(url(project)).status_code == 405
    assert client.post(reverse("project_profile_csv", args=[project.code])).status_code == 405


def test_a_read_only_user_sees_the_figures_but_no_start_form(client, viewer, project, version):
    scored(project, version, MIXED)
    client.force_login(viewer)
    html = client.get(url(project)).content.decode()
    assert 'id="chart-profile"' in html
    assert "Start the assessment" not in html


def test_the_csv_holds_the_profile(client, lead, project, brand, version):
    scored(project, version, MIXED)
    peers(brand, version, [YES, NO, YES])
    client.force_login(lead)
    response = client.get(reverse("project_profile_csv", args=[project.code]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Section", "This project %", "Brand mean %"]
    assert rows[1][0] == "Overall"
    assert float(rows[1][1]) == pytest.approx(
        round(assessment_result(project.assessments.get()).percent, 1)
    )
    assert rows[1][3] == "3"


def with_everything(project, version, lead, open_key: str) -> None:
    """Reach every path of the page: comments and evidence on the latest answers, actions
    (one with an owner, one closed by an assessment), a draft in progress."""
    latest = project.assessments.filter(status=AssessmentStatus.VALIDATED).latest("assessed_on")
    Answer.objects.filter(assessment=latest, question__key="doc-purpose").update(
        comment="In the wiki", evidence_url="https://wiki.example.com/p"
    )
    ImprovementAction.objects.create(
        project=project,
        question_key=open_key,
        question_text="An unmet statement",
        title="Meet it",
        owner=lead,
        created_by=lead,
    )
    ImprovementAction.objects.create(
        project=project,
        question_key="doc-purpose",
        question_text="Purpose",
        title="Write the purpose down",
        status=ActionStatus.DONE,
        closed_at=timezone.now(),
        closed_by_assessment=latest,
        created_by=lead,
    )
    factories.assessment(project, version, answers=NO, mode="self_fill")


@pytest.mark.parametrize("role", ["lead", "group_viewer"])
@pytest.mark.parametrize("cached", [False, True], ids=["cold", "cached"])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client, project, brand, other_brand, version, group_viewer, role, cached
):
    lead = factories.member(brand, BrandRole.LEAD)
    client.force_login(lead if role == "lead" else group_viewer)
    scored(project, version, NO, on=EARLIER)
    scored(project, version, MIXED)

    def add(n: int) -> None:
        for _ in range(n):
            for b in (brand, other_brand):
                p = factories.ProjectFactory(brand=b)
                scored(p, version, NO, on=EARLIER)
                scored(p, version, YES)
            scored(project, version, NO, on=EARLIER - datetime.timedelta(days=10))

    add(1)
    with_everything(project, version, lead, "trace-model-registry")
    few = count_queries(lambda: client.get(url(project)), cached=cached)
    add(9)
    with_everything(project, version, lead, "doc-success-metrics")
    assert count_queries(lambda: client.get(url(project)), cached=cached) == few


def test_every_history_row_counts_the_changed_answers_as_the_movement_does(project, version):
    first = scored(project, version, NO, on=EARLIER - datetime.timedelta(days=50))
    second = scored(project, version, MIXED, on=EARLIER)
    scored(project, version, YES, on=EARLIER + datetime.timedelta(days=10), status="submitted")
    third = scored(project, version, {"doc-purpose": "partly", "doc-success-metrics": "partly"})

    rows = {row.assessment.pk: row for row in page_of(project).history}
    for before, after in ((first, second), (second, third)):
        row = rows[after.pk]
        assert row.previous == before
        assert row.changed_answers == len(assessment_movement(before, after).answers)
    assert rows[first.pk].changed_answers is None


def test_the_changed_answers_of_validated_assessments_are_the_same_read_from_the_cache(
    project, version
):
    first = scored(project, version, NO, on=EARLIER - datetime.timedelta(days=50))
    second = scored(project, version, MIXED, on=EARLIER)
    third = scored(project, version, {"doc-purpose": "partly", "doc-success-metrics": "partly"})
    expected = {
        second.pk: len(assessment_movement(first, second).answers),
        third.pk: len(assessment_movement(second, third).answers),
    }
    for _ in range(2):  # computed, then from the figures cache
        rows = {row.assessment.pk: row.changed_answers for row in page_of(project).history}
        assert {pk: rows[pk] for pk in expected} == expected


def test_what_moved_is_kept_through_a_validation_elsewhere_and_follows_the_projects_own(
    project, other_brand, version
):
    first = scored(project, version, NO, on=EARLIER)
    second = scored(project, version, MIXED)
    cold = count_queries(lambda: page_of(project))  # everything computed, then kept
    assert page_of(project).movement == assessment_movement(first, second)

    # Another project's validation changes the figures token: the peers are read again, but
    # what moved between two validated assessments of this one is not.
    scored(factories.ProjectFactory(brand=other_brand), version, YES)
    with CaptureQueriesContext(connection) as after_elsewhere:
        page = page_of(project)
    assert len(after_elsewhere.captured_queries) < cold
    assert page.movement == assessment_movement(first, second)
    assert [row.changed_answers for row in page.history] == [
        len(assessment_movement(first, second).answers),
        None,
    ]

    third = scored(project, version, YES, on=TODAY + datetime.timedelta(days=1))
    with time_machine.travel(PINNED_NOW + datetime.timedelta(days=1), tick=True):
        page = page_of(project)
    assert (page.movement.before, page.movement.after) == (second, third)
    assert page.movement == assessment_movement(second, third)

"""My work: the home page lists each person's own tasks, by role, with one link to each."""

import datetime
import html as html_lib

import pytest
import time_machine
from django.urls import reverse

from brands.models import BrandRole
from reports.models import ReportJob, ReportStatus
from scoring.models import ImprovementAction
from surveys.models import AssessmentMode, AssessmentStatus, Invitation
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = "2026-11-20 10:00 +0000"


@pytest.fixture(autouse=True)
def _pinned_date():
    with time_machine.travel(TODAY, tick=False):
        yield


def _page(client, user, query: str = "", **headers) -> str:
    client.force_login(user)
    response = client.get(reverse("home") + query, **headers)
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


def _self_fill(project, version, **kwargs):
    return factories.assessment(project, version, mode=AssessmentMode.SELF_FILL, **kwargs)


class TestDataScientist:
    def test_it_lists_the_open_self_fills_of_my_projects_with_a_link_to_fill(
        self, client, data_scientist, project, version
    ):
        mine = _self_fill(project, version, answers={"doc-purpose": "yes"})
        page = _page(client, data_scientist)
        assert (
            f'href="{reverse("assessment_fill", args=[mine.code])}">Continue: Cross-sell API'
            in (page)
        )
        assert "Answered 1 of" in page

    def test_it_leaves_out_projects_i_am_not_on_and_closed_assessments(
        self, client, data_scientist, brand, project, version
    ):
        elsewhere = factories.ProjectFactory(brand=brand, name="Shelf gaps")
        _self_fill(elsewhere, version)
        _self_fill(project, version, status=AssessmentStatus.SUBMITTED)
        page = _page(client, data_scientist)
        assert "Shelf gaps" not in page
        assert "No self-assessment is waiting for you" in page

    def test_an_invitation_by_address_lists_the_self_fill(self, client, brand, version, lead):
        outside = factories.ProjectFactory(brand=brand, name="Loyalty churn")
        invited = factories.member(brand, BrandRole.VIEWER, username="inv", email="i@example.com")
        assessment = _self_fill(outside, version)
        Invitation.objects.create(assessment=assessment, email="I@example.com", created_by=lead)
        assert "Start: Loyalty churn" in _page(client, invited)

    def test_the_navigation_counts_my_open_self_fills(
        self, client, data_scientist, project, version
    ):
        _self_fill(project, version)
        assert '<span class="sr-only">, waiting: </span>1</span>' in _page(client, data_scientist)


class TestLead:
    def test_it_lists_interviews_reviews_due_actions_and_projects_not_assessed(
        self, client, lead, brand, project, version
    ):
        interview = factories.assessment(project, version)
        review = _self_fill(project, version, status=AssessmentStatus.SUBMITTED)
        ImprovementAction.objects.create(
            project=project,
            question_key="doc-purpose",
            question_text="x",
            title="Write the model card",
            due_on=datetime.date(2026, 11, 1),
        )
        ImprovementAction.objects.create(
            project=project,
            question_key="ci-tests",
            question_text="x",
            title="Far future",
            due_on=datetime.date(2027, 6, 1),
        )
        old = factories.ProjectFactory(brand=brand, name="Old forecaster")
        factories.assessment(
            old, version, status=AssessmentStatus.VALIDATED, assessed_on=datetime.date(2026, 3, 31)
        )
        recent = factories.ProjectFactory(brand=brand, name="Recent pricing")
        factories.assessment(
            recent,
            version,
            status=AssessmentStatus.VALIDATED,
            assessed_on=datetime.date(2026, 4, 1),
        )
        page = _page(client, lead)
        assert f'href="{reverse("interview_console", args=[interview.code])}"' in page
        assert (
            f'href="{reverse("assessment_review", args=[review.code])}">Review Cross-sell API'
            in (page)
        )
        assert "Write the model card" in page and "overdue" in page
        assert "Far future" not in page
        # Q1 is more than two quarters before Q4; Q2 is not.
        assert "Old forecaster" in page and "last validated 31 Mar 2026" in page
        assert "Recent pricing" not in page

    def test_another_brands_work_is_not_listed(self, client, lead, other_project, version):
        factories.assessment(other_project, version)
        _self_fill(other_project, version, status=AssessmentStatus.SUBMITTED)
        page = _page(client, lead)
        assert "Demand forecast" not in page
        assert "No interview is open" in page


class TestAssessor:
    def test_the_queue_spans_every_brand_oldest_first(
        self, client, group_assessor, project, other_project, version
    ):
        with time_machine.travel("2026-10-01 09:00 +0000", tick=False):
            older = _self_fill(other_project, version, status=AssessmentStatus.SUBMITTED)
        newer = _self_fill(project, version, status=AssessmentStatus.SUBMITTED)
        page = _page(client, group_assessor)
        first = page.index(reverse("assessment_review", args=[older.code]))
        assert first < page.index(reverse("assessment_review", args=[newer.code]))
        assert "50 days" in page

    def test_the_queue_filters_by_brand_age_and_mode(
        self, client, group_assessor, brand, project, other_project, version
    ):
        with time_machine.travel("2026-10-01 09:00 +0000", tick=False):
            old = _self_fill(other_project, version, status=AssessmentStatus.SUBMITTED)
        interview = factories.assessment(project, version)
        review = _self_fill(project, version, status=AssessmentStatus.SUBMITTED)
        urls = {
            "old": reverse("assessment_review", args=[old.code]),
            "interview": reverse("interview_console", args=[interview.code]),
            "review": reverse("assessment_review", args=[review.code]),
        }

        def shown(query):
            page = _page(client, group_assessor, query)
            return {name for name, url in urls.items() if url in page}

        assert shown("") == {"old", "interview", "review"}
        assert shown(f"?brand={brand.code}") == {"interview", "review"}
        assert shown("?mode=interview") == {"interview"}
        assert shown("?age=30") == {"old"}
        assert shown("?age=nonsense&mode=nonsense&brand=nonsense") == set()

    def test_htmx_gets_the_queue_alone(self, client, group_assessor, project, version):
        _self_fill(project, version, status=AssessmentStatus.SUBMITTED)
        page = _page(client, group_assessor, "?mode=self_fill", HTTP_HX_REQUEST="true")
        assert page.lstrip().startswith('<section class="card work" id="queue"')
        assert "<html" not in page


class TestManagerAndAdmin:
    def test_a_manager_gets_the_dashboard_and_ready_reports(self, client, group_viewer):
        ReportJob.objects.create(
            requested_by=group_viewer,
            scope="group",
            format="pdf",
            status=ReportStatus.READY,
            filename="group-2026.pdf",
        )
        page = _page(client, group_viewer)
        assert reverse("group_dashboard") in page and "group-2026.pdf" in page
        assert "Review queue" not in page

    def test_an_admin_sees_drafts_and_failed_report_jobs(self, client, group_admin, version):
        from surveys.services import version_draft_copy

        draft = version_draft_copy(version=version, user=group_admin)
        ReportJob.objects.create(
            requested_by=group_admin,
            scope="group",
            format="xlsx",
            status=ReportStatus.FAILED,
            error="The disk was full",
        )
        page = _page(client, group_admin)
        assert reverse("draft_edit", args=[draft.code]) in page
        assert "The disk was full" in page


def test_a_viewer_has_no_tasks_and_no_count(client, viewer, project, version):
    _self_fill(project, version, status=AssessmentStatus.SUBMITTED)
    page = _page(client, viewer)
    assert "No self-assessment is waiting for you" in page
    assert "nav-count" not in page
    assert "Review Cross-sell API" not in page


def test_someone_without_a_brand_is_told_to_ask_for_access(client):
    page = _page(client, factories.UserFactory())
    assert "You are not a member of any brand yet" in page


def test_it_only_takes_get(client, lead):
    client.force_login(lead)
    assert client.post(reverse("home")).status_code == 405


def test_it_needs_a_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]

"""The brand and project pages: who sees what, and the figures they show."""

import datetime

import pytest
from django.urls import reverse

from scoring.services import score_store
from surveys.models import AssessmentStatus
from tests import factories

pytestmark = pytest.mark.django_db

EVERY_ROLE = ["lead", "viewer", "data_scientist", "group_admin", "group_assessor", "group_viewer"]
GROUP_ROLES = ["group_admin", "group_assessor", "group_viewer"]
SECRET_NOTE = "Interviewer only: the team seemed unsure"


def validated(project, version, answers: dict, on: datetime.date):
    assessment = factories.assessment(
        project, version, status=AssessmentStatus.VALIDATED, answers=answers, assessed_on=on
    )
    score_store(assessment=assessment)
    return assessment


@pytest.fixture
def history(project, version):
    """Two validated assessments of the project: 2024 Q4 at 50 %, 2025 Q1 at 100 %, and a draft."""
    older = validated(
        project,
        version,
        {"doc-purpose": "partly", "doc-success-metrics": "partly"},
        datetime.date(2024, 11, 5),
    )
    newer = validated(
        project,
        version,
        {"doc-purpose": "yes", "doc-success-metrics": "yes"},
        datetime.date(2025, 2, 14),
    )
    draft = factories.assessment(
        project, version, answers={"doc-purpose": "no"}, assessed_on=datetime.date(2025, 5, 2)
    )
    newer.answers.update(interviewer_note=SECRET_NOTE)
    return older, newer, draft


def page(client, user, url: str):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


class TestBrandList:
    @pytest.mark.parametrize("who", ["lead", "viewer", "data_scientist"])
    def test_a_brand_member_sees_only_their_own_brand(self, client, request, who, other_project):
        html = page(client, request.getfixturevalue(who), reverse("brand_list"))
        assert "Acme Groceries" in html
        assert "Other Foods" not in html

    @pytest.mark.parametrize("who", GROUP_ROLES)
    def test_group_roles_see_every_brand(self, client, request, who, brand, other_brand):
        html = page(client, request.getfixturevalue(who), reverse("brand_list"))
        assert "Acme Groceries" in html
        assert "Other Foods" in html

    def test_it_shows_the_mean_of_the_latest_validated_figures(
        self, client, group_viewer, brand, history, version
    ):
        second = factories.ProjectFactory(brand=brand, name="Offers")
        # Offers at 0 %; the project's latest validated figure is 100 %: mean 50 %.
        validated(second, version, {"doc-purpose": "no"}, datetime.date(2025, 1, 10))
        html = page(client, group_viewer, reverse("brand_list"))
        row = html[html.index("Acme Groceries") :].split("</tr>")[0]
        assert '<td class="num">2</td>' in row  # projects
        assert '<span class="pct">50%</span>' in row

    def test_a_brand_without_validated_assessments_shows_no_figure(self, client, lead, project):
        html = page(client, lead, reverse("brand_list"))
        row = html[html.index("Acme Groceries") :].split("</tr>")[0]
        assert "pct" not in row

    def test_it_only_takes_get(self, client, lead):
        client.force_login(lead)
        assert client.post(reverse("brand_list")).status_code == 405


class TestBrandDetail:
    @pytest.mark.parametrize("who", EVERY_ROLE)
    def test_it_lists_the_brands_projects_with_their_latest_figure(
        self, client, request, who, brand, project, history
    ):
        html = page(
            client, request.getfixturevalue(who), reverse("brand_detail", args=[brand.code])
        )
        assert "Cross-sell API" in html
        assert "100%" in html
        assert "2025 Q1" in html
        assert SECRET_NOTE not in html

    def test_a_project_without_validated_assessments_says_so(self, client, lead, brand, project):
        html = page(client, lead, reverse("brand_detail", args=[brand.code]))
        assert "No assessment yet" in html

    def test_it_does_not_list_another_brands_projects(self, client, lead, brand, other_project):
        html = page(client, lead, reverse("brand_detail", args=[brand.code]))
        assert other_project.name not in html

    def test_another_brands_member_gets_404(self, client, outsider, brand):
        client.force_login(outsider)
        assert client.get(reverse("brand_detail", args=[brand.code])).status_code == 404

    def test_it_only_takes_get(self, client, lead, brand):
        client.force_login(lead)
        assert client.post(reverse("brand_detail", args=[brand.code])).status_code == 405


class TestProjectDetail:
    @pytest.mark.parametrize("who", EVERY_ROLE)
    def test_it_lists_the_assessments_with_quarter_and_score(
        self, client, request, who, project, history
    ):
        html = page(
            client, request.getfixturevalue(who), reverse("project_detail", args=[project.code])
        )
        assert "Cross-sell API" in html
        for quarter in ("2024 Q4", "2025 Q1", "2025 Q2"):
            assert quarter in html
        assert "50%" in html
        assert "100%" in html
        assert SECRET_NOTE not in html

    def test_it_lists_the_newest_assessment_first(self, client, lead, project, history):
        html = page(client, lead, reverse("project_detail", args=[project.code]))
        assert html.index("2025 Q2") < html.index("2025 Q1") < html.index("2024 Q4")

    def test_it_names_the_team(self, client, lead, project, data_scientist):
        data_scientist.first_name, data_scientist.last_name = "Priya", "Raman"
        data_scientist.save()
        html = page(client, lead, reverse("project_detail", args=[project.code]))
        assert "Priya Raman" in html

    def test_another_brands_member_gets_404(self, client, outsider, project):
        client.force_login(outsider)
        assert client.get(reverse("project_detail", args=[project.code])).status_code == 404

    def test_it_only_takes_get(self, client, lead, project):
        client.force_login(lead)
        assert client.post(reverse("project_detail", args=[project.code])).status_code == 405


class TestHealthz:
    def test_it_reports_the_database_as_ok(self, client):
        response = client.get(reverse("healthz"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["database"] == "ok"
        assert body["status"] == "ok"
        assert body["broker"] in ("ok", "in-process")

    def test_it_is_never_cached(self, client):
        assert "no-cache" in client.get(reverse("healthz"))["Cache-Control"]

    def test_it_only_takes_get(self, client):
        assert client.post(reverse("healthz")).status_code == 405


class TestNavigation:
    @pytest.mark.parametrize(
        ("who", "shown"),
        [
            ("group_admin", True),
            ("group_assessor", False),
            ("group_viewer", False),
            ("lead", False),
        ],
    )
    def test_only_group_admins_get_the_admin_link(self, client, request, who, shown):
        html = page(client, request.getfixturevalue(who), reverse("brand_list"))
        assert (f'href="{reverse("admin:index")}"' in html) is shown

    def test_the_login_page_shows_no_navigation(self, client):
        html = client.get(reverse("login")).content.decode()
        assert reverse("brand_list") not in html

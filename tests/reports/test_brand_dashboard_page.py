"""The brand dashboard page (the brand's page): table, profile, trend, work, HTMX and CSV."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from brands.models import BrandRole
from reports.dashboards.filters import Quarter
from scoring.models import ImprovementAction
from scoring.services import score_store
from surveys.models import AssessmentMode, AssessmentStatus
from tests import factories
from tests.reports.dashboard_data import count_queries

pytestmark = pytest.mark.django_db

YES, PARTLY, NO = {"doc-purpose": "yes"}, {"doc-purpose": "partly"}, {"doc-purpose": "no"}


def url(brand) -> str:
    return reverse("brand_detail", args=[brand.code])


def csv_url(brand, chart: str) -> str:
    return reverse("brand_dashboard_csv", args=[brand.code, chart])


def this_quarter() -> Quarter:
    return Quarter.of(timezone.localdate())


def scored(project, version, answers, on: datetime.date | None = None, **kwargs):
    assessment = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers=answers,
        assessed_on=on or this_quarter().start,
        **kwargs,
    )
    score_store(assessment=assessment)
    return assessment


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def names_in_table(page: str) -> list[str]:
    """The project names of the table's rows, in order."""
    body = page[page.index('<table class="table" id="brand-projects">') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    names = []
    for chunk in body.split('<th scope="row">')[1:]:
        link = chunk[: chunk.index("</a>")]
        names.append(link[link.index(">") + 1 :])
    return names


@pytest.fixture
def three_projects(brand, version):
    """Alpha 100%, Bravo 50%, Charlie 0%."""
    for name, answers in (("Bravo", PARTLY), ("Alpha", YES), ("Charlie", NO)):
        scored(factories.ProjectFactory(brand=brand, name=name), version, answers)


@pytest.mark.parametrize("who", ["lead", "viewer", "data_scientist", "group_viewer"])
def test_members_and_group_roles_see_the_dashboard(client, request, who, brand, project, version):
    scored(project, version, YES)
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(brand))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("project_detail", args=[project.code]) in page
    assert '<script id="chart-profile-figure"' in page
    assert '<script id="chart-trend-figure"' in page
    for name in ("brand_benchmark", "brand_gaps", "brand_trend"):
        assert reverse(name, args=[brand.code]) in page


@pytest.mark.parametrize("role", [BrandRole.LEAD, BrandRole.VIEWER, BrandRole.DATA_SCIENTIST])
def test_another_brands_member_gets_404(client, role, brand, other_brand, other_project):
    stranger = factories.member(other_brand, role)
    other_project.team.add(stranger)
    client.force_login(stranger)
    assert client.get(url(brand)).status_code == 404
    assert client.get(csv_url(brand, "projects")).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, brand):
    response = client.get(url(brand))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url(brand)}"


def test_it_only_takes_get(client, lead, brand):
    client.force_login(lead)
    assert client.post(url(brand)).status_code == 405
    assert client.post(csv_url(brand, "projects")).status_code == 405


def test_the_table_sorts_by_a_column_in_either_direction(client, lead, brand, three_projects):
    client.force_login(lead)
    assert names_in_table(client.get(url(brand)).content.decode()) == ["Alpha", "Bravo", "Charlie"]
    page = client.get(url(brand), {"sort": "overall", "dir": "asc"}).content.decode()
    assert names_in_table(page) == ["Charlie", "Bravo", "Alpha"]
    page = client.get(url(brand), {"sort": "overall", "dir": "desc"}).content.decode()
    assert names_in_table(page) == ["Alpha", "Bravo", "Charlie"]
    assert 'aria-sort="descending"' in page


def test_projects_without_a_figure_sort_last_and_invite_to_start_one(
    client, lead, brand, three_projects
):
    fresh = factories.ProjectFactory(brand=brand, name="Aardvark")
    client.force_login(lead)
    for direction in ("asc", "desc"):
        page = client.get(url(brand), {"sort": "overall", "dir": direction}).content.decode()
        assert names_in_table(page)[-1] == "Aardvark"
    start = reverse("project_detail", args=[fresh.code])
    assert f'No assessment yet — <a href="{start}">start one</a>' in page


def test_the_header_links_keep_the_filters_and_flip_the_current_direction(
    client, lead, brand, three_projects
):
    client.force_login(lead)
    page = client.get(url(brand), {"sort": "overall", "kind": "batch", "q": "a"}).content.decode()
    quarter = this_quarter().code
    assert f'href="?quarter={quarter}&amp;kind=batch&amp;sort=overall&amp;dir=desc&amp;q=a"' in page
    assert f'href="?quarter={quarter}&amp;kind=batch&amp;sort=name&amp;dir=asc&amp;q=a"' in page


def test_a_bad_sort_value_falls_back_to_the_name(client, lead, brand, three_projects):
    client.force_login(lead)
    response = client.get(url(brand), {"sort": "'; drop table", "dir": "sideways"})
    assert response.status_code == 200
    assert names_in_table(response.content.decode()) == ["Alpha", "Bravo", "Charlie"]


def test_q_narrows_the_table_to_matching_names(client, lead, brand, three_projects):
    client.force_login(lead)
    page = client.get(url(brand), {"q": "RAV"}).content.decode()
    assert names_in_table(page) == ["Bravo"]
    page = client.get(url(brand), {"q": "nothing like it"}).content.decode()
    assert "No project of Acme Groceries matches" in page


def test_an_htmx_request_gets_only_the_results_with_the_canonical_address(
    client, lead, brand, three_projects
):
    client.force_login(lead)
    response = client.get(
        url(brand), {"sort": "overall", "dir": "desc", "q": "a"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="dashboard-results"')
    assert "<html" not in page and '<form method="get"' not in page  # no filter form
    assert 'form="brand-filters" name="sort" value="overall"' in page
    quarter = this_quarter().code
    expected = f"{url(brand)}?quarter={quarter}&sort=overall&dir=desc&q=a"
    assert response["HX-Push-Url"] == expected


def test_a_history_restore_gets_the_whole_page(client, lead, brand):
    client.force_login(lead)
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in client.get(url(brand), headers=headers).content.decode()


def test_the_filter_form_has_labelled_fields_and_a_submit_button(client, lead, brand, version):
    factories.ProductLineFactory(name="Cross-sell")
    client.force_login(lead)
    page = client.get(url(brand)).content.decode()
    for label in ("Quarter", "Kind", "Criticality", "Include submitted self-fills", "Project name"):
        assert label in page
    assert '<label for="filter-line">Product line</label>' in page
    assert '<label for="filter-version">Question-set version</label>' in page
    assert 'hx-push-url="true"' in page and '<button type="submit">Show</button>' in page


def test_the_profile_comparison_is_hidden_below_three_projects_with_the_reason(
    client, lead, brand, other_brand, project, version
):
    scored(project, version, YES)
    for _ in range(2):
        scored(factories.ProjectFactory(brand=other_brand), version, NO)
    client.force_login(lead)
    page = client.get(url(brand)).content.decode()
    assert "Only 2 projects of other brands match these filters" in page
    assert "Other brands median and quartiles" not in page

    scored(factories.ProjectFactory(brand=other_brand), version, PARTLY)
    page = client.get(url(brand)).content.decode()
    assert "Only 2 projects" not in page and 'id="profile-hidden"' not in page
    assert "Other brands median and quartiles" in page
    assert "3 projects of other brands" in page


def test_without_figures_the_page_says_what_to_do(client, lead, brand, project):
    client.force_login(lead)
    page = client.get(url(brand)).content.decode()
    assert "No assessment yet" in page
    assert "start an assessment" in page
    assert '<script id="chart-profile-figure"' not in page


def test_awaiting_review_lists_submitted_self_fills_but_not_superseded_ones(
    client, lead, brand, project, version
):
    def submitted():
        return factories.assessment(
            project, version, status=AssessmentStatus.SUBMITTED, mode=AssessmentMode.SELF_FILL
        )

    current, superseded = submitted(), submitted()
    superseded.superseded_by = current
    superseded.save()
    client.force_login(lead)
    page = client.get(url(brand)).content.decode()
    assert reverse("assessment_review", args=[current.code]) in page
    assert reverse("assessment_review", args=[superseded.code]) not in page


def test_open_actions_are_counted_and_link_to_the_plan(client, lead, brand, project):
    for key, title in (("doc-success-metrics", "Write the metrics"), ("doc-purpose", "Add it")):
        ImprovementAction.objects.create(
            project=project,
            question_key=key,
            question_text="The purpose is written down.",
            title=title,
            owner=lead,
            created_by=lead,
        )
    client.force_login(lead)
    page = client.get(url(brand)).content.decode()
    assert "2 open" in page
    assert reverse("project_plan", args=[project.code]) in page
    assert "Write the metrics" in page and "Add it" in page


def test_the_projects_csv_neutralises_formulas_and_follows_sort_and_q(
    client, lead, brand, version, three_projects
):
    scored(factories.ProjectFactory(brand=brand, name="=HYPERLINK(evil)"), version, PARTLY)
    client.force_login(lead)
    response = client.get(csv_url(brand, "projects"), {"sort": "overall", "dir": "desc"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = rows_of(response)
    assert rows[0][:5] == ["Project", "Kind", "Criticality", "Product line", "Overall %"]
    names = [row[0] for row in rows[1:]]
    assert names[0] == "Alpha" and names[-1] == "Charlie"
    assert "'=HYPERLINK(evil)" in names
    assert [r[0] for r in rows_of(client.get(csv_url(brand, "projects"), {"q": "evil"}))[1:]] == [
        "'=HYPERLINK(evil)"
    ]


def test_the_profile_csv_has_a_row_per_section_and_overall(client, lead, brand, three_projects):
    client.force_login(lead)
    rows = rows_of(client.get(csv_url(brand, "profile")))
    assert rows[0][:2] == ["Section", "Acme Groceries"]
    assert rows[1][:2] == ["Overall", "50.0"]


def test_an_unknown_chart_is_404(client, lead, brand):
    client.force_login(lead)
    assert client.get(csv_url(brand, "pie")).status_code == 404


def test_the_number_of_queries_does_not_grow_with_the_data(
    client, lead, brand, other_brand, version
):
    client.force_login(lead)

    def add_projects(n: int) -> None:
        for _ in range(n):
            for b in (brand, other_brand):
                project = factories.ProjectFactory(brand=b)
                scored(project, version, NO, this_quarter().previous().start)
                scored(project, version, YES, this_quarter().start)
                factories.assessment(project, version, answers=PARTLY)
                factories.assessment(
                    project,
                    version,
                    status=AssessmentStatus.SUBMITTED,
                    mode=AssessmentMode.SELF_FILL,
                )
                ImprovementAction.objects.create(
                    project=project,
                    question_key="doc-purpose",
                    question_text="The purpose is written down.",
                    title="Write it down",
                    owner=lead,
                    created_by=lead,
                )

    def queries(cached: bool) -> int:
        return count_queries(
            lambda: client.get(url(brand), {"submitted": "1", "sort": "overall"}), cached=cached
        )

    add_projects(1)
    queries(False)  # the version's engine view is cached from here on
    cold, cached = queries(False), queries(True)
    assert cached < cold
    add_projects(9)
    assert (queries(False), queries(True)) == (cold, cached)

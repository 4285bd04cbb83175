"""Product lines: the same product across brands, with brand members seeing others only in aggregate."""

import statistics
import uuid

import pytest
from django.urls import reverse

from scoring.selectors import assessment_result
from scoring.services import score_store
from surveys.models import AssessmentStatus
from tests import factories
from tests.reports.dashboard_data import count_queries

pytestmark = pytest.mark.django_db

YES, NO = {"doc-purpose": "yes"}, {"doc-purpose": "no"}
PARTLY = {"doc-purpose": "partly"}
LIST_URL = reverse("product_line_list")


def scored(project, version, answers):
    assessment = factories.assessment(
        project, version, status=AssessmentStatus.VALIDATED, answers=answers
    )
    score_store(assessment=assessment)
    return assessment


@pytest.fixture
def line(db):
    return factories.ProductLineFactory(name="Cross-sell")


def url(line) -> str:
    return reverse("product_line_detail", args=[line.code])


def run(line, brand, version, answers_list, prefix="P"):
    projects = []
    for i, answers in enumerate(answers_list):
        project = factories.ProjectFactory(brand=brand, product_line=line, name=f"{prefix} {i}")
        scored(project, version, answers)
        projects.append(project)
    return projects


@pytest.fixture
def three_brands(line, brand, other_brand, version):
    """Own brand with one project, two other brands with two projects each."""
    third = factories.BrandFactory(name="Third Retail")
    own = run(line, brand, version, [YES], prefix="Own basket")
    other = run(line, other_brand, version, [NO, PARTLY], prefix="Hidden recsys")
    third_projects = run(line, third, version, [YES, NO], prefix="Secret upsell")
    return own, other, third, third_projects


def test_group_roles_see_every_brand_and_project_by_name(
    client, group_viewer, line, other_brand, three_brands
):
    _, other, third, third_projects = three_brands
    client.force_login(group_viewer)
    html = client.get(url(line)).content.decode()
    for name in (other_brand.name, third.name, other[0].name, third_projects[1].name):
        assert name in html
    assert "Other brands" not in html


def test_a_brand_member_sees_other_brands_only_as_an_aggregate(
    client, viewer, line, brand, other_brand, three_brands, version
):
    own, other, third, third_projects = three_brands
    client.force_login(viewer)
    response = client.get(url(line))
    html = response.content.decode()
    assert own[0].name in html and brand.name in html
    for name in (other_brand.name, third.name, *(p.name for p in other + third_projects)):
        assert name not in html
    others = response.context["view"].others
    percents = [assessment_result(p.assessments.get()).percent for p in other + third_projects]
    assert others.n == 4
    assert others.mean.overall == pytest.approx(statistics.fmean(percents))
    assert others.median.overall == pytest.approx(statistics.median(percents))
    assert "Other brands" in html


def test_fewer_than_three_projects_of_other_brands_show_nothing(
    client, viewer, line, brand, other_brand, version
):
    run(line, brand, version, [YES], prefix="Own basket")
    run(line, other_brand, version, [NO, PARTLY], prefix="Hidden recsys")
    client.force_login(viewer)
    response = client.get(url(line))
    html = response.content.decode()
    assert not response.context["view"].others.shown
    assert 'id="h-others"' not in html
    assert "Other brands (mean)" not in html
    assert "Hidden recsys" not in html and other_brand.name not in html


def test_brand_figures_equal_the_engine(client, group_viewer, line, brand, version):
    projects = run(line, brand, version, [YES, PARTLY, NO])
    client.force_login(group_viewer)
    view = client.get(url(line)).context["view"]
    (block,) = view.brands
    expected = [assessment_result(p.assessments.get()).percent for p in projects]
    assert block.n == 3
    assert block.mean.overall == pytest.approx(statistics.fmean(expected))
    by_project = {row.project.pk: row.figures.overall for row in block.projects}
    for project, percent in zip(projects, expected, strict=True):
        assert by_project[project.pk] == pytest.approx(percent)


def test_the_chart_and_its_table_are_on_the_page(client, group_viewer, line, three_brands):
    client.force_login(group_viewer)
    html = client.get(url(line)).content.decode()
    assert 'id="chart-product-line"' in html
    assert "The numbers as a table" in html


def test_the_list_shows_lines_and_counts_without_names_of_other_brands(
    client, viewer, line, three_brands
):
    client.force_login(viewer)
    html = client.get(LIST_URL).content.decode()
    assert line.name in html and url(line) in html
    assert "Hidden recsys" not in html and "Other Foods" not in html


def test_an_unknown_line_is_404(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("product_line_detail", args=[uuid.uuid4()])).status_code == 404


def test_they_only_take_get(client, viewer, line):
    client.force_login(viewer)
    assert client.post(LIST_URL).status_code == 405
    assert client.post(url(line)).status_code == 405


def test_anonymous_visitors_are_sent_to_log_in(client, line):
    assert client.get(url(line)).status_code == 302
    assert client.get(LIST_URL).status_code == 302


def test_the_nav_links_product_lines(client, viewer):
    client.force_login(viewer)
    assert f'href="{LIST_URL}"' in client.get(LIST_URL).content.decode()


@pytest.mark.parametrize("who", ["group_viewer", "lead"])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client, request, who, line, brand, other_brand, version
):
    client.force_login(request.getfixturevalue(who))

    def add(n: int) -> None:
        for _ in range(n):
            for b in (brand, other_brand):
                scored(factories.ProjectFactory(brand=b, product_line=line), version, YES)

    add(1)
    client.get(url(line))
    few = count_queries(lambda: client.get(url(line)))
    few_list = count_queries(lambda: client.get(LIST_URL))
    add(9)
    assert count_queries(lambda: client.get(url(line))) == few
    assert count_queries(lambda: client.get(LIST_URL)) == few_list


def csv_rows(response) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_holds_what_a_brand_member_may_see_and_nothing_more(
    client, viewer, group_viewer, line, brand, other_brand, three_brands
):
    third = three_brands[2]
    csv_url = reverse("product_line_csv", args=[line.code])
    client.force_login(viewer)
    response = client.get(csv_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0][0] == "Brand" and rows[0][-1] == "Projects"
    assert [row[0] for row in rows[1:]] == [brand.name, "Other brands (mean)"]
    assert rows[2][-1] == "4"
    assert other_brand.name not in response.content.decode()
    assert third.name not in response.content.decode()

    client.force_login(group_viewer)
    names = [row[0] for row in csv_rows(client.get(csv_url))[1:]]
    assert sorted(names) == sorted([brand.name, other_brand.name, third.name])


def test_the_chart_has_a_csv_link_a_table_and_a_drawing_without_javascript(
    client, group_viewer, line, three_brands
):
    client.force_login(group_viewer)
    html = client.get(url(line)).content.decode()
    assert reverse("product_line_csv", args=[line.code]) in html
    assert "The numbers as a table" in html
    assert '<div class="chart-fallback"><svg' in html


def test_the_csv_of_an_unknown_line_is_404(client, group_viewer):
    client.force_login(group_viewer)
    assert client.get(reverse("product_line_csv", args=[uuid.uuid4()])).status_code == 404

"""Benchmarks shown to a brand: its projects against the other brands' projects, with the number
of projects behind every figure and nothing shown for fewer than three."""

import datetime

import pytest
from django.urls import reverse

from scoring.selectors import brand_benchmark
from scoring.selectors.benchmarks import distribution, position
from scoring.services import score_store
from surveys.models import AssessmentStatus
from tests import factories

pytestmark = pytest.mark.django_db

ON = datetime.date(2025, 2, 10)
ANSWER_FOR = {0: "no", 50: "partly", 100: "yes"}


def validated(project, version, percent: int, on: datetime.date = ON, key: str = "doc-purpose"):
    """A validated assessment scoring `percent` overall (one documentation statement answered)."""
    assessment = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers={key: ANSWER_FOR[percent]},
        assessed_on=on,
    )
    score_store(assessment=assessment)
    return assessment


@pytest.fixture
def others(other_brand, version):
    """Four projects of other brands at 0, 50, 100 and 100 %."""
    third = factories.BrandFactory(name="Third Mart")
    figures = [(other_brand, 0), (other_brand, 50), (third, 100), (third, 100)]
    projects = []
    for index, (owner, percent) in enumerate(figures):
        project = factories.ProjectFactory(brand=owner, name=f"Rival {index}")
        validated(project, version, percent)
        projects.append(project)
    return projects


class TestDistribution:
    def test_median_and_quartiles_use_the_inclusive_method(self):
        d = distribution([0, 50, 100, 100])
        assert (d.n, d.lower_quartile, d.median, d.upper_quartile) == (4, 37.5, 75, 100)
        assert d.shown

    @pytest.mark.parametrize("values", [[], [40], [40, 60]])
    def test_fewer_than_three_figures_give_no_figure(self, values):
        d = distribution(values)
        assert d.n == len(values)
        assert not d.shown
        assert (d.median, d.lower_quartile, d.upper_quartile) == (None, None, None)

    def test_position_says_where_a_figure_sits(self):
        d = distribution([0, 50, 100, 100])
        assert position(100, d) == "top quarter"
        assert position(80, d) == "above the median"
        assert position(75, d) == "at the median"
        assert position(60, d) == "below the median"
        assert position(10, d) == "bottom quarter"
        assert position(None, d) == ""
        assert position(50, distribution([1, 2])) == ""


class TestBrandBenchmark:
    def test_the_brand_is_compared_with_the_other_brands_projects_only(
        self, brand, version, others
    ):
        for name, percent in [("A", 100), ("B", 100), ("C", 50)]:
            validated(factories.ProjectFactory(brand=brand, name=name), version, percent)

        bench = brand_benchmark(brand)

        overall = bench.overall
        assert (overall.group.n, overall.group.median) == (4, 75)
        assert (overall.group.lower_quartile, overall.group.upper_quartile) == (37.5, 100)
        assert (overall.brand.n, overall.brand.median) == (3, 100)

    def test_each_section_is_compared_with_its_own_count(self, brand, version, others):
        validated(factories.ProjectFactory(brand=brand), version, 50)

        rows = {row.key: row for row in brand_benchmark(brand).rows}

        assert rows["documentation"].title == "Documentation"
        assert (rows["documentation"].group.n, rows["documentation"].group.median) == (4, 75)
        # No project answered anything in monitoring: nothing to show, and it says so.
        assert rows["monitoring"].group.n == 0
        assert not rows["monitoring"].group.shown

    def test_groups_of_fewer_than_three_projects_are_not_shown(self, brand, other_brand, version):
        validated(factories.ProjectFactory(brand=brand), version, 50)
        validated(factories.ProjectFactory(brand=brand), version, 100)
        validated(factories.ProjectFactory(brand=other_brand), version, 0)
        validated(factories.ProjectFactory(brand=other_brand), version, 100)

        bench = brand_benchmark(brand)

        assert (bench.overall.group.n, bench.overall.group.median) == (2, None)
        assert (bench.overall.brand.n, bench.overall.brand.median) == (2, None)
        assert all(p.position == "" for p in bench.projects)

    def test_each_project_is_placed_in_the_groups_distribution(self, brand, version, others):
        top = factories.ProjectFactory(brand=brand, name="Top")
        low = factories.ProjectFactory(brand=brand, name="Low")
        factories.ProjectFactory(brand=brand, name="New")
        validated(top, version, 100)
        validated(low, version, 0)

        projects = {p.project.name: p for p in brand_benchmark(brand).projects}

        assert (projects["Top"].percent, projects["Top"].position) == (100, "top quarter")
        assert projects["Low"].position == "bottom quarter"
        assert (projects["New"].percent, projects["New"].position) == (None, "")

    def test_a_product_line_is_compared_across_brands_from_three_projects(
        self, brand, other_brand, version, others
    ):
        line = factories.ProductLineFactory(name="Cross-sell")
        mine = factories.ProjectFactory(brand=brand, product_line=line, name="Mine")
        validated(mine, version, 50)
        for project in others[:2]:
            project.product_line = line
            project.save()

        assert brand_benchmark(brand).projects[0].product_line.n == 2
        assert not brand_benchmark(brand).projects[0].product_line.shown

        others[2].product_line = line
        others[2].save()
        figure = brand_benchmark(brand).projects[0].product_line
        assert (figure.n, figure.median) == (3, 50)

    def test_each_project_counts_with_its_latest_validated_assessment_at_the_date(
        self, brand, version, others
    ):
        project = factories.ProjectFactory(brand=brand)
        validated(project, version, 0, on=datetime.date(2024, 11, 1))
        validated(project, version, 100, on=datetime.date(2025, 5, 1))

        then = brand_benchmark(brand, as_of=datetime.date(2025, 3, 31))
        now = brand_benchmark(brand, as_of=datetime.date(2025, 6, 30))

        assert then.projects[0].percent == 0
        assert now.projects[0].percent == 100
        # The rivals were assessed in February: none of them counts at the end of 2024.
        assert brand_benchmark(brand, as_of=datetime.date(2024, 12, 31)).overall.group.n == 0


class TestBenchmarkPage:
    def url(self, brand):
        return reverse("brand_benchmark", kwargs={"code": brand.code})

    @pytest.mark.parametrize("who", ["lead", "viewer", "data_scientist"])
    def test_a_brand_member_sees_the_figures_and_no_other_brands_name(
        self, client, request, who, brand, project, version, others
    ):
        validated(project, version, 50)
        client.force_login(request.getfixturevalue(who))
        response = client.get(self.url(brand))
        html = response.content.decode()
        assert response.status_code == 200
        assert "75%" in html and "38% \N{EN DASH} 100%" in html
        assert "Cross-sell API" in html
        for hidden in ("Other Foods", "Third Mart", "Rival"):
            assert hidden not in html

    def test_a_small_group_says_there_are_not_enough_projects(
        self, client, lead, brand, project, other_project, version
    ):
        validated(project, version, 50)
        validated(other_project, version, 100)
        client.force_login(lead)
        html = client.get(self.url(brand)).content.decode()
        assert "not enough projects to compare" in html
        assert "100%" not in html

    def test_the_brand_page_links_to_it(self, client, lead, brand):
        client.force_login(lead)
        page = client.get(reverse("brand_detail", kwargs={"code": brand.code})).content.decode()
        assert self.url(brand) in page

    def test_a_user_of_another_brand_gets_404(self, client, outsider, brand):
        client.force_login(outsider)
        assert client.get(self.url(brand)).status_code == 404

    def test_it_only_takes_get(self, client, lead, brand):
        client.force_login(lead)
        assert client.post(self.url(brand)).status_code == 405

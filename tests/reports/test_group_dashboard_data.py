"""The group dashboard's data: figures equal the engine's, filters narrow, fixed query count."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from brands.models import Brand, GroupRole, Project
from reports.dashboards import DashboardFilters, group_dashboard_data
from reports.dashboards.filters import Quarter
from scoring.selectors import brand_series
from scoring.services import score_store
from surveys.models import AssessmentStatus
from tests import factories
from tests.reports.dashboard_data import count_queries, mean, recomputed, seed_demo_once

D = datetime.date
VALIDATED, SUBMITTED = AssessmentStatus.VALIDATED, AssessmentStatus.SUBMITTED
YES, PARTLY, NO = {"doc-purpose": "yes"}, {"doc-purpose": "partly"}, {"doc-purpose": "no"}


def filters(query: dict | None = None, today: datetime.date | None = None) -> DashboardFilters:
    return DashboardFilters.parse(query or {}, today=today or timezone.localdate())


def scored(project, version, answers, on, *, status=VALIDATED):
    assessment = factories.assessment(
        project, version, status=status, answers=answers, assessed_on=on
    )
    score_store(assessment=assessment)
    return assessment


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo data for one class of tests (removed after it, so other tests start empty)."""
    yield from seed_demo_once(django_db_blocker)


@pytest.mark.usefixtures("demo")
class TestOnTheDemoData:
    @pytest.fixture
    def manager(self, db):
        return factories.UserFactory(username="dash-manager", group_role=GroupRole.VIEWER)

    def test_each_cell_is_the_mean_of_the_engines_figures_of_the_brands_projects(self, manager):
        data = group_dashboard_data(manager, filters())
        expected = recomputed(Project.objects.all(), data.as_of)
        brand_of = dict(Project.objects.values_list("pk", "brand_id"))
        assert data.brands and expected
        for row in data.brands:
            results = [r for pid, r in expected.items() if brand_of[pid] == row.brand.pk]
            assert row.overall.n == len([r for r in results if r.percent is not None])
            assert row.overall.mean == pytest.approx(mean(r.percent for r in results), abs=1e-3)
            for section, cell in zip(data.sections, row.sections, strict=True):
                values = [
                    r.sections[section.key].percent for r in results if section.key in r.sections
                ]
                assert cell.n == len([v for v in values if v is not None])
                assert cell.mean == pytest.approx(mean(values), abs=1e-3)
        assert data.total.overall.n == len(expected)
        assert data.core.total == len(expected)
        assert data.core.met == sum(1 for r in expected.values() if r.all_core_met)
        assert sorted(data.distribution.percents) == pytest.approx(
            sorted(r.percent for r in expected.values()), abs=1e-3
        )
        assert sum(level.count for level in data.distribution.levels) == len(expected)

    def test_the_trend_equals_scorings_brand_series(self, manager):
        data = group_dashboard_data(manager, filters())
        brands = [row.brand for row in data.brands]
        series = brand_series(brands, [q.end for q in data.quarters])
        for row, expected in zip(data.brands, series.series, strict=True):
            assert [p.figure.n for p in row.trend] == [p.projects for p in expected.points]
            assert [p.figure.mean for p in row.trend] == pytest.approx(
                [p.percent for p in expected.points], abs=1e-3
            )

    def test_a_kind_filter_keeps_only_projects_of_that_kind(self, manager):
        data = group_dashboard_data(manager, filters({"kind": "batch"}))
        batch = Project.objects.filter(kind="batch")
        expected = recomputed(batch, data.as_of)
        assert (
            data.total.overall.n
            == len(expected)
            < len(recomputed(Project.objects.all(), data.as_of))
        )
        assert data.total.overall.mean == pytest.approx(
            mean(r.percent for r in expected.values()), abs=1e-3
        )
        assert data.projects == batch.count()

    def test_a_brand_filter_keeps_only_those_brands(self, manager):
        chosen = list(Brand.objects.order_by("name")[:2])
        data = group_dashboard_data(manager, filters({"brand": [str(b.code) for b in chosen]}))
        assert [row.brand for row in data.brands] == chosen
        assert all(m.brand_code in {str(b.code) for b in chosen} for m in data.movers_up)

    def test_a_past_quarter_uses_the_figures_at_its_end(self, manager):
        today = timezone.localdate()
        previous = Quarter.of(today).previous()
        data = group_dashboard_data(manager, filters({"quarter": previous.code}))
        expected = recomputed(Project.objects.all(), previous.end)
        assert data.as_of == previous.end
        assert data.total.overall.mean == pytest.approx(
            mean(r.percent for r in expected.values()), abs=1e-3
        )

    def test_including_submitted_self_fills_counts_them_as_the_figure(self, manager):
        data = group_dashboard_data(manager, filters({"submitted": "1"}))
        expected = recomputed(Project.objects.all(), data.as_of, include_submitted=True)
        assert data.total.overall.n == len(expected)
        assert data.total.overall.mean == pytest.approx(
            mean(r.percent for r in expected.values()), abs=1e-3
        )

    def test_movers_are_the_biggest_moves_since_the_previous_quarter(self, manager):
        data = group_dashboard_data(manager, filters())
        assert 0 < len(data.movers_up) <= 5 and 0 < len(data.movers_down) <= 5
        assert all(m.delta > 0 for m in data.movers_up)
        assert all(m.delta < 0 for m in data.movers_down)
        assert [m.delta for m in data.movers_up] == sorted(
            (m.delta for m in data.movers_up), reverse=True
        )
        assert [m.delta for m in data.movers_down] == sorted(m.delta for m in data.movers_down)

    def test_the_gaps_are_scorings_common_gaps(self, manager):
        data = group_dashboard_data(manager, filters())
        assert data.gaps.as_of == data.as_of
        assert data.gaps.gaps
        assert group_dashboard_data(manager, filters(), with_gaps=False).gaps is None


@pytest.mark.parametrize("who", ["lead", "viewer", "data_scientist", "outsider"])
def test_it_is_for_group_roles_only(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        group_dashboard_data(user, filters())


@pytest.mark.parametrize("who", ["group_admin", "group_assessor", "group_viewer"])
def test_every_group_role_gets_it(request, who, brand):
    data = group_dashboard_data(request.getfixturevalue(who), filters())
    assert brand in [row.brand for row in data.brands]


def test_cells_of_fewer_than_three_projects_are_marked_as_a_small_group(
    group_viewer, brand, other_brand, version
):
    today = D(2025, 5, 10)
    for i in range(2):
        scored(factories.ProjectFactory(brand=brand), version, YES, D(2025, 4, 1 + i))
    for i in range(3):
        scored(factories.ProjectFactory(brand=other_brand), version, NO, D(2025, 4, 1 + i))
    data = group_dashboard_data(group_viewer, filters(today=today))
    rows = {row.brand: row for row in data.brands}
    assert rows[brand].overall.n == 2 and rows[brand].overall.small_group
    assert rows[brand].overall.mean == 100
    assert rows[other_brand].overall.n == 3 and not rows[other_brand].overall.small_group
    assert rows[other_brand].overall.first_assessed == D(2025, 4, 1)
    assert rows[other_brand].overall.last_assessed == D(2025, 4, 3)


def test_product_line_and_criticality_narrow_the_projects(group_viewer, brand, version):
    line = factories.ProductLineFactory()
    kept = factories.ProjectFactory(brand=brand, product_line=line, criticality="high")
    scored(kept, version, YES, D(2025, 4, 1))
    other = factories.ProjectFactory(brand=brand, product_line=line, criticality="low")
    scored(other, version, NO, D(2025, 4, 1))
    scored(factories.ProjectFactory(brand=brand, criticality="high"), version, NO, D(2025, 4, 1))
    query = {"line": str(line.code), "criticality": "high"}
    data = group_dashboard_data(group_viewer, filters(query, today=D(2025, 5, 1)))
    assert data.total.overall.n == 1 and data.total.overall.mean == 100
    assert data.projects == 1


def test_a_submitted_self_fill_counts_only_when_asked_for(group_viewer, project, version):
    scored(project, version, NO, D(2025, 1, 10))
    scored(project, version, YES, D(2025, 2, 10), status=SUBMITTED)
    today = D(2025, 3, 1)
    assert group_dashboard_data(group_viewer, filters(today=today)).total.overall.mean == 0
    with_submitted = filters({"submitted": "1"}, today=today)
    assert group_dashboard_data(group_viewer, with_submitted).total.overall.mean == 100


def test_a_version_filter_keeps_only_that_versions_assessments(group_viewer, project):
    from tests.scoring.test_trends import import_two_versions

    v1, v2 = import_two_versions()
    scored(project, v1, {"a1": "yes", "a2": "yes", "b1": "yes", "b2": "yes"}, D(2025, 1, 10))
    scored(project, v2, {"a1": "no", "a2": "no", "b1": "no", "b3": "no"}, D(2025, 2, 10))
    today = D(2025, 3, 1)
    small = {"set": str(v1.question_set.code)}
    assert group_dashboard_data(group_viewer, filters(small, today=today)).total.overall.mean == 0
    only_v1 = group_dashboard_data(
        group_viewer, filters({**small, "version": str(v1.code)}, today=today)
    )
    assert only_v1.total.overall.mean == 100
    assert only_v1.versions == [f"{v1.question_set.name} v1"]
    assert only_v1.distribution.version == f"{v1.question_set.name} v1"


def test_movers_name_project_and_brand(group_viewer, project, version):
    scored(project, version, NO, D(2024, 12, 1))
    scored(project, version, YES, D(2025, 2, 1))
    data = group_dashboard_data(group_viewer, filters(today=D(2025, 3, 1)))
    [mover] = data.movers_up
    assert (mover.project_name, mover.brand_name) == (project.name, project.brand.name)
    assert (mover.before, mover.after, mover.delta) == (0, 100, 100)
    assert data.movers_down == []


def test_the_number_of_queries_does_not_grow_with_the_data(
    group_viewer, brand, other_brand, version
):
    today = D(2025, 5, 10)

    def add_projects(n: int) -> None:
        for i in range(n):
            for b in (brand, other_brand):
                project = factories.ProjectFactory(brand=b)
                scored(project, version, NO, D(2024, 11, 1 + i))
                scored(project, version, PARTLY if i % 2 else YES, D(2025, 4, 1 + i))
                scored(project, version, YES, D(2025, 4, 20 + i), status=SUBMITTED)

    def queries() -> int:
        return count_queries(
            lambda: group_dashboard_data(group_viewer, filters({"submitted": "1"}, today=today))
        )

    add_projects(1)
    queries()  # the version's engine view is cached from here on
    few = queries()
    add_projects(9)
    assert queries() == few
    assert few <= 17  # 15, and the common gaps reading the figures token and the projects

"""The brand dashboard's data: its projects, its profile against other brands, trend and work."""

import datetime
import statistics

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from brands.models import Brand, GroupRole, Project
from reports.dashboards import DashboardFilters, brand_dashboard_data
from scoring import engine
from scoring.models import ImprovementAction
from scoring.selectors import version_spec
from scoring.services import score_store
from surveys.models import AssessmentMode, AssessmentStatus
from tests import factories
from tests.reports.dashboard_data import count_queries, mean, recomputed, seed_demo_once

pytestmark = pytest.mark.django_db

D = datetime.date
VALIDATED, SUBMITTED, DRAFT = (
    AssessmentStatus.VALIDATED,
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.DRAFT,
)
YES, PARTLY, NO = {"doc-purpose": "yes"}, {"doc-purpose": "partly"}, {"doc-purpose": "no"}
TODAY = D(2025, 5, 10)


def filters(query: dict | None = None, today: datetime.date = TODAY) -> DashboardFilters:
    return DashboardFilters.parse(query or {}, today=today)


def scored(project, version, answers, on, *, status=VALIDATED, mode=AssessmentMode.INTERVIEW):
    assessment = factories.assessment(
        project, version, status=status, answers=answers, assessed_on=on, mode=mode
    )
    score_store(assessment=assessment)
    return assessment


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    yield from seed_demo_once(django_db_blocker)


@pytest.mark.usefixtures("demo")
class TestOnTheDemoData:
    @pytest.fixture
    def group_viewer(self, db):
        """Named apart from the demo's own group users."""
        return factories.UserFactory(username="dash-manager", group_role=GroupRole.VIEWER)

    def test_project_rows_and_profile_are_the_engines_figures(self, group_viewer):
        today = timezone.localdate()
        for brand in Brand.objects.order_by("name")[:4]:
            data = brand_dashboard_data(group_viewer, brand, filters(today=today))
            projects = list(brand.projects.all())
            expected = recomputed(projects, data.as_of)
            assert [row.project for row in data.projects] == sorted(projects, key=lambda p: p.name)
            for row in data.projects:
                result = expected.get(row.project.pk)
                if result is None:
                    assert row.overall is None
                    continue
                assert row.overall == pytest.approx(result.percent, abs=1e-3)
                assert row.level == result.level
                for section, value in zip(data.sections, row.sections, strict=True):
                    if section.key not in result.sections:
                        # A section new in a later edition than the project's latest figure.
                        assert value is None
                        continue
                    assert value == pytest.approx(result.sections[section.key].percent, abs=1e-3)
            overall = data.profile[0]
            assert overall.brand.mean == pytest.approx(
                mean(r.percent for r in expected.values()), abs=1e-3
            )
            others = recomputed(Project.objects.exclude(brand=brand), data.as_of)
            assert overall.group.n == len(others)
            assert overall.group.median == pytest.approx(
                statistics.median(r.percent for r in others.values()), abs=1e-3
            )

    def test_open_assessments_show_their_status_and_answered_counts(self, group_viewer):
        today = timezone.localdate()
        rows = [
            row
            for brand in Brand.objects.all()
            for row in brand_dashboard_data(group_viewer, brand, filters(today=today)).projects
            if row.open is not None
        ]
        assert {row.open.status for row in rows} == {DRAFT, SUBMITTED}
        assert all(0 <= row.open.answered <= row.open.total for row in rows)
        assert any(row.open.answered < row.open.total for row in rows)


@pytest.mark.parametrize("who", ["lead", "viewer", "data_scientist", "group_viewer"])
def test_members_and_group_roles_get_it(request, who, brand):
    data = brand_dashboard_data(request.getfixturevalue(who), brand, filters())
    assert data.brand == brand


def test_another_brands_member_is_refused(outsider, brand):
    with pytest.raises(PermissionDenied):
        brand_dashboard_data(outsider, brand, filters())


def test_the_group_profile_is_hidden_below_three_projects_of_other_brands(
    viewer, brand, other_brand, version
):
    scored(factories.ProjectFactory(brand=brand), version, YES, D(2025, 4, 1))
    for i in range(2):
        scored(factories.ProjectFactory(brand=other_brand), version, NO, D(2025, 4, 1 + i))
    data = brand_dashboard_data(viewer, brand, filters(), today=TODAY)
    overall = data.profile[0]
    assert overall.group.n == 2
    assert not overall.group_shown
    assert overall.group.median is None and overall.group.lower_quartile is None
    assert "Only 2 projects of other brands" in overall.hidden_reason

    scored(factories.ProjectFactory(brand=other_brand), version, PARTLY, D(2025, 4, 5))
    overall = brand_dashboard_data(viewer, brand, filters(), today=TODAY).profile[0]
    assert overall.group_shown and overall.hidden_reason == ""
    assert (overall.group.lower_quartile, overall.group.median) == (0, 0)
    assert overall.group.upper_quartile == 25
    assert overall.brand.mean == 100 and overall.brand.n == 1


def test_a_project_row_says_how_old_its_figure_is_and_what_is_in_progress(
    viewer, brand, project, version
):
    scored(project, version, PARTLY, D(2025, 4, 1))
    draft = factories.assessment(project, version, answers=YES, assessed_on=D(2025, 5, 1))
    [row] = brand_dashboard_data(viewer, brand, filters(), today=TODAY).projects
    assert (row.overall, row.assessed_on, row.figure_status) == (50, D(2025, 4, 1), VALIDATED)
    assert row.age_days == (TODAY - D(2025, 4, 1)).days
    assert row.open.code == str(draft.code)
    applicable = [q for q in version_spec(version).questions if engine.applies(q, project.kind)]
    assert (row.open.status, row.open.answered, row.open.total) == (DRAFT, 1, len(applicable))
    assert 1 < len(applicable) < len(version_spec(version).questions)


def test_a_past_quarter_measures_age_to_its_end(viewer, brand, project, version):
    scored(project, version, PARTLY, D(2024, 11, 1))
    scored(project, version, YES, D(2025, 4, 1))
    [row] = brand_dashboard_data(
        viewer, brand, filters({"quarter": "2024-Q4"}), today=TODAY
    ).projects
    assert (row.overall, row.age_days) == (50, (D(2024, 12, 31) - D(2024, 11, 1)).days)


def test_filters_narrow_the_projects_and_the_comparison(viewer, brand, other_brand, version):
    scored(factories.ProjectFactory(brand=brand, kind="batch"), version, YES, D(2025, 4, 1))
    scored(factories.ProjectFactory(brand=brand, kind="realtime"), version, NO, D(2025, 4, 1))
    for _i in range(3):
        scored(
            factories.ProjectFactory(brand=other_brand, kind="batch"), version, NO, D(2025, 4, 1)
        )
        scored(
            factories.ProjectFactory(brand=other_brand, kind="realtime"),
            version,
            YES,
            D(2025, 4, 1),
        )
    data = brand_dashboard_data(viewer, brand, filters({"kind": "batch"}))
    assert [row.project.kind for row in data.projects] == ["batch"]
    assert data.profile[0].group.n == 3 and data.profile[0].group.median == 0
    assert data.trend[-1].figure.mean == 100


def test_the_trend_covers_eight_quarters_ending_with_the_chosen_one(
    viewer, brand, project, version
):
    scored(project, version, NO, D(2024, 2, 1))
    scored(project, version, YES, D(2025, 4, 1))
    data = brand_dashboard_data(viewer, brand, filters(), today=TODAY)
    assert [p.quarter.code for p in data.trend] == [
        "2023-Q3",
        "2023-Q4",
        "2024-Q1",
        "2024-Q2",
        "2024-Q3",
        "2024-Q4",
        "2025-Q1",
        "2025-Q2",
    ]
    assert [p.figure.mean for p in data.trend] == [None, None, 0, 0, 0, 0, 0, 100]


def test_actions_and_assessments_awaiting_review(viewer, brand, project, other_project, version):
    def action(p, key, status="open", due=None):
        return ImprovementAction.objects.create(
            project=p,
            question_key=key,
            question_text=key,
            title=key,
            status=status,
            due_on=due,
            closed_at=timezone.now() if status in ("done", "dropped") else None,
        )

    later = action(project, "a", due=D(2025, 9, 1))
    soon = action(project, "b", status="in_progress", due=D(2025, 5, 1))
    undated = action(project, "c")
    action(project, "d", status="done")
    action(other_project, "e")
    submitted = scored(project, version, YES, D(2025, 5, 2), status=SUBMITTED)
    scored(other_project, version, YES, D(2025, 5, 2), status=SUBMITTED)

    data = brand_dashboard_data(viewer, brand, filters(), today=TODAY)
    assert data.actions.counts == {"open": 2, "in_progress": 1}
    assert data.actions.urgent == [soon, later, undated]
    assert [a.code for a in data.awaiting_review] == [str(submitted.code)]


def test_the_number_of_queries_does_not_grow_with_the_data(viewer, brand, other_brand, version):
    def add_projects(n: int) -> None:
        for i in range(n):
            for b in (brand, other_brand):
                project = factories.ProjectFactory(brand=b)
                scored(project, version, NO, D(2024, 11, 1 + i))
                scored(project, version, YES, D(2025, 4, 1 + i))
                scored(project, version, PARTLY, D(2025, 4, 20 + i), status=SUBMITTED)
                factories.assessment(project, version, answers=YES, assessed_on=D(2025, 5, 1))
                ImprovementAction.objects.create(
                    project=project, question_key="k", question_text="k", title="k"
                )

    def queries(cached: bool) -> int:
        return count_queries(
            lambda: brand_dashboard_data(viewer, brand, filters({"submitted": "1"})),
            cached=cached,
        )

    add_projects(1)
    queries(False)
    cold, cached = queries(False), queries(True)
    add_projects(9)
    assert (queries(False), queries(True)) == (cold, cached)
    assert cold <= 16 and cached <= 6  # cached: the token, open assessments and actions

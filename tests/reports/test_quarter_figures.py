"""The figures the database computes (scoring.selectors.quarter_figures) equal the engine's.

The group dashboard, the brand page and the project page read their brands'
means quarter by quarter and by section from SQL. Here every figure is checked
twice on random data and on the demo:

- against the figures chosen and averaged in Python from the stored scores, the
  way the pages computed them before (`figure_history`, `figures_at`, `cell`):
  the same projects, counts and dates, means equal up to float rounding;
- against the engine scoring every chosen assessment afresh
  (`tests.reports.dashboard_data.recomputed`), which also checks the choice of
  assessment: means within 0.001 points (the stored scores keep five decimals).

Runs on SQLite, and on PostgreSQL when DATABASE_URL names one (CI).
"""

import datetime
import random

import pytest

from brands.models import Brand, GroupRole, Project
from reports.dashboards import DashboardFilters, group_dashboard_data
from reports.dashboards.brand import brand_dashboard_data
from reports.dashboards.common import cell, filtered_projects
from reports.dashboards.filters import Quarter
from reports.dashboards.group import MOVERS
from reports.dashboards.project import project_page_data
from reports.words import by_name
from scoring.selectors import scores_for_assessments
from scoring.selectors.dashboard import figure_history, figures_at, section_figures
from scoring.selectors.gaps import in_question_set
from scoring.services import score_store
from surveys.models import Assessment, AssessmentStatus
from tests import factories
from tests.depth import cases
from tests.reports.dashboard_data import (
    add_to_history,
    maybe_upgrade,
    mean,
    recomputed,
    seed_demo_once,
)

D = datetime.date
CHOICES = ("yes", "partly", "no", "na")
STATUSES = (
    [AssessmentStatus.VALIDATED] * 6 + [AssessmentStatus.SUBMITTED] * 2 + [AssessmentStatus.DRAFT]
)
REL = 1e-9  # SQL sums against Python sums of the same stored values


def same_cell(got, expected, where: str) -> None:
    assert (got.n, got.first_assessed, got.last_assessed) == (
        expected.n,
        expected.first_assessed,
        expected.last_assessed,
    ), where
    if expected.mean is None:
        assert got.mean is None, where
    else:
        assert got.mean == pytest.approx(expected.mean, rel=REL, abs=1e-9), where


def options(filters: DashboardFilters) -> dict:
    return {
        "include_submitted": filters.include_submitted,
        "version_code": filters.version,
        "question_set_code": filters.question_set,
    }


def python_figures(projects, filters: DashboardFilters):
    """The pages' figures computed in Python from the stored scores, as they were before."""
    history = figure_history(projects, until=filters.as_of, **options(filters))
    now = figures_at(history, filters.as_of)
    return history, now, section_figures(f.assessment_id for f in now.values())


def check_group(user, filters: DashboardFilters) -> None:
    data = group_dashboard_data(user, filters, with_gaps=False)
    brands = by_name(
        Brand.objects.filter(code__in=filters.brands) if filters.brands else Brand.objects.all()
    )
    assert [row.brand for row in data.brands] == brands
    projects = filtered_projects(Project.objects.filter(brand__in=brands), filters)
    history, now, sections = python_figures(projects, filters)

    def figures_of(figures, brand):
        return [f for f in figures.values() if brand is None or f.brand_id == brand.pk]

    for row in [*data.brands, data.total]:
        mine = figures_of(now, row.brand)
        same_cell(row.overall, cell((f.percent, f.assessed_on) for f in mine), f"{row.brand}")
        for column, got in zip(data.sections, row.sections, strict=True):
            expected = cell(
                (sections.get(f.assessment_id, {}).get(column.key), f.assessed_on) for f in mine
            )
            same_cell(got, expected, f"{row.brand} {column.key}")
        for point in row.trend:
            at = figures_at(history, filters.point_at(point.quarter))
            expected = cell((f.percent, f.assessed_on) for f in figures_of(at, row.brand))
            same_cell(point.figure, expected, f"{row.brand} {point.quarter}")
    scored = sorted(f.percent for f in now.values() if f.percent is not None)
    assert data.distribution.percents == pytest.approx(scored, rel=REL)
    assert data.core.total == len(scored)
    assert data.core.met == sum(1 for f in now.values() if f.percent is not None and f.all_core_met)
    before = figures_at(history, min(filters.quarter.previous().end, filters.as_of))
    moved = [
        now[p].percent - before[p].percent
        for p in now
        if p in before and None not in (now[p].percent, before[p].percent)
    ]
    assert [m.delta for m in data.movers_up] == pytest.approx(
        sorted((d for d in moved if d > 0), reverse=True)[:MOVERS], rel=REL
    )
    assert [m.delta for m in data.movers_down] == pytest.approx(
        sorted(d for d in moved if d < 0)[:MOVERS], rel=REL
    )

    # The engine, scoring the assessment it chooses itself (the current quarter's figures).
    expected = recomputed(projects, filters.as_of, include_submitted=filters.include_submitted)
    if filters.version is None:
        assert data.total.overall.n == len([r for r in expected.values() if r.percent is not None])
        assert data.total.overall.mean == pytest.approx(
            mean(r.percent for r in expected.values()), abs=1e-3
        )


def check_brand(user, brand: Brand, filters: DashboardFilters) -> None:
    data = brand_dashboard_data(user, brand, filters, today=filters.today)
    projects = filtered_projects(Project.objects.filter(brand=brand), filters)
    history, now, _ = python_figures(projects, filters)
    for point in data.trend:
        at = figures_at(history, filters.point_at(point.quarter))
        same_cell(point.figure, cell((f.percent, f.assessed_on) for f in at.values()), "trend")
    rows = {row.project.pk: row for row in data.projects}
    for project_id, figure in now.items():
        assert rows[project_id].overall == figure.percent
        assert rows[project_id].assessed_on == figure.assessed_on
    overall = data.profile[0]
    same_cell(overall.brand, cell((f.percent, f.assessed_on) for f in now.values()), "overall")
    expected = recomputed(projects, filters.as_of, include_submitted=filters.include_submitted)
    if filters.version is None:
        assert overall.brand.mean == pytest.approx(
            mean(r.percent for r in expected.values()), abs=1e-3
        )
        assert overall.brand.n == len([r for r in expected.values() if r.percent is not None])


def check_project(project: Project, today: datetime.date) -> None:
    assessments = list(
        scores_for_assessments(
            in_question_set(project.assessments.all()).select_related("version__question_set")
        ).order_by("-assessed_on", "-created_at", "-id")
    )
    page = project_page_data(project=project, assessments=assessments, on=today)
    expected = recomputed([project], today).get(project.pk)
    if expected is None:
        assert page.latest is None
        return
    if expected.percent is None:
        assert page.latest.percent is None
    else:
        assert page.latest.percent == pytest.approx(expected.percent, abs=1e-3)
    others = recomputed(Project.objects.exclude(pk=project.pk), today)
    brand_of = dict(Project.objects.values_list("pk", "brand_id"))
    same = [r.percent for p, r in others.items() if brand_of[p] == project.brand_id]
    other = [r.percent for p, r in others.items() if brand_of[p] != project.brand_id]
    overall = page.profile[0]
    assert overall.brand.n == len([v for v in same if v is not None])
    assert overall.group.n == len([v for v in other if v is not None])
    if overall.brand.mean is not None:
        assert overall.brand.mean == pytest.approx(mean(same), abs=1e-3)


def random_filters(rng: random.Random, today: datetime.date, version) -> DashboardFilters:
    query: dict = {}
    quarter = Quarter.of(today)
    for _ in range(rng.choice([0, 0, 1, 3, 6])):
        quarter = quarter.previous()
    query["quarter"] = quarter.code
    brands = list(Brand.objects.values_list("code", flat=True))
    if rng.random() < 0.3:
        query["brand"] = [str(c) for c in rng.sample(brands, rng.randint(1, len(brands)))]
    if rng.random() < 0.3:
        query["kind"] = rng.choice(["batch", "realtime", "both"])
    if rng.random() < 0.2:
        query["criticality"] = rng.choice(["low", "medium", "high"])
    if rng.random() < 0.4:
        query["submitted"] = "1"
    if rng.random() < 0.15:
        query["version"] = str(version.code)
    return DashboardFilters.parse(query, today=today)


def random_group(rng: random.Random, version) -> None:
    """Brands and projects with validated, submitted (some upgraded) and draft assessments on
    random dates (same-day ties and future dates included), some with nothing that applies."""
    keys = list(version.questions.values_list("key", flat=True))
    for b in range(rng.randint(2, 4)):
        brand = factories.BrandFactory(name=f"Brand {b} {rng.random():.6f}")
        for _ in range(rng.randint(1, 5)):
            project = factories.ProjectFactory(
                brand=brand,
                kind=rng.choice(["batch", "realtime", "both"]),
                criticality=rng.choice(["low", "medium", "high"]),
            )
            made = []
            for _ in range(rng.choice([0, 1, 2, 3, 4, 6])):
                on = D(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 1100))
                if rng.random() < 0.25:  # on a quarter's last day, where the trend looks
                    on = Quarter.of(on).end
                if made and rng.random() < 0.2:
                    on = made[-1].assessed_on  # a tie on the date
                if rng.random() < 0.08:
                    answers = dict.fromkeys(keys, "na")  # nothing applies: no figure
                else:
                    answers = {k: rng.choice(CHOICES) for k in rng.sample(keys, rng.randint(1, 20))}
                status = rng.choice(STATUSES)
                assessment = factories.assessment(
                    project, version, status=status, answers=answers, assessed_on=on
                )
                if status != AssessmentStatus.DRAFT:
                    score_store(assessment=assessment)
                add_to_history(made, assessment, rng)
            maybe_upgrade(made, rng)


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", range(cases(4)))
def test_sql_figures_equal_python_and_engine_figures_on_random_data(seed, version):
    rng = random.Random(seed)
    random_group(rng, version)
    user = factories.UserFactory(group_role=GroupRole.VIEWER)
    for _ in range(4):
        today = D(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 700))
        if rng.random() < 0.5:  # the day of an assessment: the quarter so far ends there
            today = rng.choice(list(Assessment.objects.values_list("assessed_on", flat=True)))
        filters = random_filters(rng, today, version)
        check_group(user, filters)
        brand = rng.choice(list(Brand.objects.all()))
        check_brand(user, brand, filters)
    for project in Project.objects.all()[:6]:
        check_project(project, D(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 700)))


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    yield from seed_demo_once(django_db_blocker)


@pytest.mark.usefixtures("demo")
class TestOnTheDemo:
    @pytest.fixture
    def viewer(self, db):
        return factories.UserFactory(username="sql-figures", group_role=GroupRole.VIEWER)

    @pytest.mark.parametrize(
        "query",
        [{}, {"submitted": "1"}, {"kind": "batch"}, {"criticality": "high"}, "previous", "brands"],
    )
    def test_group_and_brand_figures(self, viewer, query):
        today = datetime.date.today()
        if query == "previous":
            query = {"quarter": Quarter.of(today).previous().previous().code}
        elif query == "brands":
            query = {"brand": [str(b.code) for b in by_name(Brand.objects.all())[:3]]}
        filters = DashboardFilters.parse(query, today=today)
        check_group(viewer, filters)
        for brand in Brand.objects.order_by("name")[:4]:
            check_brand(viewer, brand, filters)

    def test_project_figures(self):
        today = datetime.date.today()
        for project in Project.objects.order_by("name")[:5]:
            check_project(project, today)


def test_no_project_to_read_gives_no_figures(version):
    from scoring.selectors.quarter_figures import brand_figures_at

    day = D(2025, 3, 31)
    assert brand_figures_at(Project.objects.none(), [day]) == {day: {}}
    assert brand_figures_at(Project.objects.filter(brand__in=[]), [day]) == {day: {}}
    assert brand_figures_at(Project.objects.all(), []) == {}

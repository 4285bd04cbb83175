"""The peers the database reduces (scoring.selectors.comparison) equal Python's and the engine's.

The brand page compares a brand with the other brands' projects
(`other_brands_comparison`), the project page a project with its brand's
other projects and the other brands' (`project_comparison`): per key
("overall" and each section key), how many figures, their mean, their
inclusive quartiles. The database computes them; here every one is checked on
random data and on the demo:

- against the same figures chosen and reduced in Python from the stored scores,
  the way the pages computed them before (`latest_figures`, `section_figures`,
  `values_by_key`, `distribution`, `mean_of`): the same keys and counts, the
  same versions, means and quartiles equal up to float rounding;
- against the engine scoring every chosen assessment afresh, which also checks
  the choice of assessment: within 0.001 points (the stored scores keep five
  decimals).

Runs on SQLite, and on PostgreSQL when DATABASE_URL names one (CI).
"""

import datetime
import random
from decimal import Decimal

import pytest

from brands.models import Brand, Project
from scoring.selectors import assessment_result
from scoring.selectors.benchmarks import Distribution, distribution
from scoring.selectors.comparison import (
    GroupComparison,
    Mean,
    ProjectComparison,
    mean_of,
    other_brands_comparison,
    project_comparison,
    values_by_key,
)
from scoring.selectors.dashboard import latest_figures, section_figures
from scoring.selectors.figures_cache import forget_cached_figures
from scoring.selectors.gaps import in_question_set
from scoring.services import score_store
from surveys import question_set_format as fmt
from surveys.models import Assessment, AssessmentMode, AssessmentStatus
from surveys.services import question_set_import
from tests import factories
from tests.depth import cases
from tests.reports.dashboard_data import add_to_history, maybe_upgrade, seed_demo_once

D = datetime.date
REL = 1e-9  # SQL against Python, the same stored values
POINTS = 1e-3  # against the engine's recomputation, in percentage points
STATUSES = (
    [AssessmentStatus.VALIDATED] * 6 + [AssessmentStatus.SUBMITTED] * 2 + [AssessmentStatus.DRAFT]
)


def _q(key: str, weight: int = 1) -> fmt.QuestionSpec:
    return fmt.QuestionSpec(key=key, text=f"Statement {key}", weight=Decimal(weight), core=False)


def _small_set(sections: tuple[fmt.SectionSpec, ...]) -> fmt.QuestionSetSpec:
    return fmt.QuestionSetSpec(
        key="peer-test",
        name="Peer test",
        description="",
        aggregation="weighted_mean",
        scale=(
            fmt.OptionSpec("yes", "Yes", Decimal(1)),
            fmt.OptionSpec("partly", "Partly", Decimal("0.5")),
            fmt.OptionSpec("no", "No", Decimal(0)),
        ),
        levels=(fmt.LevelSpec("Initial", Decimal(0)), fmt.LevelSpec("Defined", Decimal(50))),
        sections=sections,
    )


def two_versions():
    """A small set whose versions share section alpha; v1 also has beta, v2 gamma instead. Few
    statements and three options: many ties."""
    alpha = fmt.SectionSpec("alpha", "Alpha", questions=(_q("a1"), _q("a2", 2)))
    v1, _ = question_set_import(
        spec=_small_set((alpha, fmt.SectionSpec("beta", "Beta", questions=(_q("b1"),)))),
        publish=True,
    )
    v2, _ = question_set_import(
        spec=_small_set(
            (alpha, fmt.SectionSpec("gamma", "Gamma", questions=(_q("c1"), _q("c2", 3))))
        ),
        publish=True,
    )
    return v1, v2


def random_group(rng: random.Random, versions) -> None:
    """Brands of 0 to 7 projects, with validated, submitted (self-fills and interviews, some
    upgraded) and draft assessments in every version on random dates (same-day ties and
    some where nothing applies included)."""
    keys = {v.pk: list(v.questions.values_list("key", flat=True)) for v in versions}
    for b in range(rng.randint(2, 5)):
        brand = factories.BrandFactory(name=f"Peers {b} {rng.random():.6f}")
        for _ in range(rng.choice([0, 1, 2, 3, 3, 4, 5, 7])):
            project = factories.ProjectFactory(
                brand=brand, kind=rng.choice(["batch", "realtime", "both"])
            )
            made = []
            for _ in range(rng.choice([0, 1, 1, 2, 3, 5])):
                version = rng.choice(versions)
                on = D(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 400))
                if made and rng.random() < 0.2:
                    on = made[-1].assessed_on  # a tie on the date
                if rng.random() < 0.08:
                    answers = dict.fromkeys(keys[version.pk], "na")  # no figure at all
                else:
                    answers = {
                        k: rng.choice(["yes", "partly", "no", "na"])
                        for k in rng.sample(keys[version.pk], rng.randint(1, len(keys[version.pk])))
                    }
                status = rng.choice(STATUSES)
                assessment = factories.assessment(
                    project,
                    version,
                    status=status,
                    answers=answers,
                    assessed_on=on,
                    mode=rng.choice([AssessmentMode.INTERVIEW, AssessmentMode.SELF_FILL]),
                )
                if status != AssessmentStatus.DRAFT:
                    score_store(assessment=assessment)
                add_to_history(made, assessment, rng)
            maybe_upgrade(made, rng)


# --- The previous computation, in Python from the stored scores -------------------------------


def python_other_brands(projects, *, brand_id, on, **options) -> GroupComparison:
    figures = latest_figures(projects.exclude(brand_id=brand_id), on=on, **options)
    found = values_by_key(
        list(figures.values()), section_figures(f.assessment_id for f in figures.values())
    )
    return GroupComparison(
        version_ids=frozenset(f.version_id for f in figures.values()),
        distributions={key: distribution(values) for key, values in found.items()},
    )


def python_project_peers(project, *, on, question_set_code) -> ProjectComparison:
    figures = latest_figures(
        Project.objects.exclude(pk=project.pk), on=on, question_set_code=question_set_code
    )
    sections = section_figures(f.assessment_id for f in figures.values())
    same = [f for f in figures.values() if f.brand_id == project.brand_id]
    others = [f for f in figures.values() if f.brand_id != project.brand_id]
    return ProjectComparison(
        version_ids=frozenset(f.version_id for f in figures.values()),
        brand={k: mean_of(v) for k, v in values_by_key(same, sections).items()},
        group={k: distribution(v) for k, v in values_by_key(others, sections).items()},
    )


# --- The engine, choosing and scoring afresh ---------------------------------------------------


def engine_values(projects, *, on, include_submitted=False, version_code=None, set_code=None):
    """{project id: (brand id, {key: percent})}: each project's figure on `on` scored afresh by
    the engine, the assessment chosen the slow, obvious way; values that are None left out."""
    statuses = [AssessmentStatus.VALIDATED]
    if include_submitted:
        statuses.append(AssessmentStatus.SUBMITTED)
    candidates = in_question_set(
        Assessment.objects.filter(project__in=projects, status__in=statuses), set_code
    )
    if version_code is not None:
        candidates = candidates.filter(version__code=version_code)
    chosen: dict[int, Assessment] = {}
    ordered = candidates.select_related("version", "project").order_by(
        "assessed_on", "created_at", "id"
    )
    for assessment in ordered:
        upgraded = assessment.status == AssessmentStatus.SUBMITTED and assessment.superseded_by_id
        if assessment.assessed_on <= on and not upgraded:
            chosen[assessment.project_id] = assessment
    found = {}
    for project_id, assessment in chosen.items():
        result = assessment_result(assessment)
        values = {key: s.percent for key, s in result.sections.items() if s.percent is not None}
        if result.percent is not None:
            values["overall"] = result.percent
        found[project_id] = (assessment.project.brand_id, values)
    return found


def engine_by_key(found: dict, brands) -> dict[str, list[float]]:
    by_key: dict[str, list[float]] = {"overall": []}
    for brand_id, values in found.values():
        if brand_id in brands:
            for key, value in values.items():
                by_key.setdefault(key, []).append(value)
    return by_key


# --- Comparing --------------------------------------------------------------------------------


def same_distribution(got: Distribution, expected: Distribution, where: str, tolerance) -> None:
    assert got.n == expected.n, where
    for name in ("median", "lower_quartile", "upper_quartile"):
        value, wanted = getattr(got, name), getattr(expected, name)
        if wanted is None:
            assert value is None, f"{where} {name}"
        else:
            assert value == tolerance(wanted), f"{where} {name}"


def same_mean(got: Mean, expected: Mean, where: str, tolerance) -> None:
    assert got.n == expected.n, where
    if expected.mean is None:
        assert got.mean is None, where
    else:
        assert got.mean == tolerance(expected.mean), where


def exact(value):
    return pytest.approx(value, rel=REL, abs=1e-9)


def close(value):
    return pytest.approx(value, abs=POINTS)


def check_other_brands(projects, brand: Brand, on: datetime.date, **options) -> None:
    forget_cached_figures()
    got = other_brands_comparison(projects, brand_id=brand.pk, on=on, **options)
    expected = python_other_brands(projects, brand_id=brand.pk, on=on, **options)
    assert got.version_ids == expected.version_ids
    assert got.distributions.keys() == expected.distributions.keys()
    for key, wanted in expected.distributions.items():
        same_distribution(got.get(key), wanted, f"{brand} {key}", exact)

    set_code = options.get("question_set_code")
    engine = engine_values(
        projects,
        on=on,
        include_submitted=options.get("include_submitted", False),
        version_code=options.get("version_code"),
        set_code=set_code,
    )
    others = set(Brand.objects.exclude(pk=brand.pk).values_list("pk", flat=True))
    by_key = engine_by_key(engine, others)
    assert by_key.keys() == got.distributions.keys()
    for key, values in by_key.items():
        same_distribution(got.get(key), distribution(values), f"{brand} {key} (engine)", close)


def check_project(project: Project, on: datetime.date, set_code: str | None) -> None:
    forget_cached_figures()
    own = project.assessments.values_list("version_id", flat=True).first()
    version_id = own or factories.default_version().pk
    got = project_comparison(project, on=on, version_id=version_id, question_set_code=set_code)
    expected = python_project_peers(project, on=on, question_set_code=set_code)
    assert got.version_ids == expected.version_ids
    assert got.brand.keys() == expected.brand.keys()
    assert got.group.keys() == expected.group.keys()
    for key, wanted in expected.brand.items():
        same_mean(got.brand_mean(key), wanted, f"{project} brand {key}", exact)
    for key, wanted in expected.group.items():
        same_distribution(got.group_distribution(key), wanted, f"{project} group {key}", exact)

    engine = engine_values(Project.objects.exclude(pk=project.pk), on=on, set_code=set_code)
    own = {project.brand_id}
    others = set(Brand.objects.exclude(pk=project.brand_id).values_list("pk", flat=True))
    for key, values in engine_by_key(engine, own).items():
        same_mean(got.brand_mean(key), mean_of(values), f"{project} brand {key} (engine)", close)
    for key, values in engine_by_key(engine, others).items():
        same_distribution(
            got.group_distribution(key), distribution(values), f"{project} {key} (engine)", close
        )


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", range(cases(6)))
def test_sql_peers_equal_python_and_engine_peers_on_random_data(seed, version):
    rng = random.Random(seed)
    small = two_versions()
    random_group(rng, [version, *small])
    brands = list(Brand.objects.all())
    for _ in range(3):
        on = D(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 420))
        set_code = rng.choice([None, str(small[0].question_set.code)])
        options = {
            "include_submitted": rng.random() < 0.5,
            "version_code": None,
            "question_set_code": set_code,
        }
        if set_code is not None and rng.random() < 0.3:
            options["version_code"] = str(rng.choice(small).code)
        brand = rng.choice(brands)
        check_other_brands(Project.objects.all(), brand, on, **options)
        # One other brand alone: every group size from none to seven projects comes up.
        for other in brands:
            if other != brand:
                check_other_brands(Project.objects.filter(brand__in=[brand, other]), brand, on)
        kind = rng.choice(["batch", "realtime", "both"])
        check_other_brands(Project.objects.filter(kind=kind), brand, on, **options)
        for project in rng.sample(list(Project.objects.all()), min(4, Project.objects.count())):
            check_project(project, on, set_code)


def test_quartiles_of_every_group_size_are_pythons_inclusive_quartiles(brand, version):
    """Other brands of 1 to 9 projects (ties among them) against `statistics.quantiles`."""
    values = ["yes", "no", "partly", "yes", "yes", "no", "partly", "partly", "yes"]
    keys = list(version.questions.values_list("key", flat=True))[:3]
    for size in range(1, 10):
        other = factories.BrandFactory(name=f"Size {size}")
        for i in range(size):
            project = factories.ProjectFactory(brand=other)
            answers = {key: values[(i + j * size) % len(values)] for j, key in enumerate(keys)}
            assessment = factories.assessment(
                project,
                version,
                status=AssessmentStatus.VALIDATED,
                answers=answers,
                assessed_on=D(2025, 3, 1),
            )
            score_store(assessment=assessment)
        check_other_brands(Project.objects.filter(brand__in=[brand, other]), brand, D(2025, 6, 1))


def test_no_project_to_read_gives_no_peers(brand, version):
    forget_cached_figures()
    got = other_brands_comparison(Project.objects.none(), brand_id=brand.pk, on=D(2025, 1, 1))
    assert got == GroupComparison(frozenset(), {"overall": Distribution(n=0)})


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    yield from seed_demo_once(django_db_blocker)


@pytest.mark.usefixtures("demo")
class TestOnTheDemo:
    @pytest.mark.parametrize("include_submitted", [False, True])
    def test_other_brands(self, include_submitted):
        today = datetime.date.today()
        for brand in Brand.objects.order_by("name")[:4]:
            check_other_brands(
                Project.objects.all(), brand, today, include_submitted=include_submitted
            )
        brand = Brand.objects.order_by("name").first()
        check_other_brands(Project.objects.filter(kind="batch"), brand, today)

    def test_projects(self):
        today = datetime.date.today()
        for project in Project.objects.order_by("name")[:5]:
            check_project(project, today, None)

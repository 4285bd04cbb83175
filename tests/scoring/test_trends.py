"""Figures over time: a project at a date, brands by quarter, a project's history, and the pages."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from brands.models import BrandRole
from scoring.selectors import trends
from scoring.services import score_store
from surveys import question_set_format as fmt
from surveys.models import AssessmentStatus
from surveys.services import question_set_import
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
VALIDATED, SUBMITTED = AssessmentStatus.VALIDATED, AssessmentStatus.SUBMITTED


def validated(project, version, answers: dict, on: datetime.date, *, status=VALIDATED):
    assessment = factories.assessment(
        project, version, status=status, answers=answers, assessed_on=on
    )
    score_store(assessment=assessment)
    return assessment


# The default set with one answered statement: Yes 100 %, Partly 50 %, No 0 %.
YES, PARTLY, NO = {"doc-purpose": "yes"}, {"doc-purpose": "partly"}, {"doc-purpose": "no"}


def _q(key, text, weight=1, core=False):
    return fmt.QuestionSpec(key=key, text=text, weight=Decimal(weight), core=core)


def small_set(questions_b: tuple) -> fmt.QuestionSetSpec:
    return fmt.QuestionSetSpec(
        key="trend-test",
        name="Trend test",
        description="",
        aggregation="weighted_mean",
        scale=(
            fmt.OptionSpec("yes", "Yes", Decimal(1)),
            fmt.OptionSpec("partly", "Partly", Decimal("0.5")),
            fmt.OptionSpec("no", "No", Decimal(0)),
        ),
        levels=(fmt.LevelSpec("Initial", Decimal(0)), fmt.LevelSpec("Defined", Decimal(50))),
        sections=(
            fmt.SectionSpec(
                "alpha",
                "Alpha",
                questions=(_q("a1", "The <b>alpha</b> one", core=True), _q("a2", "Alpha two")),
            ),
            fmt.SectionSpec("beta", "Beta", questions=questions_b),
        ),
    )


def import_two_versions():
    """v1 asks a1, a2, b1 (weight 2), b2; v2 drops b2 and adds b3. They share a1, a2, b1."""
    v1, _ = question_set_import(
        spec=small_set((_q("b1", "Beta one", 2), _q("b2", "Beta two (old)"))), publish=True
    )
    v2, _ = question_set_import(
        spec=small_set((_q("b1", "Beta one", 2), _q("b3", "Beta three (new)"))), publish=True
    )
    return v1, v2


@pytest.fixture
def two_versions(db):
    return import_two_versions()


# v1: a1 yes, a2 partly, b1 no, b2 yes -> own (1 + 0.5 + 0*2 + 1) / 5 = 50 %
#     shared (a1, a2, b1): (1 + 0.5 + 0) / 4 = 37.5 %
V1_ANSWERS = {"a1": "yes", "a2": "partly", "b1": "no", "b2": "yes"}
# v2: a1 yes, a2 yes, b1 partly, b3 no -> own (1 + 1 + 0.5*2 + 0) / 5 = 60 %
#     shared: (1 + 1 + 1) / 4 = 75 %
V2_ANSWERS = {"a1": "yes", "a2": "yes", "b1": "partly", "b3": "no"}


class TestQuarterEnds:
    def test_from_the_quarter_of_the_first_date_to_the_quarter_of_the_last(self):
        assert trends.quarter_ends(D(2024, 2, 10), D(2025, 1, 5)) == [
            D(2024, 3, 31),
            D(2024, 6, 30),
            D(2024, 9, 30),
            D(2024, 12, 31),
            D(2025, 3, 31),
        ]

    def test_one_quarter(self):
        assert trends.quarter_ends(D(2025, 4, 1), D(2025, 6, 30)) == [D(2025, 6, 30)]

    def test_nothing_when_the_first_date_is_after_the_last(self):
        assert trends.quarter_ends(D(2025, 7, 1), D(2025, 6, 30)) == []

    @pytest.mark.parametrize(
        ("assessed", "at", "stale"),
        [
            (D(2024, 3, 31), D(2025, 3, 31), False),  # exactly a year is not older than a year
            (D(2024, 3, 30), D(2025, 3, 31), True),
            (D(2023, 2, 27), D(2024, 2, 29), True),
            (D(2023, 2, 28), D(2024, 2, 29), False),  # a year before 29 February is 28 February
        ],
    )
    def test_a_figure_is_stale_when_more_than_a_year_old(self, assessed, at, stale):
        assert trends.is_stale(assessed, at) is stale


class TestProjectFigureAt:
    def test_it_is_the_latest_validated_assessment_at_or_before_the_date(self, project, version):
        validated(project, version, NO, D(2024, 1, 10))
        later = validated(project, version, YES, D(2024, 6, 1))
        validated(project, version, PARTLY, D(2024, 9, 1), status=SUBMITTED)
        factories.assessment(project, version, answers=NO, assessed_on=D(2024, 8, 1))

        figure = trends.project_figure_at(project, D(2024, 12, 31))

        assert figure.assessment_code == str(later.code)
        assert figure.percent == 100
        assert figure.quarter == "2024 Q2"
        assert figure.version == str(version)
        assert not figure.stale

    def test_on_the_day_of_the_assessment_it_counts(self, project, version):
        validated(project, version, NO, D(2024, 1, 10))
        validated(project, version, YES, D(2024, 6, 1))
        assert trends.project_figure_at(project, D(2024, 6, 1)).percent == 100
        assert trends.project_figure_at(project, D(2024, 5, 31)).percent == 0

    def test_before_the_first_validated_assessment_there_is_none(self, project, version):
        validated(project, version, YES, D(2024, 6, 1))
        assert trends.project_figure_at(project, D(2024, 5, 31)) is None

    def test_of_two_on_the_same_day_the_one_created_last_counts(self, project, version):
        validated(project, version, NO, D(2024, 6, 1))
        validated(project, version, YES, D(2024, 6, 1))
        assert trends.project_figure_at(project, D(2024, 6, 1)).percent == 100

    def test_a_figure_more_than_a_year_old_is_stale(self, project, version):
        validated(project, version, YES, D(2023, 5, 1))
        assert trends.project_figure_at(project, D(2024, 6, 30)).stale


@pytest.fixture
def brand_history(brand, other_brand, version):
    """Acme: A validated Feb (No) and Aug 2024 (Yes); B Jan 2023 (Partly); C only a draft;
    D May 2024 with everything N/A (no figure). Other Foods: one project at Yes."""
    a = factories.ProjectFactory(brand=brand, name="A")
    validated(a, version, NO, D(2024, 2, 10))
    validated(a, version, YES, D(2024, 8, 1))
    b = factories.ProjectFactory(brand=brand, name="B")
    validated(b, version, PARTLY, D(2023, 1, 15))
    c = factories.ProjectFactory(brand=brand, name="C")
    factories.assessment(c, version, answers=YES, assessed_on=D(2024, 3, 1))
    d = factories.ProjectFactory(brand=brand, name="D")
    validated(d, version, {"doc-purpose": "na"}, D(2024, 5, 1))
    other = factories.ProjectFactory(brand=other_brand, name="Other")
    validated(other, version, YES, D(2024, 1, 1))
    return brand, other_brand


QUARTERS_2024 = [D(2024, 3, 31), D(2024, 6, 30), D(2024, 9, 30), D(2024, 12, 31)]


class TestBrandSeries:
    def test_each_quarter_is_the_mean_of_the_projects_with_a_figure(self, brand_history, version):
        brand, other_brand = brand_history
        trend = trends.brand_series([brand, other_brand], QUARTERS_2024)

        acme, other = trend.series
        assert acme.brand == brand
        assert [p.quarter for p in acme.points] == ["2024 Q1", "2024 Q2", "2024 Q3", "2024 Q4"]
        # Q1 and Q2: A at 0 % and B at 50 % (D has no figure, C only a draft) -> 25 %
        # Q3 and Q4: A at 100 % and B at 50 % -> 75 %
        assert [p.percent for p in acme.points] == [25, 25, 75, 75]
        assert [p.projects for p in acme.points] == [2, 2, 2, 2]
        # B's assessment of January 2023 is more than a year old at every quarter end of 2024.
        assert [p.stale for p in acme.points] == [1, 1, 1, 1]
        assert acme.points[0].versions == (str(version),)
        assert [p.percent for p in other.points] == [100, 100, 100, 100]
        assert trend.basis == trends.Basis(common_questions=False, versions=(str(version),))

    def test_a_quarter_before_any_assessment_has_no_figure(self, brand_history):
        brand, _ = brand_history
        [series] = trends.brand_series([brand], [D(2022, 12, 31)]).series
        point = series.points[0]
        assert (point.percent, point.projects, point.stale, point.versions) == (None, 0, 0, ())

    def test_no_brands_or_no_quarters_give_empty_series(self, brand_history):
        brand, _ = brand_history
        assert trends.brand_series([], QUARTERS_2024).series == []
        assert trends.brand_series([brand], []).series[0].points == []

    def test_on_shared_questions_with_one_version_the_figures_are_the_same(
        self, brand_history, version
    ):
        brand, _ = brand_history
        own = trends.brand_series([brand], QUARTERS_2024)
        shared = trends.brand_series([brand], QUARTERS_2024, common_questions=True)
        assert shared.series[0].points == own.series[0].points
        assert shared.basis.shared_questions == version.questions.count()

    def test_versions_are_named_and_shared_questions_re_score_them(self, brand, two_versions):
        v1, v2 = two_versions
        old = factories.ProjectFactory(brand=brand, name="Old")
        validated(old, v1, V1_ANSWERS, D(2024, 2, 1))
        new = factories.ProjectFactory(brand=brand, name="New")
        validated(new, v2, V2_ANSWERS, D(2024, 5, 1))

        code = str(v1.question_set.code)
        own = trends.brand_series([brand], QUARTERS_2024[:2], question_set_code=code)
        shared = trends.brand_series(
            [brand], QUARTERS_2024[:2], common_questions=True, question_set_code=code
        )

        # Q1: Old alone (50 % own, 37.5 % shared); Q2: Old and New, (50 + 60) / 2 and (37.5 + 75) / 2
        assert [p.percent for p in own.series[0].points] == [50, 55]
        assert [p.percent for p in shared.series[0].points] == [37.5, 56.25]
        assert own.series[0].points[1].versions == ("Trend test v1", "Trend test v2")
        assert shared.basis.versions == ("Trend test v1", "Trend test v2")
        assert shared.basis.shared_questions == 3
        assert shared.basis.mixed

    @pytest.mark.parametrize("common_questions", [False, True])
    def test_the_number_of_queries_does_not_grow_with_the_data(
        self, brand, other_brand, two_versions, common_questions
    ):
        v1, v2 = two_versions

        def add_projects(n: int) -> None:
            for i in range(n):
                for b in (brand, other_brand):
                    project = factories.ProjectFactory(brand=b)
                    validated(project, v1, V1_ANSWERS, D(2024, 1, 1 + i))
                    validated(project, v2, V2_ANSWERS, D(2024, 7, 1 + i))

        def queries() -> int:
            with CaptureQueriesContext(connection) as context:
                trends.brand_series(
                    [brand, other_brand],
                    QUARTERS_2024,
                    common_questions=common_questions,
                    question_set_code=str(v1.question_set.code),
                )
            return len(context.captured_queries)

        add_projects(1)
        queries()  # the versions' engine views are cached from here on
        few = queries()
        add_projects(9)
        assert queries() == few


class TestProjectSeries:
    def test_every_validated_assessment_under_its_own_version(self, project, two_versions):
        v1, v2 = two_versions
        first = validated(project, v1, V1_ANSWERS, D(2024, 2, 1))
        second = validated(project, v2, V2_ANSWERS, D(2024, 5, 1))
        factories.assessment(project, v2, answers=V2_ANSWERS, assessed_on=D(2024, 9, 1))

        trend = trends.project_series(project)

        assert [p.percent for p in trend.points] == [50, 60]
        assert [p.version for p in trend.points] == ["Trend test v1", "Trend test v2"]
        assert [p.level for p in trend.points] == ["Defined", "Defined"]
        assert [(p.core_met, p.core_total) for p in trend.points] == [(1, 1), (1, 1)]
        assert [p.previous_code for p in trend.points] == [None, str(first.code)]
        assert trend.points[1].assessment_code == str(second.code)
        assert not trend.basis.common_questions

    def test_on_shared_questions_every_assessment_is_re_scored(self, project, two_versions):
        v1, v2 = two_versions
        validated(project, v1, V1_ANSWERS, D(2024, 2, 1))
        validated(project, v2, V2_ANSWERS, D(2024, 5, 1))

        trend = trends.project_series(project, common_questions=True)

        assert [p.percent for p in trend.points] == [37.5, 75]
        assert [p.level for p in trend.points] == ["Initial", "Defined"]
        assert [p.core_total for p in trend.points] == [None, None]
        assert trend.basis.shared_questions == 3

    def test_the_stored_figures_are_read_not_recomputed(self, project, version):
        assessment = validated(project, version, YES, D(2024, 2, 1))
        assessment.score.__class__.objects.filter(pk=assessment.score.pk).update(
            overall=Decimal("0.42")
        )
        assert trends.project_series(project).points[0].percent == pytest.approx(42)

    def test_a_project_without_validated_assessments_has_an_empty_trend(self, project, version):
        factories.assessment(project, version, answers=YES)
        trend = trends.project_series(project, common_questions=True)
        assert trend.points == []
        assert trend.basis.versions == ()


class TestBrandTrendPage:
    def url(self, brand, **params) -> str:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return reverse("brand_trend", kwargs={"code": brand.code}) + (f"?{query}" if query else "")

    def test_a_viewer_reads_the_quarters(self, client, viewer, brand_history):
        brand, _ = brand_history
        client.force_login(viewer)
        response = client.get(self.url(brand))
        assert response.status_code == 200
        page = response.content.decode()
        assert "2024 Q1" in page and "2024 Q3" in page
        assert '<span class="pct">75%</span>' in page
        assert '<input type="radio" name="basis" value="own" id="id_basis_0" checked>' in page

    def test_the_shared_basis_is_a_real_choice(self, client, lead, brand, two_versions):
        v1, v2 = two_versions
        validated(factories.ProjectFactory(brand=brand), v1, V1_ANSWERS, D(2024, 2, 1))
        validated(factories.ProjectFactory(brand=brand), v2, V2_ANSWERS, D(2024, 5, 1))
        client.force_login(lead)
        code = str(v1.question_set.code)
        own = client.get(self.url(brand, set=code)).content.decode()
        shared = client.get(self.url(brand, basis="shared", set=code)).content.decode()
        assert "from different question-set versions" in own
        assert "Re-scored on the 3 questions" in shared
        assert "Trend test v1, Trend test v2" in shared

    def test_an_unknown_basis_is_refused(self, client, lead, brand):
        client.force_login(lead)
        assert client.get(self.url(brand, basis="bogus")).status_code == 400

    def test_a_brand_without_validated_assessments_says_so(self, client, lead, brand):
        client.force_login(lead)
        assert "nothing to show over time" in client.get(self.url(brand)).content.decode()

    def test_it_only_takes_get(self, client, lead, brand):
        client.force_login(lead)
        assert client.post(self.url(brand)).status_code == 405

    @pytest.mark.parametrize("role", [BrandRole.LEAD, BrandRole.VIEWER, BrandRole.DATA_SCIENTIST])
    def test_a_user_of_another_brand_gets_404(self, client, brand_history, other_brand, role):
        brand, _ = brand_history
        client.force_login(factories.member(other_brand, role))
        assert client.get(self.url(brand)).status_code == 404

    def test_the_brand_page_links_to_it(self, client, lead, brand):
        client.force_login(lead)
        page = client.get(reverse("brand_detail", kwargs={"code": brand.code})).content.decode()
        assert self.url(brand) in page


class TestProjectTrendPage:
    def url(self, project, **params) -> str:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        path = reverse("project_trend", kwargs={"code": project.code})
        return path + (f"?{query}" if query else "")

    def test_a_viewer_reads_the_history_with_links_to_what_moved(
        self, client, viewer, project, two_versions
    ):
        v1, v2 = two_versions
        first = validated(project, v1, V1_ANSWERS, D(2024, 2, 1))
        second = validated(project, v2, V2_ANSWERS, D(2024, 5, 1))
        client.force_login(viewer)
        page = client.get(self.url(project)).content.decode()
        assert "Trend test v1" in page and "Trend test v2" in page
        assert "60%" in page
        moved = reverse("assessment_moved", kwargs={"code": second.code})
        assert f"{moved}?from={first.code}" in page

    def test_on_shared_questions_it_shows_the_re_scored_figures(
        self, client, viewer, project, two_versions
    ):
        v1, v2 = two_versions
        validated(project, v1, V1_ANSWERS, D(2024, 2, 1))
        validated(project, v2, V2_ANSWERS, D(2024, 5, 1))
        client.force_login(viewer)
        page = client.get(self.url(project, basis="shared")).content.decode()
        assert "75%" in page and "38%" in page
        assert "Core statements" not in page

    def test_it_only_takes_get(self, client, lead, project):
        client.force_login(lead)
        assert client.post(self.url(project)).status_code == 405

    def test_a_user_of_another_brand_gets_404(self, client, outsider, project):
        client.force_login(outsider)
        assert client.get(self.url(project)).status_code == 404

    def test_anonymous_visitors_are_sent_to_log_in(self, client, project):
        assert client.get(self.url(project)).status_code == 302

    def test_the_project_page_links_to_it(self, client, lead, project):
        client.force_login(lead)
        page = client.get(reverse("project_detail", kwargs={"code": project.code})).content.decode()
        assert self.url(project) in page

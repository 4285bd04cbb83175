"""Figures never mix question sets: every dashboard, the common gaps, the CSV and the Excel
report are for one set, chosen in the filters (`set=<code>`), the group's main set by default.

Two sets, one brand: a project scored 0 % in the main set and another scored 100 % in the
second set. A figure that mixed them would be 50 %.
"""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from reports.builders import Scope, build
from reports.dashboards import DashboardFilters, brand_dashboard_data, group_dashboard_data
from scoring.selectors import common_gaps
from scoring.services import score_store
from surveys import question_set_format as fmt
from surveys import services
from surveys.management.commands.import_question_set import DEMO_SECOND_SET
from surveys.models import AssessmentStatus
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
ASSESSED = datetime.date(2026, 10, 5)


@pytest.fixture(autouse=True)
def _pinned_date():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC), tick=False):
        yield


def all_answered(version, option: str) -> dict[str, str]:
    return {q.key: option for q in version.questions.all() if q.applies_to == "all"}


@pytest.fixture
def second(version, group_admin):
    loaded, _ = services.question_set_import(
        spec=fmt.parse(DEMO_SECOND_SET.read_text(encoding="utf-8")), publish=True
    )
    services.question_set_activate(question_set=loaded.question_set, user=group_admin, active=True)
    return loaded


@pytest.fixture
def scored(brand, version, second):
    """In `brand`: one project at 0 % in the main set, another at 100 % in the second set."""
    in_main = factories.ProjectFactory(brand=brand, name="Main-set project", kind="batch")
    in_second = factories.ProjectFactory(brand=brand, name="Second-set project", kind="batch")
    for project, used, option in ((in_main, version, "no"), (in_second, second, "yes")):
        assessment = factories.assessment(
            project,
            used,
            status=AssessmentStatus.VALIDATED,
            answers=all_answered(used, option),
            assessed_on=ASSESSED,
        )
        score_store(assessment=assessment)
    return in_main, in_second


def filters(query=None) -> DashboardFilters:
    return DashboardFilters.parse(query or {}, today=TODAY)


def of_second(second) -> dict:
    return {"set": str(second.question_set.code)}


class TestTheFilter:
    def test_the_set_is_read_from_the_query_and_written_back(self, second):
        chosen = filters(of_second(second))
        assert chosen.question_set == str(second.question_set.code)
        assert ("set", chosen.question_set) in chosen.params()
        assert DashboardFilters.parse(dict(chosen.params()), today=TODAY) == chosen

    def test_a_bad_set_code_is_named_and_ignored(self):
        bad = filters({"set": "not-a-code"})
        assert bad.question_set is None
        assert bad.errors == (
            "set: 'not-a-code' is not a question-set code; the main set is shown.",
        )


class TestTheGroupDashboard:
    def test_by_default_only_the_main_sets_figures_count(self, scored, group_viewer):
        data = group_dashboard_data(group_viewer, filters())
        assert (data.total.overall.mean, data.total.overall.n) == (0, 1)
        assert data.versions == ["MLOps maturity assessment v1"]

    def test_the_second_set_shows_only_its_own_figures(self, scored, group_viewer, second):
        data = group_dashboard_data(group_viewer, filters(of_second(second)))
        assert (data.total.overall.mean, data.total.overall.n) == (100, 1)
        assert data.versions == ["Release check (demo) v1"]
        assert {s.key for s in data.sections} == {"release-tests", "release-watch"}

    def test_the_page_offers_the_sets_and_keeps_the_choice(
        self, client, scored, group_viewer, second
    ):
        client.force_login(group_viewer)
        page = client.get(reverse("group_dashboard"), of_second(second)).text
        assert '<select id="filter-set" name="set">' in page
        assert f'<option value="{second.question_set.code}" selected>' in page

    def test_the_csv_is_for_the_chosen_set(self, client, scored, group_viewer, second):
        client.force_login(group_viewer)
        url = reverse("group_dashboard_csv", args=["heatmap"])
        main = client.get(url).content.decode()
        other = client.get(url, of_second(second)).content.decode()
        assert "Release check" not in main and "Tests before release" not in main
        assert "Tests before release" in other
        assert "Documentation" not in other


class TestTheBrandList:
    def test_a_brands_mean_is_of_the_main_set_only(self, client, scored, group_viewer, brand):
        client.force_login(group_viewer)
        rows = {row.brand: row for row in client.get(reverse("brand_list")).context["rows"]}
        assert (rows[brand].projects, rows[brand].assessed, rows[brand].mean_percent) == (2, 1, 0)


class TestTheBrandDashboard:
    def test_a_brand_figure_never_averages_two_sets(self, scored, lead, brand, second):
        main = brand_dashboard_data(lead, brand, filters(), today=TODAY)
        other = brand_dashboard_data(lead, brand, filters(of_second(second)), today=TODAY)
        assert (main.profile[0].brand.mean, main.profile[0].brand.n) == (0, 1)
        assert (other.profile[0].brand.mean, other.profile[0].brand.n) == (100, 1)
        with_figure = [r.project.name for r in other.projects if r.overall is not None]
        assert with_figure == ["Second-set project"]

    def test_another_brand_cannot_see_it_whatever_the_set(self, client, scored, outsider, brand):
        client.force_login(outsider)
        response = client.get(reverse("brand_detail", args=[brand.code]), {"set": "x"})
        assert response.status_code == 404


class TestCommonGaps:
    def test_gaps_are_the_statements_of_one_set(self, scored, brand, version, second):
        main = common_gaps(brands=[brand], quarter_end=TODAY)
        other = common_gaps(
            brands=[brand], quarter_end=TODAY, question_set_code=str(second.question_set.code)
        )
        main_keys = {q.key for q in version.questions.all()}
        assert main.gaps and {g.key for g in main.gaps} <= main_keys
        assert other.gaps == []  # everything met in the second set
        assert other.projects == 1


class TestTheExcelReport:
    def test_the_group_workbook_is_for_the_chosen_set(self, scored, group_viewer, second):
        out = io.BytesIO()
        scope = Scope(kind="group", user=group_viewer, filters=filters(of_second(second)))
        build("xlsx", scope, out, lambda percent: None)
        out.seek(0)
        book = load_workbook(out)
        cells = {
            str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c
        }
        summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
        assert summary["Question set"] == "Release check (demo)"
        assert "release-rollback" in cells
        assert "doc-purpose" not in cells  # no answer of the main set
        projects = {row[1]: row for row in book["Projects"].iter_rows(values_only=True)}
        assert projects["Second-set project"][5] == "Ready"
        # Listed as one of the brand's projects, without a figure: it has none in this set.
        assert set(projects["Main-set project"][4:]) == {None}


def test_the_version_picker_lists_the_chosen_sets_versions(client, scored, group_viewer, second):
    client.force_login(group_viewer)
    page = client.get(reverse("group_dashboard"), of_second(second)).text
    picker = page[page.index('id="filter-version"') :]
    picker = picker[: picker.index("</select>")]
    assert "Release check (demo) v1" in picker
    assert "MLOps maturity assessment v1" not in picker


def test_the_product_line_view_is_for_one_set(client, scored, group_viewer, second):
    line = factories.ProductLineFactory(name="Release line")
    for project in scored:
        project.product_line = line
        project.save(update_fields=["product_line"])
    client.force_login(group_viewer)
    url = reverse("product_line_detail", args=[line.code])
    main = client.get(url).text
    other = client.get(url, of_second(second)).text
    assert "Documentation" in main and "Tests before release" not in main
    assert "Tests before release" in other and "Documentation" not in other
    assert f'<option value="{second.question_set.code}" selected>' in other
    csv = client.get(reverse("product_line_csv", args=[line.code]), of_second(second))
    assert "Tests before release" in csv.content.decode()


# --- the brand's trend, benchmark and common-gaps pages -------------------------------------


def test_the_brand_trend_is_for_one_set(client, scored, lead, brand, second):
    client.force_login(lead)
    url = reverse("brand_trend", args=[brand.code])
    main = client.get(url)
    other = client.get(url, of_second(second))
    assert [p.percent for p in main.context["points"]] == [0.0]  # 2026 Q4 so far
    assert [p.percent for p in other.context["points"]] == [100.0]
    assert all(p.projects == 1 for p in main.context["points"] + other.context["points"])
    assert f'<option value="{second.question_set.code}" selected>' in other.text


def test_the_benchmark_is_for_one_set(client, scored, lead, brand, second):
    client.force_login(lead)
    url = reverse("brand_benchmark", args=[brand.code])
    main = client.get(url).context["benchmark"]
    other = client.get(url, of_second(second)).context["benchmark"]
    assert [(p.project.name, p.percent) for p in main.projects if p.percent is not None] == [
        ("Main-set project", 0.0)
    ]
    assert [(p.project.name, p.percent) for p in other.projects if p.percent is not None] == [
        ("Second-set project", 100.0)
    ]


def test_the_common_gaps_pages_are_for_one_set(client, scored, lead, group_viewer, brand, second):
    client.force_login(lead)
    url = reverse("brand_gaps", args=[brand.code])
    main = client.get(url).context["report"]
    other = client.get(url, of_second(second)).context["report"]
    assert main.projects == other.projects == 1
    assert main.gaps and not other.gaps  # all "no" in the main set, all "yes" in the second
    second_keys = set(second.questions.values_list("key", flat=True))
    assert not {g.key for g in main.gaps} & second_keys

    client.force_login(group_viewer)
    group = client.get(reverse("group_gaps"), of_second(second)).context["report"]
    assert group.projects == 1 and not group.gaps


@pytest.mark.parametrize("name", ["brand_trend", "brand_benchmark", "brand_gaps"])
def test_an_unknown_set_is_refused_with_a_message(client, scored, lead, brand, name):
    client.force_login(lead)
    response = client.get(reverse(name, args=[brand.code]), {"set": "no-such-set"})
    assert response.status_code == 400
    assert "one of the question sets" in response.text


@pytest.mark.parametrize("name", ["brand_trend", "brand_benchmark", "brand_gaps"])
def test_the_main_set_can_be_chosen_by_its_code_too(
    client, scored, lead, brand, second, group_admin, name
):
    """A link that names the main set keeps working (and shows the same) after it becomes main."""
    services.question_set_make_main(question_set=second.question_set, user=group_admin)
    client.force_login(lead)
    url = reverse(name, args=[brand.code])
    by_code = client.get(url, of_second(second))
    by_default = client.get(url)
    assert by_code.status_code == by_default.status_code == 200
    assert f'<option value="{second.question_set.code}" selected>' in by_code.text
    assert "(the group&#x27;s main set)" in by_default.text

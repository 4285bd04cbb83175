"""A project assessed against several sets: its PDF and Excel reports are of one set, the one
asked for (the page's `?set=`, passed on by its Download report form) or, by default, the one
the page shows first; figures, history, points and plan never mix sets."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from reports.builders import Scope, build
from reports.builders.pdf import render_html
from reports.dashboards import DashboardFilters
from scoring.services import score_store
from surveys import question_set_format as fmt
from surveys import services
from surveys.management.commands.import_question_set import TEST_RUBRIC_SET
from surveys.models import AssessmentStatus
from tests import factories

TODAY = datetime.date(2026, 11, 10)  # before the pinned clock (tests/conftest.py)
RUBRIC = fmt.parse(TEST_RUBRIC_SET.read_text(encoding="utf-8"))


@pytest.fixture
def rubric(version, group_admin):
    loaded, _ = services.question_set_import(spec=RUBRIC, publish=True)
    services.question_set_activate(question_set=loaded.question_set, user=group_admin, active=True)
    return loaded


@pytest.fixture
def assessed(project, version, rubric):
    """The main set validated in September (all Yes), the rubric in October (2.5 of 7)."""
    main = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers={q.key: "yes" for q in version.questions.all()},
        assessed_on=datetime.date(2026, 9, 1),
    )
    score_store(assessment=main)
    plans = (
        ["automated"] * 5 + ["not-done"] * 2,
        ["automated"] + ["manual"] * 3 + ["not-done"] * 3,
        ["automated"] * 7,
        ["automated"] * 3 + ["manual"] * 2 + ["not-done"] * 2,
    )
    answers = {}
    for section, plan in zip(RUBRIC.sections, plans, strict=True):
        answers |= {q.key: o for q, o in zip(section.questions, plan, strict=True)}
    tested = factories.assessment(
        project,
        rubric,
        status=AssessmentStatus.VALIDATED,
        answers=answers,
        assessed_on=datetime.date(2026, 10, 1),
    )
    score_store(assessment=tested)
    return main, tested


def scope(user, project, query: dict) -> Scope:
    return Scope(
        kind="project",
        user=user,
        filters=DashboardFilters.parse(query, today=TODAY),
        brand=project.brand,
        project=project,
        today=TODAY,
    )


def workbook(user, project, query: dict):
    out = io.BytesIO()
    build("xlsx", scope(user, project, query), out, lambda percent: None)
    out.seek(0)
    book = openpyxl.load_workbook(out)
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    history = list(book["History"].iter_rows(values_only=True))
    return summary, history


@pytest.mark.django_db
class TestTheExcelReport:
    def test_the_rubric_asked_for_gives_only_the_rubrics_figures(
        self, viewer, project, rubric, assessed
    ):
        summary, history = workbook(viewer, project, {"set": str(rubric.question_set.code)})
        assert summary["Question-set versions"] == "ML test rubric v1"
        assert summary["Overall"] == "35.7%"
        assert summary["Points"] == "2.5 of 7"
        assert summary["Level"] == "Reasonably tested"
        rows = [r for r in history[1:] if r[0]]
        assert [r[3] for r in rows] == ["ML test rubric v1"]
        assert rows[0][5] == "2.5 of 7"

    def test_the_main_set_asked_for_gives_only_its_figures(
        self, viewer, project, version, assessed
    ):
        summary, history = workbook(viewer, project, {"set": str(version.question_set.code)})
        assert summary["Overall"] == "100.0%"
        assert "Points" not in summary
        rows = [r for r in history[1:] if r[0]]
        assert {r[3] for r in rows} == {f"{version.question_set.name} v1"}
        # No Points column for a set shown in percentages, and no move from another set.
        assert "Points" not in history[0]

    def test_without_a_set_it_is_the_set_of_the_newest_assessment_as_on_the_page(
        self, viewer, project, assessed
    ):
        summary, _ = workbook(viewer, project, {})
        assert summary["Question-set versions"] == "ML test rubric v1"


@pytest.mark.django_db
class TestThePdfReport:
    def test_it_shows_the_set_asked_for_in_points(self, viewer, project, rubric, assessed):
        html = render_html(scope(viewer, project, {"set": str(rubric.question_set.code)}), TODAY)
        assert '<td class="num" id="project-points">2.5 of 7</td>' in html
        assert "Reasonably tested" in html

    def test_the_main_set_shows_no_points(self, viewer, project, version, assessed):
        html = render_html(scope(viewer, project, {"set": str(version.question_set.code)}), TODAY)
        assert 'id="project-points"' not in html
        assert "ML test rubric" not in html


@pytest.mark.django_db
def test_the_project_pages_report_form_asks_for_the_set_shown(
    client, viewer, project, version, rubric, assessed
):
    client.force_login(viewer)
    url = reverse("project_detail", args=[project.code])
    page = client.get(url, {"set": str(version.question_set.code)}).text
    assert f'name="filters" value="set={version.question_set.code}"' in page
    page = client.get(url).text
    assert f'name="filters" value="set={rubric.question_set.code}"' in page


@pytest.fixture
def earlier_rubric(project, rubric, assessed):
    """A rubric assessment before the October one: every test automated (7 of 7)."""
    earlier = factories.assessment(
        project,
        rubric,
        status=AssessmentStatus.VALIDATED,
        answers={q.key: "automated" for q in RUBRIC.questions},
        assessed_on=datetime.date(2026, 8, 1),
    )
    score_store(assessment=earlier)
    return earlier


@pytest.mark.django_db
class TestPagesShowTheRubricConsistently:
    def test_the_project_pages_set_lines_show_points_beside_the_rubrics_figure(
        self, client, viewer, project, version, assessed
    ):
        client.force_login(viewer)
        page = client.get(reverse("project_detail", args=[project.code])).text
        line = page.split('class="plain set-blocks"')[1].split("</ul>")[0]
        assert '<span class="pct">36%</span> · 2.5 of 7 points (Reasonably tested)' in line
        assert '<span class="pct">100%</span> (Optimised)' in line
        assert line.count(" points") == 1

    def test_no_core_statements_is_said_so_not_0_of_0(self, client, viewer, project, assessed):
        client.force_login(viewer)
        _, tested = assessed
        detail = client.get(reverse("assessment_detail", args=[tested.code])).text
        assert "This set marks no statement as core." in detail
        assert "0 of 0" not in detail
        page = client.get(reverse("project_detail", args=[project.code])).text
        assert "no core statements in this set" in page
        assert "0 of 0" not in page

    def test_moves_are_in_percentage_points_with_the_points_before_and_after(
        self, client, viewer, project, assessed, earlier_rubric
    ):
        client.force_login(viewer)
        _, tested = assessed
        detail = client.get(reverse("assessment_detail", args=[tested.code])).text
        assert "-64.3 percentage points" in detail
        assert "in points 7 of 7 → 2.5 of 7" in detail
        moved = client.get(reverse("assessment_moved", args=[tested.code])).text
        assert "In points: 7 of 7 → <strong>2.5 of 7</strong>" in moved
        assert '<td class="num points">7 of 7</td><td class="num points">5 of 7</td>' in moved
        page = client.get(reverse("project_detail", args=[project.code])).text
        assert "-64.3 percentage points</strong> overall" in page

    def test_the_main_sets_moves_stay_in_points(self, client, viewer, project, version):
        first, second = (
            factories.assessment(
                project,
                version,
                status=AssessmentStatus.VALIDATED,
                answers={q.key: answer for q in version.questions.all()},
                assessed_on=day,
            )
            for answer, day in (("no", datetime.date(2026, 8, 1)), ("yes", TODAY))
        )
        score_store(assessment=first)
        score_store(assessment=second)
        client.force_login(viewer)
        moved = client.get(reverse("assessment_moved", args=[second.code])).text
        assert "+100.0 points" in moved
        assert "percentage points" not in moved and "In points:" not in moved


@pytest.mark.django_db
class TestTheVersionPage:
    def test_the_rubrics_levels_are_written_in_points_too_and_it_takes_no_na(
        self, client, viewer, rubric
    ):
        client.force_login(viewer)
        page = client.get(reverse("version_detail", args=[rubric.code])).text
        assert "No N/A: every statement takes one of the answers above." in page
        assert "<strong>Basic productionisation</strong> above 14.2861% (1 of 7 points)" in page
        assert "<strong>First tests in place</strong> above 0.0001% (0 of 7 points)" in page
        assert "<strong>Strong automated testing</strong> above 71.4291% (5 of 7 points)" in page

    def test_a_set_in_percentages_has_no_points_and_keeps_na(self, client, viewer, version):
        client.force_login(viewer)
        page = client.get(reverse("version_detail", args=[version.code])).text
        assert " points)" not in page
        assert "<strong>N/A</strong> (with a reason)" in page

    def test_the_maximum_is_fixed_only_when_every_assessment_has_the_same(self, rubric, version):
        from dataclasses import replace

        from surveys.selectors import fixed_max_points

        assert fixed_max_points(rubric) == 7
        assert fixed_max_points(version) is None  # shown in percentages
        sections = list(RUBRIC.sections)
        first = sections[0]
        one_realtime = replace(
            first,
            questions=(replace(first.questions[0], applies_to="realtime"), *first.questions[1:]),
        )
        for changed in (
            replace(RUBRIC, key="r-kind", sections=(one_realtime, *sections[1:])),
            replace(
                RUBRIC,
                key="r-short",
                sections=(*sections[:3], replace(sections[3], questions=sections[3].questions[:6])),
            ),
            replace(
                RUBRIC,
                key="r-na",
                na_allowed=True,
                sections=tuple(
                    replace(s, questions=tuple(replace(q, na_allowed=True) for q in s.questions))
                    for s in sections
                ),
            ),
        ):
            loaded, _ = services.question_set_import(spec=changed, publish=True)
            assert fixed_max_points(loaded) is None, changed.key
        summed, _ = services.question_set_import(
            spec=replace(RUBRIC, key="r-sum", aggregation="weighted_mean"), publish=True
        )
        assert fixed_max_points(summed) == 28


@pytest.mark.django_db
def test_the_rubrics_excel_report_writes_its_bands_and_moves_without_ambiguity(
    viewer, project, rubric, assessed, earlier_rubric
):
    summary, history = workbook(viewer, project, {"set": str(rubric.question_set.code)})
    assert summary["Research project"] == "from 0% up to 0.0001% included"
    assert summary["Basic productionisation"] == "above 14.2861% up to 28.5715% included"
    assert summary["Strong automated testing"] == "above 71.4291% up to 100%"
    header = list(history[0])
    moved = header.index("Change since the previous validated (percentage points)")
    core = header.index("Core statements met")
    rows = [r for r in history[1:] if r[0]]
    assert [r[5] for r in rows] == ["7 of 7", "2.5 of 7"]
    assert rows[1][moved] == pytest.approx(-64.286, abs=0.001)
    assert [r[core] for r in rows] == [None, None]  # no core statements: empty, not 0

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

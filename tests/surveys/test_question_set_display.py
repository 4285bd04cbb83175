"""A question set shown in points (`display: points`): YAML and Excel both ways, stored with
the version, compared by "What changed", and shown beside the percentages where one
assessment's figure is: the assessment page, the project page and the project reports."""

import datetime
import io
from dataclasses import replace

import openpyxl
import pytest
from django.urls import reverse

from reports.builders import Scope, build
from reports.builders.pdf import render_html
from reports.dashboards import DashboardFilters
from scoring import engine
from scoring.selectors import assessment_result
from scoring.services import score_store
from surveys import question_set_excel as qx
from surveys import question_set_format as fmt
from surveys import selectors, services
from surveys.models import AssessmentStatus
from surveys.question_set_diff import diff
from tests import factories

TODAY = datetime.date(2026, 11, 10)  # before the pinned clock (tests/conftest.py)


def rubric_text(display: str = "points") -> str:
    """Two sections of seven tests scoring 0, 0.5 or 1; the weakest section sets the score."""
    lines = [
        "key: test-rubric",
        "name: A test rubric",
        "aggregation: min_section",
        f"display: {display}",
        "scale:",
        "  - {key: automated, label: Automated, score: 1}",
        "  - {key: manual, label: Manual, score: 0.5}",
        "  - {key: none, label: Not done, score: 0}",
        "levels:",
        "  - {name: Starting, min: 0}",
        "  - {name: Ready, min: 50}",
        "sections:",
    ]
    for section in ("data", "model"):
        lines += [
            f"  - key: {section}",
            f"    title: {section.capitalize()} tests",
            "    questions:",
        ]
        lines += [
            f"      - {{key: {section}-{i}, text: Test {i} of the {section} holds.}}"
            for i in range(1, 8)
        ]
    return "\n".join(lines) + "\n"


RUBRIC = rubric_text()
# data: 5 of 7; model: 2.5 of 6 (one test N/A), the weakest, so the score is 2.5 of 6.
ANSWERS = {f"data-{i}": "automated" for i in range(1, 6)} | {"data-6": "none", "data-7": "none"}
ANSWERS |= {"model-1": "automated", "model-2": "manual", "model-3": "manual", "model-4": "manual"}
ANSWERS |= {"model-5": "none", "model-6": "none", "model-7": "na"}


class TestTheFormat:
    def test_it_is_read_and_round_trips_through_yaml_and_excel(self):
        spec = fmt.parse(RUBRIC)
        assert spec.display == "points"
        assert fmt.parse(fmt.to_yaml(spec)) == spec
        back = qx.read_bytes(qx.write_workbook(spec)).spec
        assert back == spec
        assert fmt.to_yaml(back) == fmt.to_yaml(spec)

    def test_percent_is_the_default_and_is_not_written(self):
        spec = fmt.parse(rubric_text().replace("display: points\n", ""))
        assert spec.display == "percent"
        assert "display" not in fmt.to_yaml(spec)
        assert fmt.parse(rubric_text("percent")) == spec
        assert qx.read_bytes(qx.write_workbook(spec)).spec == spec

    def test_a_bad_value_is_refused_with_its_line(self):
        with pytest.raises(fmt.QuestionSetError) as caught:
            fmt.parse(rubric_text("stars"))
        assert "line 4, question set: display 'stars' is not one of percent, points" in str(
            caught.value
        )

    def test_a_bad_value_in_the_workbook_names_its_cell(self):
        workbook = openpyxl.load_workbook(io.BytesIO(qx.write_workbook(fmt.parse(RUBRIC))))
        about = workbook["About"]
        [row] = [r for r in about.iter_rows() if r[0].value == "Display"]
        row[1].value = "stars"
        out = io.BytesIO()
        workbook.save(out)
        with pytest.raises(fmt.QuestionSetError) as caught:
            qx.read_bytes(out.getvalue())
        assert f"About, row {row[0].row}, Display: display 'stars' is not one of" in str(
            caught.value
        )


@pytest.fixture
def rubric(version, group_admin):
    loaded, _ = services.question_set_import(spec=fmt.parse(RUBRIC), publish=True)
    services.question_set_activate(question_set=loaded.question_set, user=group_admin, active=True)
    return loaded


@pytest.fixture
def scored(rubric, project):
    assessment = factories.assessment(
        project, rubric, status=AssessmentStatus.VALIDATED, answers=ANSWERS, assessed_on=TODAY
    )
    score_store(assessment=assessment)
    return assessment


@pytest.mark.django_db
class TestStored:
    def test_the_version_keeps_it_and_gives_it_back(self, rubric):
        assert rubric.display == "points"
        assert selectors.version_as_spec(rubric) == fmt.parse(RUBRIC)

    def test_a_new_draft_from_the_version_keeps_it(self, rubric, group_admin):
        draft = services.version_draft_copy(version=rubric, user=group_admin)
        assert draft.display == "points"

    def test_the_version_page_says_it(self, client, viewer, rubric, version):
        client.force_login(viewer)
        page = client.get(reverse("version_detail", args=[rubric.code])).text
        assert "Figures shown: in points beside percentages" in page
        other = client.get(reverse("version_detail", args=[version.code])).text
        assert "Figures shown: in percentages." in other

    def test_what_changed_names_it(self, client, group_admin, rubric):
        before = fmt.parse(RUBRIC)
        after = replace(before, display="percent")
        changes = diff(before, after)
        assert changes.display_changed and not changes.is_empty
        assert diff(before, before).is_empty
        draft = services.version_draft_upload(
            question_set=rubric.question_set, user=group_admin, text=fmt.to_yaml(after)
        )
        client.force_login(group_admin)
        page = client.get(reverse("version_diff", args=[draft.code])).text
        assert (
            "Figures shown: <del>in points beside percentages</del> → <ins>in percentages</ins>"
            in page
        )


@pytest.mark.django_db
class TestShownBesideThePercentages:
    def test_the_engine_gives_the_weakest_sections_points(self, scored):
        result = assessment_result(scored)
        assert engine.format_points(result.points, result.max_points) == "2.5 of 6"
        assert result.sections["model"].max_points == 6  # the N/A test is left out
        assert engine.format_points(
            result.sections["data"].points, result.sections["data"].max_points
        ) == ("5 of 7")

    def test_the_assessment_page(self, client, viewer, scored):
        client.force_login(viewer)
        url = reverse("assessment_detail", args=[scored.code])
        page = client.get(url).text
        # model: 2.5 of 6 (one test N/A) is weaker than data's 5 of 7.
        assert (
            '<span class="pct">42%</span>\n <span class="points">· 2.5 of 6 points</span>' in page
        )
        assert '<td class="num points">5 of 7</td>' in page
        assert '<td class="num points">2.5 of 6</td>' in page
        assert client.post(url).status_code == 405

    def test_the_project_page(self, client, viewer, scored, project):
        client.force_login(viewer)
        url = reverse("project_detail", args=[project.code])
        page = client.get(url).text
        assert "<strong>2.5 of 6 points</strong>" in page
        assert '<th scope="col" class="num">Points</th>' in page
        assert '<td class="num points">2.5 of 6</td>' in page
        assert client.post(url).status_code == 405

    def test_a_percent_set_shows_no_points(self, client, viewer, project, version):
        keys = version.questions.values_list("key", flat=True)
        option = version.options.order_by("-score").first().key
        assessment = factories.assessment(
            project,
            version,
            status=AssessmentStatus.VALIDATED,
            answers=dict.fromkeys(keys, option),
            assessed_on=TODAY,
        )
        score_store(assessment=assessment)
        client.force_login(viewer)
        page = client.get(reverse("assessment_detail", args=[assessment.code])).text
        assert 'class="points"' not in page
        page = client.get(reverse("project_detail", args=[project.code])).text
        assert '<th scope="col" class="num">Points</th>' not in page

    def test_another_brands_user_gets_404(self, client, outsider, scored, project):
        client.force_login(outsider)
        assert client.get(reverse("assessment_detail", args=[scored.code])).status_code == 404
        assert client.get(reverse("project_detail", args=[project.code])).status_code == 404

    def _scope(self, user, project) -> Scope:
        return Scope(
            kind="project",
            user=user,
            filters=DashboardFilters.parse({}, today=TODAY),
            brand=project.brand,
            project=project,
            today=TODAY,
        )

    def test_the_project_workbook(self, viewer, scored, project):
        out = io.BytesIO()
        build("xlsx", self._scope(viewer, project), out, lambda percent: None)
        out.seek(0)
        workbook = openpyxl.load_workbook(out)
        result = assessment_result(scored)
        expected = engine.format_points(result.points, result.max_points)
        summary = dict(row[:2] for row in workbook["Summary"].iter_rows(values_only=True) if row[0])
        assert summary["Points"] == expected == "2.5 of 6"
        header, *body = list(workbook["History"].iter_rows(values_only=True))
        history = [dict(zip(header, row, strict=True)) for row in body]
        assert header.index("Points") == header.index("Overall") + 1
        assert [r["Points"] for r in history] == [expected]
        assert history[0]["Overall"] == pytest.approx(result.overall, abs=1e-5)

    def test_the_project_pdf(self, viewer, scored, project):
        html = render_html(self._scope(viewer, project), TODAY)
        assert '<td class="num" id="project-points">2.5 of 6</td>' in html

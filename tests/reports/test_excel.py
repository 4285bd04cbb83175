"""The Excel workbooks: figures equal the engine's for the same scope, cells are typed and
safe, sheets are navigable, and a brand's members never see another brand's projects."""

import datetime
import io
import statistics

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from openpyxl import load_workbook

from brands.models import BrandRole, GroupRole
from reports.builders import Scope, build
from reports.builders.excel_sheets import MAX_CELL_TEXT, safe_text
from reports.charts import level_colours
from reports.csv_export import csv_cell
from reports.dashboards import DashboardFilters
from scoring.models import ImprovementAction
from scoring.selectors import common_gaps, project_plan
from scoring.services import score_store
from surveys.models import Answer, AssessmentStatus, Section
from tests import factories
from tests.reports.dashboard_data import mean, recomputed

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 6, 20)  # 2025 Q2 so far: figures as of today (docs/scoring.md)
AS_OF = TODAY
EARLIER = D(2025, 2, 10)  # 2025 Q1
LATER = D(2025, 5, 10)
INJECTION = '=HYPERLINK("https://evil.example","click")'

GROUP_SHEETS = [
    "Summary",
    "Heatmap",
    "Trend",
    "Projects",
    "Answers",
    "Improvement actions",
    "Common gaps",
]
PROJECT_SHEETS = [
    "Summary",
    "Sections",
    "History",
    "Answers",
    "Improvement plan",
    "Improvement actions",
]


def answers_for(version, seed: int) -> dict[str, str]:
    """Every statement answered; the pattern differs by seed so that figures differ."""
    choices = ("yes", "partly", "no", "yes", "yes", "na")
    return {
        key: choices[(i * 7 + seed) % len(choices)]
        for i, key in enumerate(version.questions.order_by("order").values_list("key", flat=True))
    }


def scored(project, version, seed, on, status=AssessmentStatus.VALIDATED):
    assessment = factories.assessment(
        project, version, status=status, answers=answers_for(version, seed), assessed_on=on
    )
    score_store(assessment=assessment)
    return assessment


@pytest.fixture
def world(version, brand, other_brand, project):
    """Three brands: Acme (three projects), Other Foods (two), Third Mart (two),
    each project assessed in Q1 and Q2, one Acme project never assessed."""
    third = factories.BrandFactory(name="Third Mart")
    acme = [
        project,
        factories.ProjectFactory(brand=brand, name="Demand planner", kind="batch"),
        factories.ProjectFactory(brand=brand, name="Not assessed yet", kind="batch"),
    ]
    others = [
        factories.ProjectFactory(brand=other_brand, name="Secret pricing", kind="batch"),
        factories.ProjectFactory(brand=other_brand, name="Hidden churn", kind="realtime"),
        factories.ProjectFactory(brand=third, name="Private offers", kind="both"),
        factories.ProjectFactory(brand=third, name="Closed basket", kind="batch"),
    ]
    latest = {}
    for seed, p in enumerate(acme[:2] + others):
        scored(p, version, seed, EARLIER)
        latest[p.pk] = scored(p, version, seed + 3, LATER)
    # A formula-like comment typed by a user, and a newer draft that must not count.
    answer = Answer.objects.filter(assessment=latest[project.pk]).order_by("question__order")[0]
    answer.comment = INJECTION
    answer.evidence_url = "https://wiki.example/runbook"
    answer.save()
    factories.assessment(project, version, answers=answers_for(version, 5), assessed_on=TODAY)
    user = factories.UserFactory(username="action-owner", first_name="Ada", last_name="Owner")
    ImprovementAction.objects.create(
        project=project,
        question_key=answer.question.key,
        question_text=answer.question.text,
        title="+44 call the on-call team",
        owner=user,
        due_on=D(2025, 9, 1),
    )
    return {
        "brands": [brand, other_brand, third],
        "acme": acme,
        "others": others,
        "latest": latest,
        "answer": answer,
    }


def filters(query=None) -> DashboardFilters:
    return DashboardFilters.parse(query or {}, today=TODAY)


def workbook(scope: Scope, progress=None):
    out = io.BytesIO()
    build("xlsx", scope, out, progress or (lambda percent: None))
    out.seek(0)
    return load_workbook(out)


def rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def table(ws) -> list[dict]:
    header, *body = rows(ws)
    return [dict(zip(header, row, strict=True)) for row in body]


def approx(expected):
    """Stored scores keep five decimals of a fraction: equal to the engine's within 0.001 points."""
    return pytest.approx(expected, abs=1e-3)


def percent(value) -> float | None:
    """A workbook fraction back in the dashboards' 0..100."""
    return None if value is None else value * 100


def every_text(wb) -> str:
    return "\n".join(
        str(value) for ws in wb.worksheets for row in rows(ws) for value in row if value is not None
    )


def section_titles(version) -> dict[str, str]:
    return dict(Section.objects.filter(version=version).values_list("key", "title"))


def group_scope(user, query=None) -> Scope:
    return Scope(kind="group", user=user, filters=filters(query), today=TODAY)


def brand_scope(user, brand, query=None) -> Scope:
    return Scope(kind="brand", user=user, filters=filters(query), brand=brand, today=TODAY)


def project_scope(user, project) -> Scope:
    return Scope(
        kind="project",
        user=user,
        filters=filters(),
        brand=project.brand,
        project=project,
        today=TODAY,
    )


class TestGroupWorkbook:
    def test_it_has_the_sheets_and_reports_progress_up_to_done(self, world, group_viewer):
        seen = []
        wb = workbook(group_scope(group_viewer), seen.append)
        assert wb.sheetnames == GROUP_SHEETS
        assert seen == sorted(seen) and seen[-1] == 100

    def test_heatmap_figures_are_the_engines_means(self, world, group_viewer, version):
        wb = workbook(group_scope(group_viewer))
        titles = section_titles(version)
        heat = {row["Brand"]: row for row in table(wb["Heatmap"])}
        all_projects = world["acme"] + world["others"]
        for brand in [*world["brands"], None]:
            projects = [p for p in all_projects if brand is None or p.brand_id == brand.pk]
            results = recomputed(projects, AS_OF)
            row = heat[brand.name if brand else "All brands"]
            assert row["Projects"] == len(results)
            assert percent(row["Overall"]) == approx(mean(r.percent for r in results.values()))
            for key, title in titles.items():
                expected = mean(r.sections[key].percent for r in results.values())
                assert percent(row[title]) == approx(expected), (brand, key)

    def test_trend_has_each_quarters_figures_and_a_line_chart(self, world, group_viewer):
        wb = workbook(group_scope(group_viewer))
        ws = wb["Trend"]
        trend = {row["Quarter"]: row for row in table(ws)}
        all_projects = world["acme"] + world["others"]
        for label, day in (("2025 Q1", D(2025, 3, 31)), ("2025 Q2 (so far)", AS_OF)):
            results = recomputed(all_projects, day)
            assert percent(trend[label]["All brands"]) == approx(
                mean(r.percent for r in results.values())
            )
            assert trend[label]["All brands (projects)"] == len(results)
            assert trend[label]["Figures at"].date() == day
        assert trend["2024 Q4"]["All brands"] is None  # no figure yet, never zero
        assert len(ws._charts) == 1
        chart = ws._charts[0]
        assert chart.tagname == "lineChart"
        assert len(chart.series) == len(world["brands"]) + 1

    def test_project_rows_are_the_engines_figures(self, world, group_viewer, version):
        wb = workbook(group_scope(group_viewer))
        titles = section_titles(version)
        projects = {row["Project"]: row for row in table(wb["Projects"])}
        assert len(projects) == len(world["acme"]) + len(world["others"])
        results = recomputed(world["acme"] + world["others"], AS_OF)
        for p in world["acme"] + world["others"]:
            row = projects[p.name]
            assert row["Brand"] == p.brand.name
            if p.pk not in results:
                assert row["Overall"] is None and row["Level"] is None
                continue
            assert percent(row["Overall"]) == approx(results[p.pk].percent)
            assert row["Level"] == results[p.pk].level
            assert row["Last assessed"].date() == LATER
            assert row["Status"] == "Validated"
            for key, title in titles.items():
                assert percent(row[title]) == approx(results[p.pk].sections[key].percent)

    def test_answers_are_those_of_each_projects_latest_validated_assessment(
        self, world, group_viewer
    ):
        wb = workbook(group_scope(group_viewer))
        answers = table(wb["Answers"])
        latest = world["latest"].values()
        assert len(answers) == Answer.objects.filter(assessment__in=latest).count()
        assert {(r["Project"], r["Assessed on"].date()) for r in answers} == {
            (a.project.name, LATER) for a in latest
        }
        answer = world["answer"]
        row = next(
            r
            for r in answers
            if r["Project"] == answer.assessment.project.name
            and r["Question key"] == answer.question.key
        )
        assert row["Statement"] == answer.question.text
        assert row["Answer"] == (answer.option.label if answer.option_id else "N/A")
        assert row["Evidence link"] == "https://wiki.example/runbook"
        na = next(r for r in answers if r["Answer"] == "N/A")
        assert na["N/A reason"] == "Not relevant here"

    def test_a_formula_typed_by_a_user_comes_out_as_text(self, world, group_viewer):
        wb = workbook(group_scope(group_viewer))
        ws = wb["Answers"]
        header = [c.value for c in ws[1]]
        cells = [row[header.index("Comment")] for row in ws.iter_rows(min_row=2)]
        typed = [c for c in cells if c.value and "HYPERLINK" in c.value]
        assert len(typed) == 1
        assert typed[0].data_type == "s"
        assert typed[0].value == "'" + INJECTION
        actions = table(wb["Improvement actions"])
        assert actions[0]["Action"] == "'+44 call the on-call team"
        # No cell anywhere holds a formula.
        assert not [
            c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"
        ]

    def test_cells_are_typed(self, world, group_viewer):
        wb = workbook(group_scope(group_viewer))
        project = next(
            r for r in wb["Projects"].iter_rows(min_row=2) if r[1].value == "Cross-sell API"
        )
        header = [c.value for c in wb["Projects"][1]]
        overall = project[header.index("Overall")]
        assert overall.data_type == "n" and overall.number_format == "0.0%"
        assert 0 < overall.value <= 1
        assessed = project[header.index("Last assessed")]
        assert assessed.is_date and assessed.value.date() == LATER
        core = project[header.index("Core statements met")]
        assert isinstance(core.value, int)
        answers = wb["Answers"]
        header = [c.value for c in answers[1]]
        first = [c for c in answers[2]]
        answered_on = first[header.index("Answered on")]
        days = {
            timezone.localtime(at).date()
            for at in Answer.objects.values_list("answered_at", flat=True)
        }
        assert answered_on.is_date and answered_on.value.date() in days
        assert first[header.index("Core")].data_type == "b"

    def test_headers_are_frozen_and_filtered_with_sensible_widths(self, world, group_viewer):
        wb = workbook(group_scope(group_viewer))
        for name in GROUP_SHEETS[1:]:
            ws = wb[name]
            assert ws.freeze_panes == "A2", name
            last = ws.max_column
            assert ws.auto_filter.ref == f"A1:{ws.cell(1, last).column_letter}{ws.max_row}", name
            for letter in ("A", "B"):
                assert 6 <= ws.column_dimensions[letter].width <= 100, name

    def test_heatmap_colours_are_the_dashboards_level_bands(self, world, group_viewer, version):
        wb = workbook(group_scope(group_viewer))
        ws = wb["Heatmap"]
        ranges = list(ws.conditional_formatting)
        assert len(ranges) == 1
        rules = ranges[0].rules
        bands = list(version.levels.all())
        expected = {round(minimum / 100, 9): colour for minimum, colour in level_colours(bands)}
        coloured = {
            float(rule.formula[0]): rule.dxf.fill.fgColor.rgb[-6:].lower()
            for rule in rules
            if rule.type == "cellIs"
        }
        assert coloured == {m: c.lstrip("#") for m, c in expected.items()}
        assert rules[0].type == "containsBlanks"  # empty cells stay white
        first_section = ws.cell(1, 4).column_letter
        assert str(ranges[0].sqref).startswith("C2:")
        assert first_section == "D"

    def test_common_gaps_are_scorings(self, world, group_viewer):
        wb = workbook(group_scope(group_viewer))
        gaps = common_gaps(brands=world["brands"], quarter_end=AS_OF)
        rows_ = [r for r in table(wb["Common gaps"]) if r["Movement"] != "closed"]
        assert [(r["Question key"], r["Rank"], r["Projects not meeting it"]) for r in rows_] == [
            (g.key, g.rank, g.unmet) for g in gaps.gaps
        ]
        assert percent(rows_[0]["Share not meeting it"]) == approx(gaps.gaps[0].percent)

    def test_filters_narrow_the_figures_and_are_said_in_words(self, world, group_viewer):
        wb = workbook(group_scope(group_viewer, {"kind": "batch"}))
        summary = dict(rows(wb["Summary"])[1:])
        assert summary["Kinds"] == "batch"
        projects = table(wb["Projects"])
        assert {r["Kind"] for r in projects} == {"Batch"}
        batch = [p for p in world["acme"] + world["others"] if p.kind == "batch"]
        results = recomputed(batch, AS_OF)
        total = next(r for r in table(wb["Heatmap"]) if r["Brand"] == "All brands")
        assert percent(total["Overall"]) == approx(mean(r.percent for r in results.values()))

    def test_brand_roles_cannot_have_the_group_workbook(self, world, lead):
        out = io.BytesIO()
        with pytest.raises(PermissionDenied):
            build("xlsx", group_scope(lead), out, lambda percent: None)
        assert out.getvalue() == b""  # nothing half-written


class TestBrandWorkbook:
    def test_a_brand_member_sees_no_other_brands_project(self, world, brand):
        viewer = factories.member(brand, BrandRole.VIEWER, username="brand-viewer")
        wb = workbook(brand_scope(viewer, brand))
        assert wb.sheetnames == GROUP_SHEETS
        text = every_text(wb)
        for p in world["others"]:
            assert p.name not in text
        for other in world["brands"][1:]:
            assert other.name not in text
        assert "Cross-sell API" in text and "Demand planner" in text

    def test_other_brands_appear_as_quartiles_of_their_projects(self, world, lead, version):
        wb = workbook(brand_scope(lead, world["brands"][0]))
        heat = {row["Project or group"]: row for row in table(wb["Heatmap"])}
        others = recomputed(world["others"], AS_OF)
        values = sorted(r.percent for r in others.values())
        lower, median, upper = statistics.quantiles(values, n=4, method="inclusive")
        assert heat["Other brands' projects: median"]["Projects"] == len(values)
        assert percent(heat["Other brands' projects: median"]["Overall"]) == approx(median)
        assert percent(heat["Other brands' projects: lower quartile"]["Overall"]) == approx(lower)
        assert percent(heat["Other brands' projects: upper quartile"]["Overall"]) == approx(upper)
        mine = recomputed(world["acme"], AS_OF)
        row = heat["Acme Groceries: mean of its projects"]
        assert percent(row["Overall"]) == approx(mean(r.percent for r in mine.values()))
        assert percent(heat["Cross-sell API"]["Overall"]) == approx(
            mine[world["acme"][0].pk].percent
        )

    def test_groups_smaller_than_three_are_not_shown(self, world, lead, version):
        # Real-time: two projects of other brands ("both" counts as neither filter value).
        wb = workbook(brand_scope(lead, world["brands"][0], {"kind": "realtime"}))
        heat = {row["Project or group"]: row for row in table(wb["Heatmap"])}
        for label in ("median", "lower quartile", "upper quartile"):
            row = heat[f"Other brands' projects: {label}"]
            figures = [
                v for k, v in row.items() if k not in ("Project or group", "Projects", "Note")
            ]
            assert figures and all(v is None for v in figures)
            assert "smaller than 3" in row["Note"]
        trend = table(wb["Trend"])
        assert {r["Other brands' projects"] for r in trend} <= {0, 1, 2}
        assert all(r["Other brands' projects: median"] is None for r in trend)

    def test_trend_and_projects_are_the_engines(self, world, lead):
        wb = workbook(brand_scope(lead, world["brands"][0]))
        trend = {row["Quarter"]: row for row in table(wb["Trend"])}
        results = recomputed(world["acme"], AS_OF)
        assert percent(trend["2025 Q2 (so far)"]["Acme Groceries: mean"]) == approx(
            mean(r.percent for r in results.values())
        )
        assert trend["2025 Q2 (so far)"]["Acme Groceries: projects"] == 2
        for label, day in (("2025 Q1", D(2025, 3, 31)), ("2025 Q2 (so far)", AS_OF)):
            others = recomputed(world["others"], day)
            row = trend[label]
            assert row["Other brands' projects"] == len(others) == 4
            assert percent(row["Other brands' projects: median"]) == approx(
                statistics.median(r.percent for r in others.values())
            )
        assert trend["2024 Q4"]["Other brands' projects: median"] is None
        assert len(wb["Trend"]._charts) == 1
        assert len(wb["Trend"]._charts[0].series) == 2
        projects = {row["Project"]: row for row in table(wb["Projects"])}
        assert set(projects) == {p.name for p in world["acme"]}
        assert projects["Not assessed yet"]["Overall"] is None
        answers = table(wb["Answers"])
        assert {r["Project"] for r in answers} == {"Cross-sell API", "Demand planner"}

    def test_another_brands_member_cannot_have_it(self, world, outsider):
        with pytest.raises(PermissionDenied):
            workbook(brand_scope(outsider, world["brands"][0]))


class TestProjectWorkbook:
    def test_sections_history_answers_and_plan(self, world, project, data_scientist, version):
        wb = workbook(project_scope(data_scientist, project))
        assert wb.sheetnames == PROJECT_SHEETS
        text = every_text(wb)
        for other in world["others"] + world["brands"][1:]:
            assert other.name not in text
        result = recomputed([project], AS_OF)[project.pk]
        titles = section_titles(version)
        sections = {row["Section"]: row for row in table(wb["Sections"])}
        assert percent(sections["Overall"][project.name]) == approx(result.percent)
        for key, title in titles.items():
            assert percent(sections[title][project.name]) == approx(result.sections[key].percent)
        # One other Acme project with a figure: below three, its mean is not shown.
        assert sections["Overall"]["Brand's other projects: mean"] is None
        others = recomputed(world["others"], AS_OF)
        assert percent(sections["Overall"]["Other brands: median"]) == approx(
            statistics.median(r.percent for r in others.values())
        )

        history = table(wb["History"])
        assert [r["Assessed on"].date() for r in history] == [EARLIER, LATER, TODAY]
        assert [r["Status"] for r in history] == ["Validated", "Validated", "Draft"]
        first = recomputed([project], D(2025, 3, 31))[project.pk]
        assert history[1]["Change since the previous validated (points)"] == approx(
            result.percent - first.percent
        )
        assert len(wb["History"]._charts) == 1

        answers = table(wb["Answers"])
        assert len(answers) == Answer.objects.filter(assessment=world["latest"][project.pk]).count()

        plan = project_plan(project)
        assert [r["Question key"] for r in table(wb["Improvement plan"])] == [
            item.key for item in plan.items
        ]
        actions = table(wb["Improvement actions"])
        assert [(a["Owner"], a["Status"]) for a in actions] == [("Ada Owner", "Open")]
        assert actions[0]["Due on"].date() == D(2025, 9, 1)

    def test_another_brands_project_is_missing(self, world, outsider, project):
        with pytest.raises(Http404):
            workbook(project_scope(outsider, project))

    def test_group_roles_may_have_it(self, world, project):
        admin = factories.UserFactory(username="report-admin", group_role=GroupRole.ADMIN)
        wb = workbook(project_scope(admin, project))
        assert wb.sheetnames == PROJECT_SHEETS


class TestStreaming:
    def test_answers_read_one_assessment_per_query_come_out_the_same(
        self, world, group_viewer, monkeypatch
    ):
        whole = rows(workbook(group_scope(group_viewer))["Answers"])
        monkeypatch.setattr("reports.builders.excel_data.ASSESSMENTS_PER_QUERY", 1)
        monkeypatch.setattr("reports.builders.excel_data.ROWS_PER_FETCH", 7)
        seen = []
        assert rows(workbook(group_scope(group_viewer), seen.append)["Answers"]) == whole
        # The answers are most of the work: progress moves as each chunk is written.
        n = len(world["latest"])
        assert [30 + 55 * k // n for k in range(1, n + 1)] == [p for p in seen if 30 < p <= 85][:n]

    def test_answers_follow_brand_project_and_question_order(self, world, group_viewer, version):
        answers = table(workbook(group_scope(group_viewer))["Answers"])
        keys = list(version.questions.order_by("order").values_list("key", flat=True))
        seen = [(r["Brand"], r["Project"]) for r in answers]
        assert seen == sorted(seen)
        first = [r["Question key"] for r in answers if r["Project"] == "Cross-sell API"]
        assert first == [k for k in keys if k in set(first)]


class TestCellText:
    @pytest.mark.parametrize(
        "typed", ["=1+1", "+31 20 123", "-2", "@SUM(A1)", "\tx", "\rx", "=cmd|' /C calc'!A0"]
    )
    def test_formula_like_text_gets_the_csv_guard(self, typed):
        assert safe_text(typed) == csv_cell(typed) == "'" + typed

    def test_characters_xml_forbids_are_dropped_and_long_text_cut(self):
        assert safe_text("a\x00b\x1fc\nd") == "abc\nd"
        assert safe_text("\x01=1+1") == "'=1+1"
        long = safe_text("x" * 40_000)
        assert len(long) < MAX_CELL_TEXT and long.endswith("too long for one Excel cell)")


class TestWithoutFigures:
    def test_a_project_never_assessed_has_an_honest_workbook(self, world, lead):
        never = world["acme"][2]
        wb = workbook(project_scope(lead, never))
        assert wb.sheetnames == PROJECT_SHEETS
        summary = dict(rows(wb["Summary"])[1:])
        assert summary["Overall"] == "no figure yet"
        assert table(wb["Sections"]) == [] and table(wb["Answers"]) == []
        assert wb["Answers"].freeze_panes == "A2"

    def test_a_group_without_any_assessment_still_gets_its_workbook(self, brand, group_viewer):
        factories.ProjectFactory(brand=brand, name="Fresh start")
        wb = workbook(group_scope(group_viewer))
        assert wb.sheetnames == GROUP_SHEETS
        heat = {row["Brand"]: row for row in table(wb["Heatmap"])}
        assert heat["Acme Groceries"]["Overall"] is None
        assert heat["Acme Groceries"]["Note"] == "no figure for these filters"
        assert [r["Project"] for r in table(wb["Projects"])] == ["Fresh start"]
        assert table(wb["Answers"]) == [] and table(wb["Common gaps"]) == []

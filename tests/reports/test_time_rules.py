"""One rule for time in the figures (docs/scoring.md, "Over time"), at its edges.

- A figure at a date counts the validated assessments whose assessment date is on or before
  that date; the day an assessment was validated does not move it.
- The current quarter is "so far": its figures are taken today, on every page and export.
- An assessment dated after today counts only from its day, and its age is never negative.

Every test sets the day it runs on.
"""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from reports.builders import Scope, build
from reports.dashboards import DashboardFilters
from reports.dashboards.brand import brand_dashboard_data
from reports.dashboards.group import group_dashboard_data
from scoring.selectors import brand_quarter_ends, brand_series, project_series
from scoring.services import score_store
from surveys.models import AssessmentStatus
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
YES = {"doc-purpose": "yes"}
NO = {"doc-purpose": "no"}


def at_noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC)


def scored(project, version, answers, on, **kwargs):
    assessment = factories.assessment(
        project, version, status=AssessmentStatus.VALIDATED, answers=answers, assessed_on=on
    )
    if kwargs:
        type(assessment).objects.filter(pk=assessment.pk).update(**kwargs)
        assessment.refresh_from_db()
    score_store(assessment=assessment)
    return assessment


def filters(today, query=None) -> DashboardFilters:
    return DashboardFilters.parse(query or {}, today=today)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def workbook(scope: Scope):
    out = io.BytesIO()
    build("xlsx", scope, out, lambda percent: None)
    out.seek(0)
    return load_workbook(out)


# --- the current quarter is "so far" --------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "label"),
    [
        (D(2026, 12, 5), "2026 Q4 so far"),
        (D(2026, 12, 31), "2026 Q4 so far"),  # its last day has not ended yet
        (D(2027, 1, 1), "2027 Q1 so far"),
        (D(2028, 2, 29), "2028 Q1 so far"),
    ],
)
def test_the_current_quarter_is_so_far_with_figures_as_of_today(today, label):
    chosen = filters(today)
    assert chosen.so_far
    assert chosen.period_label == label
    assert chosen.as_of == today


def test_a_past_quarter_is_taken_at_its_end():
    chosen = filters(D(2027, 1, 1), {"quarter": "2026-Q4"})
    assert not chosen.so_far
    assert chosen.period_label == "2026 Q4"
    assert chosen.as_of == D(2026, 12, 31)


@pytest.mark.parametrize("today", [D(2026, 12, 5), D(2026, 12, 31)])
def test_the_dashboards_say_so_far_and_today(client, group_viewer, brand, project, version, today):
    scored(project, version, YES, D(2026, 11, 2))
    with time_machine.travel(at_noon(today), tick=False):
        client.force_login(group_viewer)
        group = client.get(reverse("group_dashboard")).content.decode()
        own = client.get(reverse("brand_detail", args=[brand.code])).content.decode()
    day = f"{today.day} {today:%b %Y}"
    for page in (group, own):
        assert f"2026 Q4 so far, figures as of today, {day}" in page
        assert "31 Dec 2026" not in page or today == D(2026, 12, 31)


def test_a_past_quarter_is_shown_at_its_end_without_so_far(client, group_viewer, project, version):
    scored(project, version, YES, D(2026, 11, 2))
    with time_machine.travel(at_noon(D(2027, 1, 4)), tick=False):
        client.force_login(group_viewer)
        page = client.get(reverse("group_dashboard"), {"quarter": "2026-Q4"}).content.decode()
    assert "2026 Q4, figures on 31 Dec 2026" in page
    assert "so far" not in page.split("<main", 1)[1].split("</form>", 1)[1].split("<table", 1)[0]


# --- an assessment dated after today ----------------------------------------------------------


@pytest.fixture
def planned(brand, project, version):
    """On 5 Dec 2026 the project has a validated figure of 1 Nov (No) and an interview dated
    12 Dec (Yes) that its assessor already finalised."""
    with time_machine.travel(at_noon(D(2026, 12, 5)), tick=False):
        scored(project, version, NO, D(2026, 11, 1))
        later = scored(project, version, YES, D(2026, 12, 12))
    return later


def test_an_assessment_dated_tomorrow_does_not_count_today_on_the_group_dashboard(
    planned, group_viewer
):
    with time_machine.travel(at_noon(D(2026, 12, 11)), tick=False):
        today = group_dashboard_data(group_viewer, filters(D(2026, 12, 11)), with_gaps=False)
    assert today.total.overall.mean == 0.0
    assert today.total.overall.last_assessed == D(2026, 11, 1)
    assert today.total.trend[-1].so_far
    assert today.total.trend[-1].figure.mean == 0.0

    with time_machine.travel(at_noon(D(2026, 12, 12)), tick=False):
        on_its_day = group_dashboard_data(group_viewer, filters(D(2026, 12, 12)), with_gaps=False)
    assert on_its_day.total.overall.mean == 100.0


def test_the_brand_page_leaves_it_out_and_no_age_is_negative(planned, brand, lead):
    with time_machine.travel(at_noon(D(2026, 12, 5)), tick=False):
        data = brand_dashboard_data(lead, brand, filters(D(2026, 12, 5)))
    (row,) = [r for r in data.projects if r.overall is not None]
    assert row.overall == 0.0
    assert row.assessed_on == D(2026, 11, 1)
    assert row.age_days == 34
    assert all(r.age_days is None or r.age_days >= 0 for r in data.projects)


def test_the_brand_and_project_trends_leave_it_out(planned, brand, project):
    with time_machine.travel(at_noon(D(2026, 12, 5)), tick=False):
        ends = brand_quarter_ends(brand)
        trend = brand_series([brand], ends)
        points = project_series(project).points
    assert ends[-1] == D(2026, 12, 5)
    (point,) = trend.series[0].points
    assert point.percent == 0.0
    assert point.so_far
    assert [p.assessed_on for p in points] == [D(2026, 11, 1)]


def test_the_csv_and_excel_exports_leave_it_out(planned, client, group_viewer, brand, lead):
    with time_machine.travel(at_noon(D(2026, 12, 5)), tick=False):
        client.force_login(group_viewer)
        rows = csv_rows(client.get(reverse("group_dashboard_csv", args=["heatmap"])))
        book = workbook(
            Scope(kind="brand", user=lead, filters=filters(D(2026, 12, 5)), brand=brand)
        )
    header, *body = rows
    overall = header.index("Overall")
    assert [float(r[overall]) for r in body if r[0] == brand.name] == [0.0]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
    assert "2026 Q4 so far" in str(summary["Quarter"])
    trend = list(book["Trend"].iter_rows(values_only=True))
    assert trend[-1][0] == "2026 Q4 (so far)"
    assert trend[-1][1].date() == D(2026, 12, 5)
    assert trend[-1][2] == 0.0


def test_the_project_page_shows_the_planned_date_and_the_figure_of_today(
    planned, client, lead, project
):
    with time_machine.travel(at_noon(D(2026, 12, 5)), tick=False):
        client.force_login(lead)
        page = client.get(reverse("project_detail", args=[project.code])).content.decode()
    assert "Latest validated assessment of 1 Nov 2026" in page
    assert '12 Dec 2026 <span class="muted">(after today: counts from that day)</span>' in page


def test_starting_an_assessment_dated_later_says_when_it_counts(client, lead, project, version):
    with time_machine.travel(at_noon(D(2026, 12, 5)), tick=False):
        client.force_login(lead)
        response = client.post(
            reverse("assessment_start", args=[project.code]),
            {"mode": "interview", "assessed_on": "2026-12-12"},
            follow=True,
        )
    assert response.status_code == 200
    assert "dated 12 Dec 2026, after today: its figures count only from that day" in (
        response.content.decode()
    )


def test_the_start_form_explains_future_dates(client, lead, project):
    client.force_login(lead)
    page = client.get(reverse("project_detail", args=[project.code])).content.decode()
    assert 'aria-describedby="assessed-on-help"' in page
    assert "A later date plans the assessment" in page


# --- the validation day does not move a figure ----------------------------------------------


def test_an_assessment_validated_a_week_after_its_date_counts_at_its_date(
    group_viewer, brand, project, version
):
    """Dated 28 Sep (2026 Q3), validated on 5 Oct: once validated, the end-of-Q3 figure
    includes it; before its validation nothing counted it."""
    with time_machine.travel(at_noon(D(2026, 10, 2)), tick=False):
        draft = factories.assessment(
            project, version, status=AssessmentStatus.SUBMITTED, answers=YES,
            assessed_on=D(2026, 9, 28),
        )  # fmt: skip
        before = group_dashboard_data(
            group_viewer, filters(D(2026, 10, 2), {"quarter": "2026-Q3"}), with_gaps=False
        )
    assert before.total.overall.n == 0

    with time_machine.travel(at_noon(D(2026, 10, 5)), tick=False):
        type(draft).objects.filter(pk=draft.pk).update(
            status=AssessmentStatus.VALIDATED, validated_at=at_noon(D(2026, 10, 5))
        )
        draft.refresh_from_db()
        score_store(assessment=draft)
    with time_machine.travel(at_noon(D(2026, 10, 9)), tick=False):
        after = group_dashboard_data(
            group_viewer, filters(D(2026, 10, 9), {"quarter": "2026-Q3"}), with_gaps=False
        )
        ends = brand_quarter_ends(brand)
    assert after.total.overall.n == 1
    assert after.total.overall.mean == 100.0
    assert after.total.overall.last_assessed == D(2026, 9, 28)
    assert ends == [D(2026, 9, 30), D(2026, 10, 9)]

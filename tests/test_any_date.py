"""Yardstick works on every day of the year (TARGETS R9).

For each awkward day - the first and last day of every quarter, 31 December and
1 January, 29 February of a leap year - the demo is seeded as it would be on
that day and every role walks its main pages, asking for what each page needs
(a project with a validated assessment, a brand with figures) rather than for
whatever comes first. The figures of the day are then checked against the
rule of docs/scoring.md: nothing dated after the day counts, no age is
negative, and the current quarter is "so far".
"""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from brands.models import Brand, BrandRole, User
from reports.dashboards import DashboardFilters
from reports.dashboards.brand import brand_dashboard_data
from reports.dashboards.group import group_dashboard_data
from surveys.models import Assessment, AssessmentStatus

D = datetime.date
PASSWORD = "yardstick-demo"
GROUP_ROLES = ("admin", "assessor", "manager")
BRAND_ROLES = ("lead", "viewer", "ds1")

AWKWARD_DAYS = [
    D(2027, 1, 1),  # first day of a year and of Q1: the newest quarter has no figure yet
    D(2027, 3, 31),
    D(2027, 4, 1),
    D(2027, 6, 30),
    D(2027, 7, 1),
    D(2027, 9, 30),
    D(2027, 10, 1),
    D(2027, 12, 31),
    D(2028, 2, 29),
]


@pytest.fixture
def demo_on():
    """`demo_on(day)`: the demo as seeded on `day`, with the clock on that day until the test
    ends; everything is rolled back afterwards."""
    stack = []

    def demo_on(day: datetime.date) -> None:
        travel = time_machine.travel(
            datetime.datetime(day.year, day.month, day.day, 11, tzinfo=datetime.UTC), tick=True
        )
        travel.start()
        stack.append(travel)
        call_command("seed_demo", stdout=StringIO())

    yield demo_on
    for travel in reversed(stack):
        travel.stop()


def _validated(**filters) -> Assessment:
    return (
        Assessment.objects.filter(status=AssessmentStatus.VALIDATED, **filters)
        .select_related("project__brand", "version")
        .order_by("project__brand__name", "project__name", "-assessed_on")
        .first()
    )


def _pages(own: Brand, assessment: Assessment, foreign: Assessment, group: bool) -> dict:
    project = assessment.project
    brand_pages = {
        reverse("home"): 200,
        reverse("brand_list"): 200,
        reverse("brand_detail", args=[own.code]): 200,
        reverse("brand_dashboard_csv", args=[own.code, "trend"]): 200,
        reverse("brand_trend", args=[own.code]): 200,
        reverse("brand_gaps", args=[own.code]): 200,
        reverse("brand_benchmark", args=[own.code]): 200,
        reverse("project_detail", args=[project.code]): 200,
        reverse("project_trend", args=[project.code]): 200,
        reverse("project_plan", args=[project.code]): 200,
        reverse("assessment_detail", args=[assessment.code]): 200,
        reverse("assessment_moved", args=[assessment.code]): 200,
        reverse("question_set_list"): 200,
        reverse("version_detail", args=[assessment.version.code]): 200,
        reverse("product_line_list"): 200,
        reverse("report_list"): 200,
        reverse("brand_detail", args=[foreign.project.brand.code]): 200 if group else 404,
        reverse("project_detail", args=[foreign.project.code]): 200 if group else 404,
    }
    group_pages = {
        reverse("group_dashboard"): 200,
        reverse("group_dashboard_gaps"): 200,
        reverse("group_dashboard_csv", args=["heatmap"]): 200,
        reverse("group_dashboard_csv", args=["trend"]): 200,
        reverse("group_gaps"): 200,
    }
    return brand_pages | (group_pages if group else {})


@pytest.mark.django_db
@pytest.mark.parametrize("day", AWKWARD_DAYS, ids=str)
def test_every_role_walks_its_pages_and_the_figures_follow_the_day(client, demo_on, day):
    demo_on(day)
    assessment = _validated(assessed_on__lte=day)
    assert assessment is not None, f"the demo of {day} has no validated assessment"
    own = assessment.project.brand
    foreign = (
        Assessment.objects.exclude(project__brand=own)
        .select_related("project__brand")
        .order_by("project__brand__name")
        .first()
    )
    slug = User.objects.get(
        memberships__brand=own,
        memberships__role=BrandRole.LEAD,
        username__startswith="lead.",
    ).username.split(".", 1)[1]

    for role in GROUP_ROLES + BRAND_ROLES:
        username = role if role in GROUP_ROLES else f"{role}.{slug}"
        client.logout()
        assert client.login(username=username, password=PASSWORD), username
        expected = _pages(own, assessment, foreign, group=role in GROUP_ROLES)
        got = {url: client.get(url, follow=True).status_code for url in expected}
        assert got == expected, f"{username} on {day}"

    # The figures of the day: the current quarter so far, nothing dated later counted.
    filters = DashboardFilters.parse({}, today=day)
    assert filters.so_far and filters.as_of == day
    manager = User.objects.get(username="manager")
    group = group_dashboard_data(manager, filters, with_gaps=False)
    counted = (
        Assessment.objects.filter(status=AssessmentStatus.VALIDATED, assessed_on__lte=day)
        .values("project")
        .distinct()
        .count()
    )
    assert group.total.overall.n == counted
    assert group.total.overall.last_assessed <= day
    assert group.total.trend[-1].so_far and group.total.trend[-1].at == day
    assert all(not p.so_far for p in group.total.trend[:-1])

    brand = brand_dashboard_data(manager, own, filters)
    ages = [r.age_days for r in brand.projects if r.age_days is not None]
    assert ages and min(ages) >= 0

    client.force_login(manager)
    page = client.get(reverse("group_dashboard")).content.decode()
    assert f"{filters.period_label}, figures as of today, {day.day} {day:%b %Y}" in page


@pytest.mark.django_db
def test_on_the_first_day_of_a_quarter_the_newest_quarter_has_no_validated_assessment(demo_on):
    """The case the demo's role walk once tripped over: it must be in the matrix above."""
    day = AWKWARD_DAYS[0]
    demo_on(day)
    assert not Assessment.objects.filter(
        status=AssessmentStatus.VALIDATED, assessed_on__gte=D(day.year, 1, 1)
    ).exists()
    assert Assessment.objects.filter(status=AssessmentStatus.VALIDATED).exists()


def test_the_matrix_has_every_quarter_edge_and_a_leap_day():
    firsts = {(d.month, d.day) for d in AWKWARD_DAYS}
    assert {(1, 1), (4, 1), (7, 1), (10, 1)} <= firsts
    assert {(3, 31), (6, 30), (9, 30), (12, 31)} <= firsts
    assert D(2028, 2, 29) in AWKWARD_DAYS

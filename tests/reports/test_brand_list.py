"""The brand list: each brand's projects, how many have a figure today and their mean, the
figure the brand's page shows by default for each project."""

import datetime

import pytest
from django.urls import reverse

from scoring.services import score_store
from surveys.models import AssessmentStatus
from tests import factories
from tests.clock import PINNED_TODAY

pytestmark = pytest.mark.django_db

YES, NO = {"doc-purpose": "yes"}, {"doc-purpose": "no"}
MIXED = {"doc-purpose": "yes", "doc-success-metrics": "partly", "trace-model-registry": "no"}


def scored(project, version, answers, *, days_ago, status=AssessmentStatus.VALIDATED):
    assessment = factories.assessment(
        project,
        version,
        status=status,
        answers=answers,
        assessed_on=PINNED_TODAY - datetime.timedelta(days=days_ago),
    )
    score_store(assessment=assessment)
    return assessment


def rows_for(client, user) -> dict:
    client.force_login(user)
    response = client.get(reverse("brand_list"))
    assert response.status_code == 200
    return {row.brand: row for row in response.context["rows"]}


def test_each_brand_is_the_mean_of_its_projects_figures_today(
    client, brand, other_brand, version, group_viewer
):
    from reports.dashboards import DashboardFilters, brand_dashboard_data

    newer_wins = factories.ProjectFactory(brand=brand)
    scored(newer_wins, version, YES, days_ago=200)
    scored(newer_wins, version, MIXED, days_ago=20)
    future_ignored = factories.ProjectFactory(brand=brand)
    scored(future_ignored, version, NO, days_ago=90)
    scored(future_ignored, version, YES, days_ago=-10)  # after today: not yet its figure
    only_submitted = factories.ProjectFactory(brand=brand)
    scored(only_submitted, version, YES, days_ago=5, status=AssessmentStatus.SUBMITTED)
    factories.ProjectFactory(brand=brand)  # never assessed
    scored(factories.ProjectFactory(brand=other_brand), version, YES, days_ago=1)

    rows = rows_for(client, group_viewer)
    page = brand_dashboard_data(
        group_viewer, brand, DashboardFilters.parse({}, today=PINNED_TODAY), today=PINNED_TODAY
    )
    figures = [r.overall for r in page.projects if r.overall is not None]
    assert len(figures) == 2
    assert (rows[brand].projects, rows[brand].assessed) == (4, 2)
    assert rows[brand].mean_percent == pytest.approx(sum(figures) / len(figures))
    assert (rows[other_brand].assessed, rows[other_brand].mean_percent) == (1, 100)


def test_a_brand_member_sees_only_their_brand_and_a_brand_without_figures_has_no_mean(
    client, brand, other_brand, version, lead
):
    scored(factories.ProjectFactory(brand=other_brand), version, YES, days_ago=1)
    factories.ProjectFactory(brand=brand)
    rows = rows_for(client, lead)
    assert list(rows) == [brand]
    assert (rows[brand].projects, rows[brand].assessed, rows[brand].mean_percent) == (1, 0, None)

"""The group dashboard in Chromium: plotly draws, filters swap through HTMX and live in the URL."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from brands.models import BrandRole
from reports.dashboards.filters import Quarter
from scoring.services import score_store
from surveys.models import AssessmentStatus
from tests import factories

pytestmark = pytest.mark.browser

URL = reverse("group_dashboard")


def scored(project, version, answer: str, on: datetime.date) -> None:
    assessment = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers={"doc-purpose": answer},
        assessed_on=on,
    )
    score_store(assessment=assessment)


@pytest.fixture
def group(brand, other_brand, project, other_project, version):
    """Three brands, four projects (one real-time), each validated this quarter."""
    third = factories.BrandFactory(name="Third Retail")
    extra = factories.ProjectFactory(brand=third, name="Churn model", kind="batch")
    more = factories.ProjectFactory(brand=brand, name="Price elasticity", kind="batch")
    quarter = Quarter.of(timezone.localdate())
    for p, answer in ((project, "yes"), (other_project, "no"), (extra, "yes"), (more, "no")):
        scored(p, version, "no", quarter.previous().start)
        scored(p, version, answer, quarter.start)
    return [brand, other_brand, third]


def summary(page):
    return page.locator("#dashboard-results > p.muted").first


def test_the_heatmap_renders_with_a_row_per_brand(open_page, group_viewer, group):
    page = open_page(group_viewer)
    page.goto(URL)
    heatmap = page.locator("#chart-heatmap")
    expect(heatmap.locator(".main-svg").first).to_be_attached()
    expect(heatmap.locator("[data-drawn=yes]")).to_have_count(1)
    figure = json.loads(page.locator("#chart-heatmap-figure").text_content())
    assert len(figure["data"][0]["z"]) == len(group)
    expect(heatmap.locator(".chart-data table tbody tr")).to_have_count(len(group))
    ticks = heatmap.locator("div.chart .yaxislayer-above .ytick").all_text_contents()
    assert sorted(t for t in ticks if t) == sorted(b.name for b in group)
    expect(summary(page)).to_contain_text("4 projects in 3 brands")


def test_a_filter_swaps_the_results_keeps_the_url_and_history(open_page, group_viewer, group):
    page = open_page(group_viewer)
    page.goto(URL)
    expect(summary(page)).to_contain_text("4 projects")
    page.evaluate("window.notReloaded = true")

    with page.expect_response(lambda r: "/dashboard/?" in r.url and r.status == 200):
        page.select_option("#filter-kind", "realtime")
    expect(summary(page)).to_contain_text("1 project in 1 brand")
    expect(page).to_have_url(re.compile(r"kind=realtime"))
    assert page.evaluate("window.notReloaded === true"), "the page was reloaded"
    expect(page.locator("#chart-heatmap [data-drawn=yes]")).to_have_count(1)

    page.reload()
    expect(summary(page)).to_contain_text("1 project in 1 brand")
    expect(page.locator("#filter-kind")).to_have_value("realtime")

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"kind=realtime"))
    expect(summary(page)).to_contain_text("4 projects in 3 brands")


def test_brands_are_chosen_in_a_searchable_checklist_and_removed_by_their_chips(
    open_page, group_viewer, group
):
    acme, _other, third = group
    page = open_page(group_viewer)
    page.goto(URL)
    search = page.get_by_label("Find a brand")
    search.fill("third")
    expect(page.locator("#brand-checklist li:visible")).to_have_count(1)
    with page.expect_response(lambda r: "/dashboard/?" in r.url and r.status == 200):
        page.get_by_label(third.name, exact=True).check()
    search.fill("")
    with page.expect_response(lambda r: "/dashboard/?" in r.url and r.status == 200):
        page.get_by_label(acme.name, exact=True).check()
    chips = page.locator(".chips .chip")
    expect(chips).to_have_count(2)
    expect(summary(page)).to_contain_text("in 2 brands")

    with page.expect_response(lambda r: "/dashboard/?" in r.url and r.status == 200):
        chips.filter(has_text=third.name).click()
    expect(chips).to_have_count(1)
    expect(page.get_by_label(third.name, exact=True)).not_to_be_checked()
    expect(page).not_to_have_url(re.compile(str(third.code)))
    expect(summary(page)).to_contain_text("in 1 brand")


def test_a_trend_of_many_brands_highlights_the_ones_picked(open_page, group_viewer, version):
    quarter = Quarter.of(timezone.localdate())
    for n in range(10):
        project = factories.ProjectFactory(brand=factories.BrandFactory(name=f"Brand {n:02}"))
        scored(project, version, "yes" if n % 2 else "no", quarter.start)
    page = open_page(group_viewer)
    page.goto(URL)
    trend = page.locator("#chart-trend")
    expect(trend.locator("[data-drawn=yes]")).to_have_count(1)
    trend.get_by_text("Highlight brands of your choice").click()
    trend.get_by_label("Brand 04", exact=True).check()

    def widths():
        return page.evaluate(
            "Object.fromEntries(document.querySelector('#chart-trend .chart').data"
            ".map(t => [t.name, t.line.width]))"
        )

    expect(trend.get_by_label("Brand 04", exact=True)).to_be_checked()
    page.wait_for_function(
        "document.querySelector('#chart-trend .chart').data"
        ".find(t => t.name === 'Brand 04').line.width === 3"
    )
    chosen = widths()
    assert chosen.pop("Brand 04") == 3
    assert set(chosen.values()) == {1}
    trend.get_by_label("Brand 04", exact=True).uncheck()
    page.wait_for_function(
        "document.querySelector('#chart-trend .chart').data"
        ".filter(t => t.line.width === 3).length > 1"
    )


def test_a_brand_viewer_sees_only_its_brand(open_page, console, viewer, group, other_project):
    console.allow(r"status of 40[34]")
    page = open_page(viewer)

    response = page.goto(reverse("project_detail", args=[other_project.code]))
    assert response.status == 404
    assert other_project.name not in page.content()

    response = page.goto(reverse("brand_detail", args=[other_project.brand.code]))
    assert response.status == 404

    response = page.goto(URL)
    assert response.status == 403
    expect(page.get_by_text("Your brand's figures are on your brand's page")).to_be_visible()

    response = page.goto(reverse("brand_detail", args=[group[0].code]))
    assert response.status == 200
    assert other_project.name not in page.content()
    assert viewer.memberships.get().role == BrandRole.VIEWER


def project_names(page) -> list[str]:
    return page.locator("#brand-projects tbody th[scope=row]").all_text_contents()


def test_the_brand_table_sorts_by_a_column_through_htmx(open_page, lead, brand, group):
    """`group` gives the brand two projects: one meeting the statement, one not."""
    factories.ProjectFactory(brand=brand, name="Assortment planner")  # no figure: sorts last
    page = open_page(lead)
    page.goto(reverse("brand_detail", args=[brand.code]))
    expect(page.locator("#brand-projects tbody tr")).to_have_count(3)
    assert project_names(page) == sorted(project_names(page), key=str.casefold)
    page.evaluate("window.notReloaded = true")

    header = page.locator("#brand-projects thead a", has_text="Overall %")
    with page.expect_response(lambda r: "sort=overall" in r.url and r.status == 200):
        header.click()
    expect(page).to_have_url(re.compile(r"sort=overall&dir=asc"))
    expect(page.locator("#brand-projects thead th[aria-sort=ascending]")).to_contain_text(
        "Overall %"
    )
    assert project_names(page) == ["Price elasticity", "Cross-sell API", "Assortment planner"]

    with page.expect_response(lambda r: "dir=desc" in r.url and r.status == 200):
        page.locator("#brand-projects thead a", has_text="Overall %").click()
    expect(page.locator("#brand-projects thead th[aria-sort=descending]")).to_have_count(1)
    assert project_names(page) == ["Cross-sell API", "Price elasticity", "Assortment planner"]
    assert page.evaluate("window.notReloaded === true"), "the page was reloaded"

    page.reload()
    assert project_names(page) == ["Cross-sell API", "Price elasticity", "Assortment planner"]


def test_a_brand_viewer_sees_other_brands_only_as_aggregates_of_three_or_more(
    open_page, viewer, brand, group, other_brand, version
):
    """Two projects of other brands: withheld. A third: shown, as quartiles and n only."""
    page = open_page(viewer)
    url = reverse("brand_detail", args=[brand.code])
    page.goto(url)
    hidden = page.locator("#profile-hidden")
    expect(hidden).to_contain_text("Only 2 projects of other brands")
    expect(hidden).to_contain_text("groups smaller than 3 are not shown")
    figure = json.loads(page.locator("#chart-profile-figure").text_content())
    assert [t.get("name") for t in figure["data"]] == [brand.name]  # no comparison drawn
    for name in (other_brand.name, "Third Retail", "Churn model"):
        assert name not in page.content()

    quarter = Quarter.of(timezone.localdate())
    scored(
        factories.ProjectFactory(brand=other_brand, name="Basket API"),
        version,
        "yes",
        quarter.start,
    )
    page.goto(url)
    expect(page.locator("#profile-hidden")).to_have_count(0)
    expect(page.locator("#h-profile + p.muted")).to_contain_text("3 projects of other brands")
    profile = page.locator("#chart-profile")
    expect(profile.locator("[data-drawn=yes]")).to_have_count(1)
    figure = json.loads(page.locator("#chart-profile-figure").text_content())
    assert len(figure["data"]) == 2  # the brand's bars and the other brands' quartiles
    expect(profile.locator("table thead")).to_contain_text("Other brands")
    for name in (other_brand.name, "Third Retail", "Churn model", "Basket API"):
        assert name not in page.content()

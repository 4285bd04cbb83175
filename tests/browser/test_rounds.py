"""An assessor creates and launches a round in the browser; the project's data scientist finds
the self-fill in My work with the round's due date, and the lead chooses a mode there."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from brands.models import Criticality
from tests import factories


def test_an_assessor_launches_a_round_and_the_data_scientist_sees_it_in_my_work(
    open_page, console, group_assessor, data_scientist, lead, project, brand, version
):
    console.allow(r"status of 400 .*/rounds/new/")  # the wrong due date, answered with a 400
    project.criticality = Criticality.HIGH
    project.save()
    factories.ProjectFactory(brand=brand, name="Shelf gaps", criticality=Criticality.HIGH)
    factories.ProjectFactory(brand=brand, name="Churn model", criticality=Criticality.LOW)

    page = open_page(group_assessor)
    page.get_by_role("link", name="Rounds", exact=True).click()
    page.get_by_role("link", name="New round").click()
    page.get_by_label("Name").fill("2027 Q1 round")
    page.get_by_role("group", name="Criticalities").get_by_label("High").check()
    page.get_by_label("Opens on").fill("2026-11-18")
    page.get_by_label("Due on").fill("2026-11-01")
    page.get_by_role("button", name="Preview the round").click()
    expect(page.get_by_role("alert")).to_contain_text("is before the opening date")
    page.get_by_label("Due on").fill("2026-12-18")
    page.get_by_role("button", name="Preview the round").click()

    table = page.get_by_role("table", name=re.compile("Projects the round takes"))
    expect(table.get_by_role("row")).to_have_count(3)  # header, Cross-sell API, Shelf gaps
    expect(table).not_to_contain_text("Churn model")
    page.get_by_label("Mode for Shelf gaps").select_option("lead_decides")
    page.get_by_role("button", name="Launch the round").click()
    expect(page.get_by_role("heading", name=re.compile("2027 Q1 round"), level=1)).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("1 assessment(s) started")
    expect(page.get_by_role("heading", name=re.compile("Progress by brand"))).to_contain_text(
        "0% of 2 projects validated"
    )

    page = open_page(data_scientist)
    link = page.get_by_role("link", name="Start: Cross-sell API")
    expect(link).to_be_visible()
    expect(page.locator(".work-item", has=link)).to_contain_text("2027 Q1 round · due 18 Dec 2026")
    link.click()
    expect(page).to_have_url(re.compile(r"/assessments/.+/fill/$"))

    page = open_page(lead)
    page.get_by_role("link", name="Choose how to assess Shelf gaps").click()
    page.get_by_label("Interview").check()
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator(".messages")).to_contain_text("Shelf gaps: interview started")
    page.get_by_role("link", name="2027 Q1 round").first.click()
    expect(page).to_have_url(re.compile(reverse("round_list") + ".+/$"))

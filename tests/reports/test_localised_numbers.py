"""Numbers in the reader's language where a person reads them, and with a dot wherever a
machine reads them (issue 19): the chart data a script draws, the SVG charts' coordinates
(the dashboards' fallback and the PDF's), the bars a <progress> draws.

French writes 83,3 where English writes 83.3. The catalogs may still be empty: the numbers
follow the language whatever they hold."""

import datetime
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from reports.builders import Scope
from reports.builders.pdf import render_html
from reports.dashboards import DashboardFilters
from scoring.services import score_store
from surveys.models import AssessmentStatus
from tests import factories
from tests.clock import PINNED_TODAY

pytestmark = pytest.mark.django_db

# Overall 83.3 (yes, partly, yes), Documentation 75.0: figures with decimals.
LATER = {"doc-purpose": "yes", "doc-success-metrics": "partly", "trace-model-registry": "yes"}
EARLIER = {"doc-purpose": "no"}
NUMBER = re.compile(r"-?\d+(\.\d+)?")
# The SVG attributes that hold numbers (coordinates, sizes), read by the browser or WeasyPrint.
NUMERIC = {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height", "font-size"}


class _SvgNumbers(HTMLParser):
    """Every numeric attribute inside the <svg> elements of a page, as written."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.values: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.depth += 1
        if not self.depth:
            return
        for name, value in attrs:
            if name in NUMERIC:
                self.values.append(value)
            elif name == "viewbox":
                self.values += value.split()
            elif name == "points":
                self.values += [n for pair in value.split() for n in pair.split(",")]

    def handle_endtag(self, tag):
        if tag == "svg":
            self.depth -= 1


def svg_numbers(html: str) -> list[str]:
    reader = _SvgNumbers()
    reader.feed(html)
    return reader.values


def assert_machine_numbers_have_dots(html: str) -> None:
    numbers = svg_numbers(html)
    assert numbers, "the page draws an SVG chart"
    assert [n for n in numbers if not NUMBER.fullmatch(n)] == []
    assert any("." in n for n in numbers)  # decimals are there, with a dot


@pytest.fixture(autouse=True)
def _no_language_left_behind():
    """A request in French leaves French active in this thread until something switches it
    off: do so, so that the next test in this process starts in English."""
    yield
    translation.deactivate()


@pytest.fixture
def figures(project, version):
    for answers, day in ((EARLIER, PINNED_TODAY - datetime.timedelta(days=100)), (LATER, None)):
        assessment = factories.assessment(
            project,
            version,
            status=AssessmentStatus.VALIDATED,
            answers=answers,
            assessed_on=day or PINNED_TODAY,
        )
        score_store(assessment=assessment)
    return project


@pytest.fixture
def french_lead(lead):
    lead.language = "fr"
    lead.save()
    return lead


def chart_data(page: str, chart_id: str) -> tuple[str, dict]:
    found = re.search(
        rf'<script id="{chart_id}-figure" type="application/json">(.*?)</script>', page, re.S
    )
    assert found, chart_id
    return found[1], json.loads(found[1])


def test_the_project_page_in_french_writes_its_figures_in_french_and_its_chart_data_with_dots(
    client, figures, french_lead
):
    client.force_login(french_lead)
    page = client.get(reverse("project_detail", args=[figures.code])).content.decode()

    assert '<html lang="fr">' in page
    # Read by a person: the change since the previous assessment, the chart's table.
    assert "+83,3" in page and "+83.3" not in page
    table = page[page.index('<details class="chart-data">') :]
    assert '<td class="num">83,3</td>' in table and '<td class="num">75,0</td>' in table
    # Read by plotly.js: JSON numbers; and the SVG fallback's coordinates.
    raw, figure = chart_data(page, "chart-profile")
    bars = figure["data"][0]["x"]
    assert bars[0] == pytest.approx(250 / 3, abs=0.001)
    assert "83.33" in raw
    assert_machine_numbers_have_dots(page)


def test_the_brand_page_in_french_too(client, figures, brand, french_lead):
    client.force_login(french_lead)
    page = client.get(reverse("brand_detail", args=[brand.code])).content.decode()
    assert '<html lang="fr">' in page
    table = page[page.index('<details class="chart-data">') :]
    assert '<td class="num">83,3</td>' in table
    raw, figure = chart_data(page, "chart-profile")
    assert figure["data"][0]["x"][0] == pytest.approx(250 / 3, abs=0.001)
    assert "83.33" in raw
    assert_machine_numbers_have_dots(page)


def test_my_works_progress_bars_keep_plain_numbers_in_french(client, project, version, lead):
    lead.language = "fr"
    lead.save()
    factories.assessment(project, version, answers={"doc-purpose": "yes"})  # an open interview
    client.force_login(lead)
    page = client.get(reverse("home")).content.decode()
    bars = re.findall(r'<progress max="([^"]*)" value="([^"]*)"', page)
    assert bars
    assert all(NUMBER.fullmatch(n) for pair in bars for n in pair)


def test_the_pdf_in_french_writes_its_figures_in_french_and_draws_with_dots(figures, lead):
    scope = Scope(
        kind="project",
        user=lead,
        filters=DashboardFilters.parse({}, today=PINNED_TODAY),
        today=PINNED_TODAY,
        brand=figures.brand,
        project=figures,
    )
    with translation.override("fr"):
        html = render_html(scope, PINNED_TODAY)
    assert '<html lang="fr">' in html
    overall = re.search(r'id="project-overall">([^<]*)<', html)[1]
    assert overall == "83,3%"
    assert "75,0" in html
    assert_machine_numbers_have_dots(html)

    with translation.override("en"):
        english = render_html(scope, PINNED_TODAY)
    assert '<html lang="en">' in english
    assert re.search(r'id="project-overall">([^<]*)<', english)[1] == "83.3%"
    assert_machine_numbers_have_dots(english)

"""The group dashboard page: its HTMX partial, the lazy common gaps and the CSV downloads."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.dashboards.filters import Quarter
from scoring.services import score_store
from surveys.models import AssessmentStatus
from tests import factories
from tests.reports.dashboard_data import count_queries

pytestmark = pytest.mark.django_db

URL = reverse("group_dashboard")
YES, NO = {"doc-purpose": "yes"}, {"doc-purpose": "no"}


def scored(project, version, answers, on: datetime.date):
    assessment = factories.assessment(
        project, version, status=AssessmentStatus.VALIDATED, answers=answers, assessed_on=on
    )
    score_store(assessment=assessment)
    return assessment


def this_quarter() -> Quarter:
    return Quarter.of(timezone.localdate())


@pytest.fixture
def figures(brand, project, version):
    """A project that rose from No to Yes since the previous quarter."""
    scored(project, version, NO, this_quarter().previous().start)
    scored(project, version, YES, this_quarter().start)
    return project


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_group_viewer_sees_the_heatmap_with_its_figure_and_table(
    client, group_viewer, brand, figures
):
    client.force_login(group_viewer)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<script id="chart-heatmap-figure"' in page
    assert "Maturity by brand and section (%)" in page
    assert f'<th scope="row">{brand.name}</th>' in page
    assert reverse("project_detail", args=[figures.code]) in page
    assert f'hx-get="{reverse("group_dashboard_gaps")}?' in page


def test_the_heatmap_json_has_a_row_per_brand(client, group_viewer, brand, other_brand, figures):
    client.force_login(group_viewer)
    page = client.get(URL).content.decode()
    start = page.index('<script id="chart-heatmap-figure"')
    payload = page[page.index(">", start) + 1 : page.index("</script>", start)]
    heatmap = json.loads(payload)["data"][0]
    assert heatmap["type"] == "heatmap"
    assert heatmap["y"] == sorted([brand.name, other_brand.name])


@pytest.mark.parametrize("who", ["lead", "viewer", "data_scientist"])
def test_brand_roles_are_refused(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for url in (
        URL,
        reverse("group_dashboard_gaps"),
        reverse("group_dashboard_csv", args=["trend"]),
    ):
        assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"


def test_it_only_takes_get(client, group_viewer):
    client.force_login(group_viewer)
    assert client.post(URL).status_code == 405
    assert client.post(reverse("group_dashboard_gaps")).status_code == 405
    assert client.post(reverse("group_dashboard_csv", args=["heatmap"])).status_code == 405


def test_a_bad_filter_value_is_explained_not_a_500(client, group_viewer, figures):
    client.force_login(group_viewer)
    response = client.get(URL, {"quarter": "2025-Q9", "kind": "rocket", "brand": "nope"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Some filters were ignored" in page
    assert "&#x27;2025-Q9&#x27; is not a quarter like" in page
    assert "&#x27;rocket&#x27; is not one of batch, realtime, both" in page


def test_an_htmx_request_gets_only_the_results_with_the_canonical_address(
    client, group_viewer, figures
):
    client.force_login(group_viewer)
    response = client.get(URL, {"kind": "batch", "submitted": "0"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="dashboard-results"')
    assert "<html" not in page and '<form method="get"' not in page  # no filter form
    quarter = this_quarter().code
    assert response["HX-Push-Url"] == f"{URL}?quarter={quarter}&kind=batch"


def test_a_history_restore_gets_the_whole_page(client, group_viewer):
    client.force_login(group_viewer)
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in client.get(URL, headers=headers).content.decode()


def test_the_filter_form_has_labelled_fields_and_keeps_the_choice(
    client, group_viewer, brand, figures
):
    client.force_login(group_viewer)
    quarter = this_quarter().previous()
    page = client.get(URL, {"quarter": quarter.code, "brand": str(brand.code)}).content.decode()
    for label in ("Quarter", "Brands", "Kind", "Criticality", "Include submitted self-fills"):
        assert label in page
    assert f'<option value="{quarter.code}" selected>' in page
    assert (
        f'<input type="checkbox" name="brand" value="{brand.code}" id="brand-{brand.code}" checked>'
        in page
    )
    assert 'hx-push-url="true"' in page and 'hx-trigger="change"' in page


def test_chosen_brands_are_chips_that_link_to_the_view_without_them(
    client, group_viewer, brand, other_brand, figures
):
    client.force_login(group_viewer)
    quarter = this_quarter()
    query = {"quarter": quarter.code, "brand": [str(brand.code), str(other_brand.code)]}
    page = client.get(URL, query).content.decode()
    chips = page[page.index('<ul class="chips"') : page.index("</ul>", page.index('class="chips"'))]
    assert brand.name in chips and other_brand.name in chips
    assert f'href="?quarter={quarter.code}&amp;brand={other_brand.code}"' in chips
    assert f'data-uncheck="brand-{brand.code}"' in chips
    assert f'href="?quarter={quarter.code}"' in page  # Show all brands
    plain = client.get(URL, {"quarter": quarter.code}).content.decode()
    assert 'class="chips"' not in plain


def test_with_no_figures_it_says_so(client, group_viewer, brand):
    client.force_login(group_viewer)
    page = client.get(URL).content.decode()
    assert "No validated assessments in this quarter yet" in page
    assert '<script id="chart-heatmap-figure"' not in page


def test_the_common_gaps_come_as_a_fragment(client, group_viewer, figures, version):
    other = factories.ProjectFactory(brand=figures.brand)
    scored(other, version, NO, this_quarter().start)
    client.force_login(group_viewer)
    response = client.get(reverse("group_dashboard_gaps"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="dashboard-gaps"')
    assert '<table class="table" id="gaps">' in page and "<html" not in page


def test_the_heatmap_csv_has_a_row_per_brand_and_neutralises_formulas(
    client, group_viewer, brand, version
):
    brand.name = "=HYPERLINK(evil)"
    brand.save()
    scored(factories.ProjectFactory(brand=brand), version, YES, this_quarter().start)
    client.force_login(group_viewer)
    response = client.get(reverse("group_dashboard_csv", args=["heatmap"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = rows_of(response)
    assert rows[0][:2] == ["Brand", "Overall"] and rows[0][-1] == "Projects"
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(evil)"]
    assert rows[1][1] == "100.0" and rows[1][-1] == "1"


def test_the_movers_csv_follows_the_filters(client, group_viewer, figures):
    client.force_login(group_viewer)
    url = reverse("group_dashboard_csv", args=["movers"])
    rows = rows_of(client.get(url))
    assert rows[1] == [f"{figures.name} ({figures.brand.name})", "0.0", "100.0", "100.0"]
    other_kind = next(k for k in ("batch", "realtime") if k != figures.kind)
    assert len(rows_of(client.get(url, {"kind": other_kind}))) == 1


@pytest.mark.parametrize("chart", ["trend", "distribution"])
def test_the_other_downloads_work(client, group_viewer, figures, chart):
    client.force_login(group_viewer)
    assert len(rows_of(client.get(reverse("group_dashboard_csv", args=[chart])))) > 1


def test_an_unknown_chart_is_404(client, group_viewer):
    client.force_login(group_viewer)
    assert client.get(reverse("group_dashboard_csv", args=["pie"])).status_code == 404


def test_the_nav_links_the_dashboard_for_group_roles_only(client, group_viewer, lead):
    link = f'href="{URL}"'
    client.force_login(group_viewer)
    assert link in client.get(reverse("brand_list")).content.decode()
    client.force_login(lead)
    assert link not in client.get(reverse("brand_list")).content.decode()


def test_the_number_of_queries_does_not_grow_with_the_data(
    client, group_viewer, brand, other_brand, version
):
    client.force_login(group_viewer)

    def add_projects(n: int) -> None:
        for _ in range(n):
            for b in (brand, other_brand):
                project = factories.ProjectFactory(brand=b)
                scored(project, version, NO, this_quarter().previous().start)
                scored(project, version, YES, this_quarter().start)

    def queries(cached: bool) -> int:
        return count_queries(lambda: client.get(URL, {"submitted": "1"}), cached=cached)

    add_projects(1)
    queries(False)  # the version's engine view is cached from here on
    cold, cached = queries(False), queries(True)
    assert cached < cold
    add_projects(9)
    assert (queries(False), queries(True)) == (cold, cached)


def test_the_filters_offer_product_lines_and_versions_with_the_chosen_ones_selected(
    client, group_viewer, brand, figures, version
):
    line = factories.ProductLineFactory(name="Cross-sell")
    other_line = factories.ProductLineFactory(name="Demand forecast")
    figures.product_line = line
    figures.save()
    client.force_login(group_viewer)
    page = client.get(URL, {"line": str(line.code), "version": str(version.code)})
    html = page.content.decode()
    assert '<label for="filter-line">Product line</label>' in html
    assert f'<option value="{line.code}" selected>Cross-sell</option>' in html
    assert f'<option value="{other_line.code}">Demand forecast</option>' in html
    assert '<label for="filter-version">Question-set version</label>' in html
    label = f"{version.question_set.name} v{version.number}"
    assert f'<option value="{version.code}" selected>{label}</option>' in html
    assert page.context["data"].projects == 1

    page = client.get(URL, {"line": str(other_line.code)})
    assert page.context["data"].projects == 0
    assert f'<option value="{other_line.code}" selected>' in page.content.decode()

"""Chart definitions, SVG charts, chart tables, the chart include and CSV downloads: no database."""

import csv
import datetime
import io
import itertools
import json
import random
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from reports import chart_tables, charts, svg_charts
from reports.chart_data import (
    ChartTable,
    HeatmapCell,
    Mover,
    RoundMarker,
    SectionFigure,
    Series,
    TrendPoint,
)
from reports.csv_export import csv_cell, csv_response
from scoring.engine import BandSpec, level_for
from tests import factories

BANDS = [
    BandSpec("Initial", 0),
    BandSpec("Repeatable", 30),
    BandSpec("Defined", 50),
    BandSpec("Managed", 70),
    BandSpec("Optimised", 85),
]
SCRIPT = "<script>alert(1)</script>"
D = datetime.date


def cells():
    return [
        [HeatmapCell(62.5, 4, D(2025, 1, 10), D(2025, 3, 20)), HeatmapCell(None)],
        [HeatmapCell(12.0, 1, D(2025, 2, 1), D(2025, 2, 1)), HeatmapCell(91.0, 7)],
    ]


# --- colour scale --------------------------------------------------------------


def test_level_colours_use_the_bands_thresholds_lowest_first():
    assert [m for m, _ in charts.level_colours(reversed(BANDS))] == [0, 30, 50, 70, 85]
    assert len({c for _, c in charts.level_colours(BANDS)}) == 5


def test_level_colours_take_the_default_question_sets_bands():
    spec = factories.default_spec()
    thresholds = sorted(float(level.min_percent) for level in spec.levels)
    assert [m for m, _ in charts.level_colours(spec.levels)] == thresholds


def test_level_colours_accept_decimal_minimums_as_level_bands_store_them():
    bands = [BandSpec("Low", Decimal("0.00")), BandSpec("High", Decimal("50.00"))]
    assert [m for m, _ in charts.level_colours(bands)] == [0.0, 50.0]


@pytest.mark.parametrize("percent", [0, 29.99, 30, 49.9, 50, 69.999, 70, 84.9, 85, 100])
def test_colour_for_agrees_with_the_engines_level(percent):
    by_name = dict(
        zip([b.name for b in BANDS], [c for _, c in charts.level_colours(BANDS)], strict=True)
    )
    assert charts.colour_for(percent, BANDS) == by_name[level_for(percent, BANDS)]


@pytest.mark.parametrize("percent", [0, 0.01, 29.99, 30, 30.0001, 50, 85, 85.5, 100])
def test_level_name_and_colour_follow_the_above_boundary_rule_like_the_engine(percent):
    """A version whose level boundary rule is "above": a band above the lowest is reached
    only strictly above its minimum, on the charts as in the engine."""
    from scoring.engine import ABOVE
    from scoring.selectors.dashboard import LevelBandInfo

    above = [
        LevelBandInfo(b.name, float(b.min_percent), above=index > 0)
        for index, b in enumerate(BANDS)
    ]
    expected = level_for(percent, BANDS, ABOVE)
    assert charts.level_name(percent, above) == expected
    colours = dict(
        zip([b.name for b in BANDS], [c for _, c in charts.level_colours(BANDS)], strict=True)
    )
    assert charts.colour_for(percent, above) == colours[expected]


def test_level_name_at_a_boundary_without_the_above_rule_takes_the_higher_band():
    assert charts.level_name(30, BANDS) == "Repeatable"
    assert charts.level_name(29.999, BANDS) == "Initial"
    assert charts.level_name(None, BANDS) == ""


def test_colour_for_has_a_no_data_colour_for_missing_figures_and_figures_below_every_band():
    assert charts.colour_for(None, BANDS) == charts.NO_DATA
    assert charts.colour_for(10, [BandSpec("Started", 20)]) == charts.NO_DATA


def test_the_palette_is_sequential_darker_for_higher_levels():
    luminances = [charts._luminance(c) for _, c in charts.level_colours(BANDS)]
    assert luminances == sorted(luminances, reverse=True)


@pytest.mark.parametrize("count", range(1, 13))
def test_any_number_of_bands_gets_distinct_colours_and_readable_text(count):
    bands = [BandSpec(f"L{i}", i * 100 / count) for i in range(count)]
    colours = [c for _, c in charts.level_colours(bands)]
    assert len(colours) == count
    assert len(set(colours)) == count or count > 9
    for colour in colours:
        assert charts.contrast_ratio(charts.text_colour_on(colour), colour) >= 4.5


def test_the_heatmap_colorscale_steps_at_the_band_boundaries():
    scale = charts.colorscale(BANDS)
    assert scale[0] == [0.0, charts.level_colours(BANDS)[0][1]]
    assert scale[-1][0] == 1.0
    positions = [p for p, _ in scale]
    assert positions == sorted(positions)
    for minimum, colour in charts.level_colours(BANDS):
        assert [minimum / 100, colour] in scale


def test_the_colorscale_shows_values_below_the_lowest_band_as_no_data():
    scale = charts.colorscale([BandSpec("Started", 20), BandSpec("Good", 60)])
    assert scale[:2] == [[0.0, charts.NO_DATA], [0.2, charts.NO_DATA]]


# --- plotly figures ----------------------------------------------------------------


def test_heatmap_carries_the_figures_and_hover_says_how_many_projects_and_when():
    fig = charts.heatmap(
        rows=["North", "South"], cols=["Data", "Deploy"], cells=cells(), bands=BANDS
    )
    trace = fig["data"][0]
    assert trace["type"] == "heatmap"
    assert trace["z"] == [[62.5, None], [12.0, 91.0]]
    assert trace["zmin"] == 0 and trace["zmax"] == 100
    assert "4 projects" in trace["hovertext"][0][0]
    assert "2025-01-10 to 2025-03-20" in trace["hovertext"][0][0]
    assert "1 project<" in trace["hovertext"][1][0]
    assert "No validated figure" in trace["hovertext"][0][1]
    assert trace["text"][0] == ["62", ""]


def test_heatmap_refuses_cells_that_do_not_match_the_labels():
    with pytest.raises(ValueError):
        charts.heatmap(rows=["North"], cols=["Data", "Deploy"], cells=cells(), bands=BANDS)


def test_user_text_reaches_plotly_escaped():
    fig = charts.heatmap(
        rows=[SCRIPT, "South"], cols=["Data", "Deploy"], cells=cells(), bands=BANDS
    )
    dumped = charts.figure_json(fig)
    assert "<script>" not in dumped
    assert "&lt;script&gt;" in dumped


def test_trend_lines_draw_a_line_per_series_with_n_in_the_hover():
    series = [
        Series("North", [TrendPoint("2024 Q4", 40.0, 3), TrendPoint("2025 Q1", 55.0, 4)]),
        Series("South", [TrendPoint("2024 Q4", None, 0), TrendPoint("2025 Q1", 20.0, 1)]),
    ]
    fig = charts.trend_lines(series=series, bands=BANDS)
    assert [t["name"] for t in fig["data"]] == ["North", "South"]
    assert fig["data"][0]["y"] == [40.0, 55.0]
    assert fig["data"][1]["y"] == [None, 20.0]
    assert "4 projects" in fig["data"][0]["hovertext"][1]
    assert len(fig["layout"]["shapes"]) == len(BANDS)  # the bands behind the lines


def test_a_trend_of_many_brands_highlights_the_highest_and_lowest_and_ranks_the_legend():
    latest = [50.0, 90.0, 10.0, 70.0, 30.0, 95.0, 5.0, 60.0, 40.0, 80.0, 20.0, 65.0, 35.0]
    series = [
        Series(f"Brand {i:02d}", [TrendPoint("2024 Q4", v - 1, 2), TrendPoint("2025 Q1", v, 3)])
        for i, v in enumerate(latest)
    ]
    series.append(Series("No figure", [TrendPoint("2024 Q4", None), TrendPoint("2025 Q1", None)]))
    fig = charts.trend_lines(series=series, bands=BANDS)

    traces = fig["data"]
    assert len(traces) == len(series)  # every brand keeps its line, hover and legend entry
    assert fig["layout"]["legend"]["orientation"] == "v"
    by_rank = sorted(traces, key=lambda t: t["legendrank"])
    assert [t["y"][-1] for t in by_rank[:-1]] == sorted(latest, reverse=True)
    assert by_rank[-1]["name"] == "No figure"
    coloured = {t["y"][-1] for t in traces if t["line"]["color"] != charts.BACKGROUND_LINE}
    assert coloured == {95.0, 90.0, 80.0, 5.0, 10.0, 20.0}
    assert len({t["line"]["color"] for t in traces if t["y"][-1] in coloured}) == 6
    # The coloured lines are drawn over the grey ones.
    assert all(t["line"]["color"] != charts.BACKGROUND_LINE for t in traces[-6:])


def test_a_trend_of_a_few_brands_keeps_their_order_and_colours():
    series = [Series(n, [TrendPoint("2025 Q1", v, 1)]) for n, v in (("B", 10.0), ("A", 90.0))]
    fig = charts.trend_lines(series=series, bands=BANDS)
    assert [t["name"] for t in fig["data"]] == ["B", "A"]
    assert fig["layout"]["legend"]["orientation"] == "h"
    assert all("line" not in t for t in fig["data"])  # the colourway's


def test_distribution_counts_projects_per_band_with_the_bands_colours():
    fig = charts.distribution(values=[5, 29.99, 30, 86, 100], bands=BANDS)
    bar = fig["data"][0]
    assert bar["y"] == [2, 1, 0, 0, 2]
    assert bar["marker"]["color"] == [c for _, c in charts.level_colours(BANDS)]


def test_section_profile_shows_the_comparison_median_with_quartiles_and_n():
    sections = [
        SectionFigure("Data", 60.0, median=50.0, q1=40.0, q3=70.0, n=12),
        SectionFigure("Deploy", None, median=30.0, q1=20.0, q3=45.0, n=12),
    ]
    fig = charts.section_profile(sections=sections, bands=BANDS)
    bars, medians = fig["data"]
    assert bars["x"] == [60.0, None]
    assert medians["x"] == [50.0, 30.0]
    assert medians["error_x"]["array"] == [20.0, 15.0]
    assert medians["error_x"]["arrayminus"] == [10.0, 10.0]
    assert "12 projects" in medians["hovertext"][0]


def test_section_profile_never_shows_a_comparison_group_smaller_than_three():
    sections = [SectionFigure("Data", 60.0, median=50.0, q1=40.0, q3=70.0, n=2)]
    fig = charts.section_profile(sections=sections, bands=BANDS)
    assert len(fig["data"]) == 1
    table = chart_tables.section_table(sections=sections)
    assert table.rows[0][2:] == [None, None, None, None]


def test_core_share_stacks_met_and_missed():
    fig = charts.core_share(met=3, total=8)
    assert [t["x"][0] for t in fig["data"]] == [3, 5]
    assert "3 of 8" in fig["layout"]["title"]["text"]
    with pytest.raises(ValueError):
        charts.core_share(met=9, total=8)


def test_movers_rank_the_largest_changes_first_and_sign_them():
    items = [Mover("A", 40, 45), Mover("B", 60, 48), Mover("C", 10, 30)]
    fig = charts.movers(items=items, limit=2)
    bar = fig["data"][0]
    assert bar["y"] == ["C", "B"]
    assert bar["x"] == [20, -12]
    assert bar["text"] == ["+20.0", "-12.0"]
    assert bar["marker"]["color"][0] != bar["marker"]["color"][1]


def test_figure_data_is_plain_json_with_our_config_and_a_small_template():
    fig = charts.distribution(values=[10, 20], bands=BANDS)
    data = charts.figure_data(fig)
    assert data["config"] == {"displaylogo": False, "responsive": True, "displayModeBar": False}
    assert json.loads(json.dumps(data)) == data
    assert len(charts.figure_json(fig)) < 5000  # not plotly's default template


# --- SVG -----------------------------------------------------------------------------


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_svg_heatmap_is_well_formed_with_escaped_labels_numbers_and_a_legend():
    svg = svg_charts.svg_heatmap(
        rows=[SCRIPT, "B&Co"], cols=["Data", "Deploy"], cells=cells(), bands=BANDS, title="Heat"
    )
    assert "<script>" not in svg
    root = parse(svg)
    labels = texts(root)
    assert SCRIPT in labels and "B&Co" in labels
    assert {"62", "12", "91", charts.DASH} <= set(labels)
    assert any(label.startswith("Optimised 85") for label in labels)
    fills = {r.get("fill") for r in root.iter("{http://www.w3.org/2000/svg}rect")}
    assert charts.colour_for(62.5, BANDS) in fills


def test_svg_bar_chart_draws_one_bar_per_figure_and_says_when_there_is_none():
    svg = svg_charts.svg_bar_chart(
        labels=["Data", SCRIPT], values=[40.0, None], bands=BANDS, title=SCRIPT
    )
    root = parse(svg)
    assert root.find("{http://www.w3.org/2000/svg}title").text == SCRIPT
    labels = texts(root)
    assert "40%" in labels
    assert any("no figure" in label for label in labels)


def test_svg_lines_break_at_missing_quarters():
    series = [
        Series(
            SCRIPT,
            [
                TrendPoint("Q1", 40.0, 3),
                TrendPoint("Q2", 45.0, 3),
                TrendPoint("Q3", None, 0),
                TrendPoint("Q4", 60.0, 3),
            ],
        )
    ]
    root = parse(svg_charts.svg_lines(series=series, bands=BANDS, title="Trend"))
    lines = list(root.iter("{http://www.w3.org/2000/svg}polyline"))
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2
    assert len(list(root.iter("{http://www.w3.org/2000/svg}circle"))) == 3
    assert SCRIPT in texts(root)


def _quarter_labels(root):
    """The x-axis labels (the texts under the plot), as (x, text, half its width)."""
    return [
        (float(t.get("x")), t.text, len(t.text) * float(t.get("font-size")) * svg_charts._CHAR / 2)
        for t in root.iter("{http://www.w3.org/2000/svg}text")
        if t.get("text-anchor") == "middle" and t.get("fill") == charts.MUTED
    ]


def test_svg_lines_keep_the_quarter_labels_inside_the_chart_and_apart():
    quarters = [f"{year} Q{q}" for year in range(2022, 2027) for q in range(1, 5)]
    for labels in (
        ["2024 Q1", "Last quarter so far, as of 18 Nov"],
        [*quarters[:-1], "2026 Q4 (so far)"],
    ):
        points = [TrendPoint(label, 40.0 + n, 3) for n, label in enumerate(labels)]
        root = parse(svg_charts.svg_lines(series=[Series(SCRIPT, points)], bands=BANDS, title="T"))
        width = float(root.get("width"))
        drawn = _quarter_labels(root)
        assert all(half <= x <= width - half for x, _, half in drawn)
        # Labels on one line never overlap; the last quarter is always named.
        rows = {}
        for x, text, _ in drawn:
            rows.setdefault(x, []).append(text)
        columns = sorted((x, max(h for x2, _, h in drawn if x2 == x)) for x in rows)
        assert all(a + ha <= b - hb for (a, ha), (b, hb) in itertools.pairwise(columns))
        assert labels[-1].split(" (")[0] in rows[max(rows)]
    assert rows[max(rows)] == ["2026 Q4", "(so far)"]


# --- tables, the include, CSV ----------------------------------------------------------


def test_heatmap_table_lists_the_figures_rounded():
    table = chart_tables.heatmap_table(
        rows=["North", "South"], cols=["Data", "Deploy"], cells=cells()
    )
    assert table.headers == ["Brand", "Data", "Deploy", "Projects"]
    assert table.rows == [["North", 62.5, None, 4], ["South", 12.0, 91.0, 7]]


def test_the_chart_include_embeds_the_figure_as_json_and_the_numbers_as_a_table():
    fig = charts.heatmap(
        rows=[SCRIPT, "South"], cols=["Data", "Deploy"], cells=cells(), bands=BANDS
    )
    table = chart_tables.heatmap_table(
        rows=[SCRIPT, "South"], cols=["Data", "Deploy"], cells=cells()
    )
    svg = svg_charts.svg_heatmap(
        rows=[SCRIPT, "South"], cols=["Data", "Deploy"], cells=cells(), bands=BANDS, title="Heat"
    )
    html = render_to_string(
        "reports/_chart.html",
        {
            "chart_id": "heat",
            "title": "Maturity by brand",
            "figure": charts.figure_data(fig),
            "table": table,
            "csv_url": "/x.csv?quarter=2025Q1&brand=a",
            "svg": svg,
        },
    )
    assert '<script id="heat-figure" type="application/json">' in html
    embedded = html.split('type="application/json">')[1].split("</script>")[0]
    assert json.loads(embedded)["data"][0]["z"] == [[62.5, None], [12.0, 91.0]]
    assert SCRIPT not in html  # neither in the JSON, the SVG nor the table
    assert 'data-figure-id="heat-figure"' in html
    assert '<th scope="col">Deploy</th>' in html
    assert '<th scope="row">&lt;script&gt;alert(1)&lt;/script&gt;</th>' in html
    assert "<caption>Maturity by brand and section (%)</caption>" in html
    assert 'href="/x.csv?quarter=2025Q1&amp;brand=a"' in html
    assert '<div class="chart-fallback"><svg' in html


def test_the_chart_include_says_when_there_are_no_figures():
    html = render_to_string(
        "reports/_chart.html",
        {"chart_id": "x", "figure": {}, "table": ChartTable("Nothing", ["A", "B"], [])},
    )
    assert 'colspan="2">No figures yet.' in html
    assert "Download" not in html


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("North", "North"),
        (-12.5, -12.5),
        (None, ""),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(value, written):
    assert csv_cell(value) == written


def test_csv_response_is_an_attachment_with_header_and_neutralised_rows():
    response = csv_response(
        'heat map/2025"Q1', ["Brand", "Change"], [["=cmd|' /C calc'!A0", -3.5], ["North", 2]]
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="heat-map-2025-Q1.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["Brand", "Change"], ["'=cmd|' /C calc'!A0", "-3.5"], ["North", "2"]]


# --- plotly.js ----------------------------------------------------------------------------


def test_plotly_js_is_served_from_our_static_files_with_the_traces_we_use():
    bundle = Path(settings.BASE_DIR) / "static" / "vendor" / "plotly" / "plotly-cartesian.min.js"
    head = bundle.read_text(encoding="utf-8")[:200]
    assert "plotly.js (cartesian - minified) v" in head
    scripts = render_to_string("reports/_chart_scripts.html")
    assert "vendor/plotly/plotly-cartesian.min.js" in scripts and "//cdn" not in scripts


@pytest.mark.django_db
def test_versions_info_marks_the_bands_an_above_rule_reaches_only_strictly_above():
    from scoring.selectors.dashboard import _versions_info

    version = factories.default_version()
    assert not any(band.above for band in _versions_info((version.pk,))[version.pk].bands)

    type(version).objects.filter(pk=version.pk).update(level_boundary="above")
    bands = _versions_info((version.pk,))[version.pk].bands
    assert [band.above for band in bands] == [False] + [True] * (len(bands) - 1)
    lowest_but_one = bands[1]
    assert charts.level_name(lowest_but_one.min_percent, bands) == bands[0].name


def every_figure() -> dict:
    """One figure of every kind the pages draw, with awkward inputs (missing figures, many
    brands, user text)."""
    many = [
        Series(f"Brand {i:02d}", [TrendPoint("2024 Q4", v - 1, 2), TrendPoint("2025 Q1", v, 3)])
        for i, v in enumerate([50.0, 90.0, 10.0, 70.0, 30.0, 95.0, 5.0, 60.0, 40.0, 80.0])
    ]
    many.append(Series(SCRIPT, [TrendPoint("2024 Q4", None), TrendPoint("2025 Q1", None)]))
    few = [Series(n, [TrendPoint("2025 Q1", v, 1)]) for n, v in (("B", 10.0), ("A", 90.0))]
    sections = [
        SectionFigure("Data", 60.0, median=50.0, q1=40.0, q3=70.0, n=12),
        SectionFigure("Deploy", None, median=30.0, q1=20.0, q3=45.0, n=2),
    ]
    return {
        "heatmap": charts.heatmap(
            rows=[SCRIPT, "South"], cols=["Data", "Deploy"], cells=cells(), bands=BANDS
        ),
        "heatmap of Decimal figures": charts.heatmap(
            rows=["North"],
            cols=["Data"],
            cells=[[HeatmapCell(Decimal("62.50"), 4, D(2025, 1, 10), D(2025, 3, 20))]],
            bands=[BandSpec("Low", Decimal("0.00")), BandSpec("High", Decimal("50.00"))],
        ),
        "trend many": charts.trend_lines(series=many, bands=BANDS),
        "trend few": charts.trend_lines(series=few, bands=BANDS),
        "trend with rounds": charts.trend_lines(
            series=many,
            bands=BANDS,
            rounds=[RoundMarker(SCRIPT, "2025 Q1", 55.0, 4), RoundMarker("Old", "2020 Q1", 1, 1)],
        ),
        "distribution": charts.distribution(values=[5, 29.99, 30, 86, 100], bands=BANDS),
        "distribution empty": charts.distribution(values=[], bands=BANDS),
        "profile": charts.section_profile(sections=sections, bands=BANDS),
        "core": charts.core_distribution(per_project=[(3, 5), (5, 5), (0, 4), (4, 4)]),
        "core share": charts.core_share(met=3, total=8),
        "core share of none": charts.core_share(met=0, total=0),
        "movers": charts.movers(items=[Mover("A", 40, 45), Mover(SCRIPT, 60, 48)], limit=5),
    }


def test_every_chart_is_what_plotly_makes_of_it_with_its_checks_on():
    """The figures are plain dicts, never checked by plotly on the way to a page: plotly,
    checking every property, must know each one and make the same JSON of it."""
    import plotly.graph_objects as go
    import plotly.io as pio

    for name, fig in every_figure().items():
        checked = json.loads(pio.to_json(go.Figure(fig), validate=True, engine="json"))
        data = charts.figure_data(fig)
        assert data["data"] == checked["data"], name
        assert data["layout"] == checked["layout"], name


def test_a_figure_is_written_as_plotly_wrote_it():
    """A trace's properties in alphabetical order with its type last, the layout's top-level
    properties in alphabetical order: the JSON on the page is the same text as before."""
    fig = every_figure()["core share"]
    assert list(fig["data"][0]) == [*sorted(set(fig["data"][0]) - {"type"}), "type"]
    assert list(fig["data"][0]["marker"]) == sorted(fig["data"][0]["marker"])
    layout = list(fig["layout"])
    assert layout[:-1] == sorted(layout[:-1]) and layout[-1] == "meta"
    assert charts.figure_json(fig).startswith('{"data": [{"hovertemplate": ')


def test_figure_data_writes_decimals_as_numbers_and_nan_as_null():
    fig = charts.heatmap(
        rows=["North"], cols=["Data"], cells=[[HeatmapCell(float("nan"), 1)]], bands=BANDS
    )
    assert charts.figure_data(fig)["data"][0]["z"] == [[None]]
    decimal = every_figure()["heatmap of Decimal figures"]
    assert charts.figure_data(decimal)["data"][0]["z"] == [[62.5]]


def test_the_band_reached_is_the_last_one_the_rule_lets_in_even_with_equal_minima():
    """`Levels` finds the band by bisection; the rule it stands for, band by band: the last
    band whose minimum is below the figure, or equal to it and not marked `above`."""
    from scoring.selectors.dashboard import LevelBandInfo

    rng = random.Random(7)
    for _ in range(300):
        minima = sorted(rng.choice([0, 10, 25, 25, 50, 50, 50, 75, 99.5]) for _ in range(4))
        bands = [
            LevelBandInfo(f"L{i}", float(m), above=rng.random() < 0.5) for i, m in enumerate(minima)
        ]
        levels = charts.Levels(bands)
        for value in [*minima, -1, 100, *(rng.uniform(-5, 105) for _ in range(20))]:
            expected = None
            for index, band in enumerate(bands):
                if value > band.min_percent or (value == band.min_percent and not band.above):
                    expected = index
            assert levels.index(value) == expected, (minima, [b.above for b in bands], value)

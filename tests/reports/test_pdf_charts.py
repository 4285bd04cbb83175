"""The SVG charts' options the PDF reports use: comparison markers on bars, wrapped column titles."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from reports import charts, svg_charts
from reports.chart_data import HeatmapCell

SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Band:
    name: str
    min_percent: float


BANDS = [Band("Initial", 0), Band("Defined", 50), Band("Managed", 70)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def test_bar_markers_draw_a_diamond_and_whisker_per_shown_comparison():
    root = parse(
        svg_charts.svg_bar_chart(
            labels=["Overall", "Docs", "Tests"],
            values=[60.0, 40.0, 80.0],
            bands=BANDS,
            title="Profile",
            markers=[(55.0, 45.0, 65.0), None, (70.0, None, None)],
            marker_name="Other brands",
        )
    )
    diamonds = list(root.iter(f"{SVG}polygon"))
    assert len(diamonds) == 2 + 1  # two comparisons and the key's sample
    whiskers = [line for line in root.iter(f"{SVG}line") if line.get("stroke") == charts.INK]
    assert len(whiskers) == 1  # only the comparison with both quartiles
    assert any("Other brands" in t for t in texts(root))
    # The bars keep their band colours.
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert charts.colour_for(80.0, BANDS) in fills


def test_bars_without_markers_are_drawn_as_before():
    plain = svg_charts.svg_bar_chart(labels=["A"], values=[50.0], bands=BANDS, title="T")
    empty = svg_charts.svg_bar_chart(
        labels=["A"], values=[50.0], bands=BANDS, title="T", markers=[None], marker_name="X"
    )
    assert plain == empty
    assert "<polygon" not in plain


def test_markers_need_one_entry_per_label():
    with pytest.raises(ValueError, match="one marker"):
        svg_charts.svg_bar_chart(
            labels=["A", "B"], values=[1.0, 2.0], bands=BANDS, title="T", markers=[None]
        )


def test_heatmap_wraps_long_column_titles_only_when_asked():
    long = "Traceability and reproducibility (infrastructure and ML code)"
    cells = [[HeatmapCell(62.0, 3), HeatmapCell(None)]]
    kwargs = {"rows": ["Acme"], "cols": ["Overall", long], "cells": cells, "bands": BANDS}
    one_line = parse(svg_charts.svg_heatmap(title="H", **kwargs))
    wrapped = parse(svg_charts.svg_heatmap(title="H", wrap=18, **kwargs))
    assert long in texts(one_line)
    parts = [t for t in texts(wrapped) if t and t in long and t != long]
    assert len(parts) >= 3 and " ".join(parts) == long
    assert float(wrapped.get("width")) < float(one_line.get("width"))


def test_user_text_in_the_new_parts_is_escaped():
    svg = svg_charts.svg_heatmap(
        rows=["<b>Brand</b>"],
        cols=["<script>alert(1)</script> and a long title"],
        cells=[[HeatmapCell(50.0, 3)]],
        bands=BANDS,
        title="H",
        wrap=10,
    )
    assert "<script>" not in svg and "<b>" not in svg
    assert "<b>Brand</b>" in texts(parse(svg))

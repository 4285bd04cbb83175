"""A closed round is a named point on the trend charts: a "Rounds" marker series at the quarter
the round closed in, at the round's figure, in the chart (plotly), its SVG twin (the PDF and
the no-JavaScript fallback), its table and CSV. A brand's page marks the brand's own figure.

Dates are the pinned day (tests/clock.py, 18 Nov 2026: 2026 Q4, the quarter shown "so far").
"""

import csv
import datetime
import io
import statistics
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from reports import chart_tables, charts, svg_charts
from reports.chart_data import RoundMarker, Series, TrendPoint
from scoring.models import Score
from scoring.selectors.rounds import closed_round_points_for, closed_round_points_of_brand
from scoring.services import score_store
from surveys import question_set_format as fmt
from surveys import services
from surveys.management.commands.import_question_set import DEMO_SECOND_SET
from surveys.models import AssessmentStatus
from tests import factories
from tests.clock import PINNED_TODAY

SVG = "{http://www.w3.org/2000/svg}"
BANDS = [
    type("B", (), {"name": "Low", "min_percent": 0})(),
    type("B", (), {"name": "High", "min_percent": 60})(),
]
NOW = "2026 Q4 (so far)"


def _rounds_trace(figure: dict) -> dict | None:
    found = [t for t in figure["data"] if t.get("name") == charts.ROUNDS]
    assert len(found) <= 1
    return found[0] if found else None


# -- The chart builders (pure) ----------------------------------------------------------------


def test_rounds_are_diamonds_at_their_quarter_named_in_hover_and_beside_the_marker():
    series = [
        Series("Acme", [TrendPoint("2026 Q2", 40.0, 3), TrendPoint("2026 Q3", 50.0, 4)]),
    ]
    rounds = [
        RoundMarker("2026 Q3 round", "2026 Q3", 52.44, 12),
        RoundMarker("2024 Q1 round", "2024 Q1", 30.0, 5),  # before the chart's quarters
        RoundMarker("Empty round", "2026 Q2", None, 0),  # nothing validated: nothing to draw
    ]
    fig = charts.figure_data(charts.trend_lines(series=series, bands=BANDS, rounds=rounds))
    trace = _rounds_trace(fig)
    assert trace["x"] == ["2026 Q3"] and trace["y"] == [52.44]
    assert trace["mode"] == "markers+text" and trace["marker"]["symbol"] == "diamond"
    assert trace["text"] == ["2026 Q3 round"]
    assert trace["hovertext"] == ["2026 Q3 round: 52.4%, 12 projects"]
    # The lines' categories are unchanged: the round left out added no quarter.
    assert {x for t in fig["data"] for x in t["x"]} == {"2026 Q2", "2026 Q3"}

    # Without rounds to draw there is no Rounds series.
    assert _rounds_trace(charts.figure_data(charts.trend_lines(series=series, bands=BANDS))) is None

    table = chart_tables.trend_table(series=series, rounds=rounds)
    assert table.rows[-3:] == [
        ["2026 Q3 round", "2026 Q3", 52.4, 12],
        ["2024 Q1 round", "2024 Q1", 30.0, 5],  # the table still says it
        ["Empty round", "2026 Q2", None, 0],
    ]

    root = ElementTree.fromstring(
        svg_charts.svg_lines(series=series, bands=BANDS, title="Trend", rounds=rounds)
    )
    titles = [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")]
    assert titles == ["2026 Q3 round: 52.4%, 12 projects"]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "2026 Q3 round" in texts and "Rounds" in texts
    assert "2024 Q1 round" not in texts and "Empty round" not in texts


def test_an_escaped_round_name_stays_text():
    series = [Series("Acme", [TrendPoint("2026 Q3", 50.0, 4)])]
    rounds = [RoundMarker("<b>Q3</b> & more", "2026 Q3", 50.0, 3)]
    trace = _rounds_trace(
        charts.figure_data(charts.trend_lines(series=series, bands=BANDS, rounds=rounds))
    )
    assert trace["text"] == ["&lt;b&gt;Q3&lt;/b&gt; &amp; more"]
    svg = svg_charts.svg_lines(series=series, bands=BANDS, title="T", rounds=rounds)
    assert "<b>" not in svg and ElementTree.fromstring(svg) is not None


# -- On the dashboards, from stored scores ----------------------------------------------------


def _stored(member) -> float:
    return float(Score.objects.get(assessment=member.assessment).overall) * 100


@pytest.fixture
def closed(brand, other_brand, version, group_assessor):
    """A closed round of the main set today: three validated projects of `brand` (one of them
    at 100 %), two of `other_brand` at 0 %, so the brand's figure and the group's differ."""
    round_ = factories.round_(
        version,
        name="2026 Q4 round",
        opens_on=PINNED_TODAY - datetime.timedelta(days=30),
        due_on=PINNED_TODAY,
        status="closed",
    )
    answers = {"doc-purpose": "yes"}, {"doc-purpose": "partly"}, {"doc-purpose": "no"}
    members = {brand.pk: [], other_brand.pk: []}
    for i, answer in enumerate(answers):
        project = factories.ProjectFactory(brand=brand, name=f"Acme {i}")
        members[brand.pk].append(_member(round_, project, version, answer))
    for i in range(2):
        project = factories.ProjectFactory(brand=other_brand, name=f"Other {i}")
        members[other_brand.pk].append(_member(round_, project, version, {"doc-purpose": "no"}))
    return round_, members


def _member(round_, project, version, answers):
    member = factories.round_member(
        round_, project, version, status=AssessmentStatus.VALIDATED, answers=answers
    )
    score_store(assessment=member.assessment)
    return member


@pytest.fixture
def second_set_round(version, group_admin, other_brand):
    loaded, _ = services.question_set_import(
        spec=fmt.parse(DEMO_SECOND_SET.read_text(encoding="utf-8")), publish=True
    )
    services.question_set_activate(question_set=loaded.question_set, user=group_admin, active=True)
    round_ = factories.round_(
        loaded, name="Second-set round", opens_on=PINNED_TODAY, due_on=PINNED_TODAY, status="closed"
    )
    project = factories.ProjectFactory(brand=other_brand, name="Second-set project")
    answers = {q.key: "yes" for q in loaded.questions.all() if q.applies_to == "all"}
    _member(round_, project, loaded, answers)
    return loaded


@pytest.mark.django_db
def test_the_group_trend_marks_the_round_at_its_figure_in_chart_table_svg_and_csv(
    closed, second_set_round, group_viewer, client
):
    _, members = closed
    everyone = [_stored(m) for ms in members.values() for m in ms]
    expected = statistics.fmean(everyone)
    (point,) = closed_round_points_for(None)
    assert point.mean == pytest.approx(expected) and point.n == 5

    client.force_login(group_viewer)
    response = client.get(reverse("group_dashboard"))
    trend = response.context["charts"]["trend"]
    trace = _rounds_trace(trend.figure)
    assert trace["x"] == [NOW] and trace["y"] == [pytest.approx(expected)]
    assert trace["hovertext"] == [f"2026 Q4 round: {expected:.1f}%, 5 projects"]
    assert ["2026 Q4 round", NOW, round(expected, 1), 5] in trend.table.rows
    assert f"<title>2026 Q4 round: {expected:.1f}%, 5 projects</title>" in trend.svg
    # The round of the other set is nowhere on the main set's trend.
    page = response.content.decode()
    assert "Second-set round" not in page
    assert not any(row[0] == "Second-set round" for row in trend.table.rows)

    download = client.get(reverse("group_dashboard_csv", args=["trend"]))
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert ["2026 Q4 round", NOW, f"{round(expected, 1)}", "5"] in rows

    # With the second set chosen, its round is marked and the main set's is not.
    chosen = {"set": str(second_set_round.question_set.code)}
    trend = client.get(reverse("group_dashboard"), chosen).context["charts"]["trend"]
    names = [row[0] for row in trend.table.rows]
    assert "Second-set round" in names and "2026 Q4 round" not in names
    assert _rounds_trace(trend.figure)["text"] == ["Second-set round"]


@pytest.mark.django_db
def test_a_brands_round_figure_is_the_mean_of_its_own_validated_members(
    closed, brand, other_brand, lead, outsider, client
):
    _, members = closed
    own = statistics.fmean(_stored(m) for m in members[brand.pk])
    theirs = statistics.fmean(_stored(m) for m in members[other_brand.pk])
    assert own != pytest.approx(theirs)
    (point,) = closed_round_points_of_brand(None, brand.pk)
    assert (point.n, point.mean) == (3, pytest.approx(own))

    client.force_login(lead)
    trend = client.get(reverse("brand_detail", args=[brand.code])).context["charts"]["trend"]
    trace = _rounds_trace(trend.figure)
    assert trace["x"] == [NOW] and trace["y"] == [pytest.approx(own)]
    assert trace["hovertext"] == [f"2026 Q4 round: {own:.1f}%, 3 projects"]
    assert ["2026 Q4 round", NOW, round(own, 1), 3] in trend.table.rows
    assert f"<title>2026 Q4 round: {own:.1f}%, 3 projects</title>" in trend.svg
    download = client.get(reverse("brand_dashboard_csv", args=[brand.code, "trend"]))
    assert f"2026 Q4 round,{NOW},{round(own, 1)},3" in download.content.decode("utf-8-sig")

    # The other brand's lead sees their own brand's figure, and never this brand's.
    client.force_login(outsider)
    trend = client.get(reverse("brand_detail", args=[other_brand.code])).context["charts"]["trend"]
    assert _rounds_trace(trend.figure)["y"] == [pytest.approx(theirs)]
    assert client.get(reverse("brand_detail", args=[brand.code])).status_code == 404


@pytest.mark.django_db
def test_a_brand_outside_the_round_has_no_round_marker(closed, version):
    third = factories.BrandFactory(name="Third Brand")
    project = factories.ProjectFactory(brand=third, name="Alone")
    assessment = factories.assessment(
        project, version, status=AssessmentStatus.VALIDATED, answers={"doc-purpose": "yes"}
    )
    score_store(assessment=assessment)
    assert closed_round_points_of_brand(None, third.pk) == []


@pytest.mark.django_db
def test_the_pdf_trends_carry_the_round(closed, brand, group_viewer, lead):
    from reports.builders import Scope
    from reports.builders.pdf import render_html
    from reports.dashboards import DashboardFilters

    _, members = closed
    everyone = statistics.fmean(_stored(m) for ms in members.values() for m in ms)
    own = statistics.fmean(_stored(m) for m in members[brand.pk])
    filters = DashboardFilters.parse({}, today=PINNED_TODAY)
    group = Scope(kind="group", user=group_viewer, filters=filters, today=PINNED_TODAY)
    assert f"<title>2026 Q4 round: {everyone:.1f}%, 5 projects</title>" in render_html(
        group, PINNED_TODAY
    )
    mine = Scope(kind="brand", user=lead, brand=brand, filters=filters, today=PINNED_TODAY)
    assert f"<title>2026 Q4 round: {own:.1f}%, 3 projects</title>" in render_html(
        mine, PINNED_TODAY
    )


@pytest.mark.django_db
def test_the_excel_trends_carry_the_round_as_diamonds(closed, brand, group_viewer, lead):
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    from reports.builders import Scope
    from reports.builders.excel import CLOSED_ROUNDS, build_excel
    from reports.dashboards import DashboardFilters

    _, members = closed
    everyone = statistics.fmean(_stored(m) for ms in members.values() for m in ms)
    own = statistics.fmean(_stored(m) for m in members[brand.pk])
    filters = DashboardFilters.parse({}, today=PINNED_TODAY)
    scopes = (
        (Scope(kind="group", user=group_viewer, filters=filters, today=PINNED_TODAY), everyone),
        (
            Scope(kind="brand", user=lead, brand=brand, filters=filters, today=PINNED_TODAY),
            own,
        ),
    )
    for scope, expected in scopes:
        out = io.BytesIO()
        build_excel(scope, out, lambda percent: None)
        sheet = load_workbook(io.BytesIO(out.getvalue()))["Trend"]
        rows = list(sheet.iter_rows(values_only=True))
        column = rows[0].index(CLOSED_ROUNDS)
        marked = {row[0]: (row[column], row[column + 1]) for row in rows[1:] if row[column]}
        assert marked == {NOW: (pytest.approx(expected / 100), "2026 Q4 round")}
        (chart,) = sheet._charts
        diamonds = chart.series[-1]
        assert diamonds.tx.strRef.f == f"'Trend'!{get_column_letter(column + 1)}1"
        assert diamonds.marker.symbol == "diamond" and diamonds.graphicalProperties.line.noFill


@pytest.mark.django_db
def test_the_round_markers_follow_the_dashboard_filters(
    closed, brand, other_brand, group_viewer, lead, client
):
    _, members = closed
    realtime = [members[brand.pk][0], members[other_brand.pk][0]]
    for member in realtime:
        member.project.kind = "realtime"
        member.project.save(update_fields=["kind"])
    figures = {m.pk: _stored(m) for ms in members.values() for m in ms}

    client.force_login(group_viewer)
    trend = client.get(reverse("group_dashboard"), {"kind": "realtime"}).context["charts"]["trend"]
    expected = statistics.fmean(figures[m.pk] for m in realtime)
    assert _rounds_trace(trend.figure)["y"] == [pytest.approx(expected)]
    assert f"2026 Q4 round: {expected:.1f}%, 2 projects" in trend.svg
    # Chosen brands narrow it too; a filter that keeps no member leaves no figure.
    chosen = client.get(reverse("group_dashboard"), {"brand": str(other_brand.code)})
    expected = statistics.fmean(figures[m.pk] for m in members[other_brand.pk])
    assert _rounds_trace(chosen.context["charts"]["trend"].figure)["y"] == [pytest.approx(expected)]
    nothing = client.get(reverse("group_dashboard"), {"criticality": "low", "kind": "both"})
    assert "2026 Q4 round" not in nothing.context["charts"]["trend"].svg

    client.force_login(lead)
    page = client.get(reverse("brand_detail", args=[brand.code]), {"kind": "batch"})
    expected = statistics.fmean(figures[m.pk] for m in members[brand.pk][1:])
    trace = _rounds_trace(page.context["charts"]["trend"].figure)
    assert trace["y"] == [pytest.approx(expected)]
    assert trace["hovertext"] == [f"2026 Q4 round: {expected:.1f}%, 2 projects"]


def _upgraded(assessment, version, answers):
    """A validated assessment of the same project that `assessment` was upgraded to."""
    newer = factories.assessment(
        assessment.project, version, status=AssessmentStatus.VALIDATED, answers=answers
    )
    score_store(assessment=newer)
    type(assessment).objects.filter(pk=assessment.pk).update(superseded_by=newer)
    return newer


@pytest.mark.django_db
@pytest.mark.parametrize("upgrades", [1, 2, 3])
def test_a_member_counts_with_the_assessment_its_upgrades_led_to(closed, version, upgrades):
    """The round's points read the members as plain values, two upgrades deep as the round's
    pages read them, and a deeper chain through the members themselves: the same figures."""
    from scoring.selectors.rounds import _validated, _validated_in_round, round_scores
    from surveys.selectors.rounds import round_members

    round_, members = closed
    member = next(iter(members.values()))[0]
    current = member.assessment
    for _ in range(upgrades):
        current = _upgraded(current, version, {"doc-purpose": "partly"})

    assert _validated_in_round(round_) == (5, _validated(round_members(round_)))
    scores = round_scores(round_)
    assert scores[member.project_id] == pytest.approx(
        float(Score.objects.get(assessment=current).overall) * 100
    )
    assert scores[member.project_id] != pytest.approx(_stored(member))
    (point,) = closed_round_points_for(None)
    assert (point.n, point.mean) == (5, pytest.approx(statistics.fmean(scores.values())))

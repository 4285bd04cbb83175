"""The PDF reports: built through the real stack, read back with pdftotext, checked against
the scoring engine's figures for the same scope, and against the role rules.

Figures are never hard-coded: each expected number is the engine's score of the
assessment the scope counts (`assessment_result`), or a mean of those, and the
printed number (one decimal) must be within rounding of it.
"""

import datetime
import io
import re
import shutil
import statistics
import subprocess

import pytest
from django.core.exceptions import PermissionDenied

from reports.builders import Scope, build
from reports.builders.pdf import BASE_URL, StaticOnlyFetcher, render_html, static_path
from reports.dashboards import DashboardFilters
from scoring.selectors import assessment_result, common_gaps, project_plan
from scoring.services import score_store
from surveys.models import AssessmentStatus
from tests import factories
from tests.reports.dashboard_data import mean, recomputed

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("pdftotext") is None,
        reason="pdftotext is missing: install poppler-utils (CI's .ci/run does)",
    ),
]

D = datetime.date
TODAY = D(2025, 5, 10)  # in 2025 Q2
CHOICES = ("yes", "partly", "no", "yes", "na", "partly", "yes")
PAYLOAD = '<script>alert("pdf")</script><b>bold?</b>'


# --- data ----------------------------------------------------------------------


def answers_for(version, seed: int) -> dict[str, str]:
    """Every statement answered, differently for each seed (some N/A)."""
    keys = list(version.questions.order_by("order").values_list("key", flat=True))
    return {key: CHOICES[(i * 3 + seed) % len(CHOICES)] for i, key in enumerate(keys)}


def validated(project, version, seed: int, on: datetime.date):
    assessment = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers=answers_for(version, seed),
        assessed_on=on,
    )
    score_store(assessment=assessment)
    return assessment


@pytest.fixture
def group(version, brand, other_brand, project, other_project):
    """Three brands of three projects each, all validated; `project` assessed twice."""
    third = factories.BrandFactory(name="Third Markets")
    projects = {brand: [project], other_brand: [other_project], third: []}
    names = iter(
        (
            "Churn model",
            "Price elasticity",
            "Shelf vision",
            "Basket API",
            "Fraud score",
            "Stock forecast",
            "Route planner",
        )
    )
    for b in projects:
        while len(projects[b]) < 3:
            projects[b].append(factories.ProjectFactory(brand=b, name=next(names), kind="batch"))
    seed = 0
    for items in projects.values():
        for p in items:
            seed += 1
            validated(p, version, seed, D(2025, 2, 1))
    first = project.assessments.get()
    latest = validated(project, version, 40, D(2025, 4, 20))
    return {"brands": list(projects), "projects": projects, "first": first, "latest": latest}


def filters(query: dict | None = None) -> DashboardFilters:
    return DashboardFilters.parse(query or {}, today=TODAY)


# --- reading the PDF back --------------------------------------------------------


def build_pdf_bytes(kind, user, **kwargs) -> bytes:
    seen: list[int] = []
    out = io.BytesIO()
    scope = Scope(
        kind=kind, user=user, filters=kwargs.pop("filters", filters()), today=TODAY, **kwargs
    )
    build("pdf", scope, out, seen.append)
    assert seen == sorted(seen) and seen[-1] == 100, seen
    return out.getvalue()


def pdf_text(pdf: bytes, tmp_path, mode: str = "-layout") -> list[str]:
    """The text of each page: laid out as printed, or with "-raw" in the order it was drawn
    (a table cell's lines stay together)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", mode, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[: -1 if text.endswith("\f") else None]


def chapter(pages: list[str], heading: str, following: str) -> str:
    """The text from the chapter heading (a line of its own, not the contents' dotted line)
    up to the next chapter's heading."""
    text = "\n".join(pages)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == heading)
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].strip() == following), len(lines)
    )
    return "\n".join(lines[start:end])


def number_after(text: str, label: str) -> float:
    """The first number with one decimal on the line that starts with `label` (its first
    24 characters: a long label wraps in its table cell, the figure stays on the first line)."""
    head = label[:24]
    for line in text.splitlines():
        if line.strip().startswith(head):
            rest = line.strip()[len(head) :]
            match = re.search(r"(-?\d+\.\d)", rest)
            assert match, f"no figure on the line of {label!r}: {line!r}"
            return float(match[1])
    raise AssertionError(f"no line starts with {label!r}")


def close(printed: float, expected: float) -> bool:
    """Printed to one decimal: within half a unit of the last digit (and float noise)."""
    return abs(printed - expected) <= 0.05 + 1e-6


# --- figures -----------------------------------------------------------------------


def test_group_report_prints_each_brands_and_sections_figures_as_the_engine_scores_them(
    group, group_viewer, tmp_path
):
    pages = pdf_text(build_pdf_bytes("group", group_viewer), tmp_path)
    brands_chapter = chapter(pages, "Brands at a glance", "Maturity by brand and section")
    everyone = []
    for brand in group["brands"]:
        results = recomputed(brand.projects.all(), D(2025, 6, 30))
        everyone += results.values()
        expected = mean(r.percent for r in results.values())
        assert close(number_after(brands_chapter, brand.name), expected), brand.name
    assert close(number_after(brands_chapter, "All brands"), mean(r.percent for r in everyone))

    gaps = chapter(pages, "Common gaps", "Appendix: how the figures are made")
    report = common_gaps(brands=group["brands"], quarter_end=D(2025, 6, 30))
    assert report.gaps, "the test data leaves statements unmet"
    flat = " ".join(gaps.split())
    for gap in report.gaps[:3]:
        assert f"{gap.unmet} of {gap.applicable}" in flat
        assert " ".join(gap.text.split()[:4]) in flat

    profile = chapter(pages, "Section profile of the group", "Maturity over time")
    version = factories.default_version()
    for section in version.sections.all():
        expected = mean(r.sections[section.key].percent for r in everyone)
        assert close(number_after(profile.split("Mean %")[1], section.title), expected)


def test_brand_report_prints_its_projects_and_mean_as_the_engine_scores_them(
    group, brand, lead, tmp_path
):
    pages = pdf_text(build_pdf_bytes("brand", lead, brand=brand), tmp_path)
    results = recomputed(brand.projects.all(), D(2025, 6, 30))
    summary = chapter(pages, "Summary", "Section profile against other brands")
    assert close(
        number_after(summary, "Mean overall score"), mean(r.percent for r in results.values())
    )
    projects = chapter(pages, "Projects", "Common gaps")
    for p in brand.projects.all():
        assert close(number_after(projects, p.name), results[p.pk].percent), p.name

    # The trend: the mean of the engine's figures at each quarter's end.
    trend = chapter(pages, "Maturity over time", "Projects").split("Mean overall %")[-1]
    for label, end in (("2025 Q1", D(2025, 3, 31)), ("2025 Q2 (so far)", TODAY)):
        at = recomputed(brand.projects.all(), end)
        assert close(number_after(trend, label), mean(r.percent for r in at.values())), label

    # The profile's comparison: the median of the other brands' projects, from the engine too.
    others = recomputed(
        [p for b in group["brands"] if b != brand for p in b.projects.all()], D(2025, 6, 30)
    )
    profile = chapter(pages, "Section profile against other brands", "Maturity over time")
    table = profile.split("Others: lower")[1]
    row = next(line for line in table.splitlines() if line.strip().startswith("Overall"))
    numbers = [float(n) for n in re.findall(r"\d+\.\d", row)]
    assert close(numbers[0], mean(r.percent for r in results.values()))
    assert close(numbers[2], statistics.median(r.percent for r in others.values()))


def test_project_report_prints_its_profile_movement_and_plan_from_the_selectors(
    group, project, lead, tmp_path
):
    pages = pdf_text(
        build_pdf_bytes("project", lead, brand=project.brand, project=project), tmp_path
    )
    latest = assessment_result(group["latest"])
    first = assessment_result(group["first"])

    summary = chapter(pages, "Summary", "Section profile")
    assert close(number_after(summary, "Overall score"), latest.percent)
    assert latest.level in summary

    profile = chapter(pages, "Section profile", "What moved since the last assessment")
    table = profile.split("Quartiles")[1]
    for section in group["latest"].version.sections.all():
        assert close(number_after(table, section.title), latest.sections[section.key].percent)

    moved = chapter(pages, "What moved since the last assessment", "Improvement plan")
    points = float(re.search(r"\(([+-]\d+\.\d) points\)", moved)[1])
    assert close(points, latest.percent - first.percent)

    plan = chapter(pages, "Improvement plan", "Answers")
    items = project_plan(project).items
    assert items, "the test data leaves statements unmet"
    assert f"{len(items)} statement" in plan
    first_item = " ".join(items[0].question.text.split()[:4])
    assert first_item in " ".join(plan.split())


def test_every_page_but_the_cover_has_its_number_and_the_footer(group, brand, lead, tmp_path):
    pages = pdf_text(build_pdf_bytes("brand", lead, brand=brand), tmp_path)
    assert len(pages) > 3
    assert "Page 1 of" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in page
        assert (
            "Yardstick · Brand report: Acme Groceries · 2025 Q2 so far · built 10 May 2025" in page
        )


def test_the_contents_give_the_page_each_chapter_starts_on(group, group_viewer, tmp_path):
    pages = pdf_text(build_pdf_bytes("group", group_viewer), tmp_path)
    contents = pages[1]
    assert "Contents" in contents
    for heading in ("Summary", "Brands at a glance", "Common gaps", "Appendix: how the figures"):
        line = next(row for row in contents.splitlines() if row.strip().startswith(heading))
        page = int(line.split()[-1])
        first_lines = [row.strip() for row in pages[page - 1].splitlines() if row.strip()]
        assert any(heading in row for row in first_lines[:2]), (heading, page)


# --- role rules, escaping, vectors ---------------------------------------------------------


def test_a_brand_members_reports_never_name_another_brands_projects(
    group, brand, project, lead, tmp_path
):
    foreign = [p.name for b in group["brands"] if b != brand for p in b.projects.all()] + [
        b.name for b in group["brands"] if b != brand
    ]
    # Another brand's code typed into the filters does not bring its name in either.
    typed = filters({"brand": [str(b.code) for b in group["brands"]]})
    for kwargs in ({"brand": brand}, {"brand": brand, "project": project}):
        kind = "project" if "project" in kwargs else "brand"
        pdf = build_pdf_bytes(kind, lead, filters=typed, **kwargs)
        text = "\n".join(pdf_text(pdf, tmp_path))
        assert brand.name in text
        for name in foreign:
            assert name not in text, (kind, name)


def test_reports_follow_the_dashboards_role_rules(group, brand, other_brand, other_project, lead):
    for kind, kwargs in (
        ("group", {}),
        ("brand", {"brand": other_brand}),
        ("project", {"brand": other_brand, "project": other_project}),
    ):
        with pytest.raises(PermissionDenied):
            build(
                "pdf",
                Scope(kind=kind, user=lead, filters=filters(), today=TODAY, **kwargs),
                io.BytesIO(),
                lambda p: None,
            )


def test_user_text_comes_out_as_text_and_only_http_evidence_is_a_link(
    group, project, lead, tmp_path
):
    answers = list(group["latest"].answers.filter(option__isnull=False).order_by("question__order"))
    answers[0].comment = PAYLOAD
    answers[0].evidence_url = "https://wiki.example.com/model-card"
    answers[1].evidence_url = "javascript:alert(1)"
    for answer in answers[:2]:
        answer.save()
    project.name = "Cross-sell <i>API</i>"
    project.save()

    scope = Scope(
        kind="project",
        user=lead,
        filters=filters(),
        today=TODAY,
        brand=project.brand,
        project=project,
    )
    html = render_html(scope, TODAY)
    assert "<script>" not in html and "<i>API</i>" not in html
    assert 'href="https://wiki.example.com/model-card"' in html
    assert "javascript:" not in html

    pdf = build_pdf_bytes("project", lead, brand=project.brand, project=project)
    text = "".join("".join(pdf_text(pdf, tmp_path, "-raw")).split())
    # Table cells wrap long words: compare without the line breaks.
    assert "".join(PAYLOAD.split()) in text
    assert "Cross-sell<i>API</i>" in text


def test_charts_are_vector_graphics_not_images(group, group_viewer, brand, lead, tmp_path):
    if shutil.which("pdfimages") is None:
        pytest.skip("pdfimages is missing: install poppler-utils")
    for pdf in (
        build_pdf_bytes("group", group_viewer),
        build_pdf_bytes("brand", lead, brand=brand),
    ):
        path = tmp_path / "charts.pdf"
        path.write_bytes(pdf)
        listing = subprocess.run(
            ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        assert len(listing) == 2, listing  # the header and its underline: no image
        text = "\n".join(pdf_text(pdf, tmp_path))
        assert "Maturity over time" in text and "Optimised" in text  # the charts' own text


# --- what WeasyPrint may load --------------------------------------------------------


def test_the_fetcher_serves_our_stylesheet_and_refuses_anything_else():
    fetcher = StaticOnlyFetcher()
    response = fetcher.fetch(BASE_URL + "static/yardstick/print.css")
    assert b"@page" in response.read()
    for url in (
        "https://example.com/static/yardstick/print.css",
        "http://yardstick.invalid/static/yardstick/print.css",
        "file:///etc/passwd",
        BASE_URL + "static/../config/settings.py",
        BASE_URL + "static/%2e%2e/config/settings.py",
        BASE_URL + "media/report.pdf",
        "data:text/css,body{}",
    ):
        assert static_path(url) is None, url
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_reports_without_any_figure_say_so_instead_of_failing(
    version, brand, project, lead, group_viewer, tmp_path
):
    group_text = "\n".join(pdf_text(build_pdf_bytes("group", group_viewer), tmp_path))
    assert "Projects with a figure 0 of" in " ".join(group_text.split())
    brand_text = "\n".join(pdf_text(build_pdf_bytes("brand", lead, brand=brand), tmp_path))
    assert "Cross-sell API" in brand_text
    project_pdf = build_pdf_bytes("project", lead, brand=brand, project=project)
    project_text = " ".join("\n".join(pdf_text(project_pdf, tmp_path)).split())
    assert "has no validated assessment yet" in project_text


def test_the_gaps_table_says_when_the_reports_filters_do_not_apply_to_it(
    group, brand, lead, tmp_path
):
    plain = " ".join(
        "".join(pdf_text(build_pdf_bytes("brand", lead, brand=brand), tmp_path)).split()
    )
    narrowed_pdf = build_pdf_bytes("brand", lead, brand=brand, filters=filters({"kind": "batch"}))
    narrowed = " ".join("".join(pdf_text(narrowed_pdf, tmp_path)).split())
    note = "filters of this report do not apply to this table"
    assert note not in plain
    assert note in narrowed
    assert "kinds: batch" in narrowed

"""What each PDF report shows: the template context for the group, brand and project scopes.

Every figure is read through the dashboards' data functions and scoring's
selectors, with the requesting user's role rules (the group dashboard is for
group roles, a brand's report for its members and group roles, a project's
for whoever may see its brand); nothing here computes a score. The charts are
the dashboards' SVG charts (`reports.svg_charts`), drawn with the same colours.

The group report is kept to what a steering meeting reads: brands, sections,
trend, movers and the most common gaps. The full project list belongs in the
Excel workbook, and the report says so.

A report is written in the active language (a job's, reports.services.build): its own
words through gettext, dates and numbers through Django's formats, and the question
set's texts (statements, sections, answers, levels) from the versions' translations
(`texts`, reports.builders.set_texts), which the templates mark where they fall back.
"""

import dataclasses
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from brands.models import Brand, ProductLine, Project
from brands.selectors import brands_for_user, may_see_brand_id
from reports import charts, svg_charts
from reports.builders import Scope
from reports.builders.excel_data import question_set_in_words
from reports.builders.set_texts import SetTexts, report_language
from reports.chart_data import HeatmapCell, Series, TrendPoint
from reports.dashboards import brand_dashboard_data, group_dashboard_data
from reports.dashboards.common import (
    Cell,
    closed_round_points,
    filtered_gaps,
    filtered_projects,
    round_markers,
)
from reports.dashboards.filters import DashboardFilters
from reports.dashboards.group import BrandRow
from reports.dashboards.project import chosen_set, project_page_data
from reports.words import criticality_labels, kind_labels
from scoring.selectors import points_texts, project_plan, scores_for_assessments
from scoring.selectors.gaps import GapReport
from surveys.models import QuestionSetVersion
from surveys.selectors import assessments_of_project

GAPS_SHOWN = 15  # the statements most projects fail, in the group and brand reports
# A brand's projects table names its section columns up to this many; with more, the columns
# are too narrow for their titles (in any language: words were cut in the middle), so they
# are numbered and a key under the table names them.
SECTION_TITLES_FIT = 8
TREND_COLUMNS = 8  # quarters in the trend tables


@dataclass(frozen=True)
class Row:
    """One line of the group report's brands table: a brand (or all of them) and its figures."""

    name: str
    overall: float | None
    level: str
    n: int = 0  # projects behind the figure
    projects: int = 0  # projects the filters keep
    previous: float | None = None  # the figure a quarter before
    small_group: bool = False

    @property
    def change(self) -> float | None:
        if self.overall is None or self.previous is None:
            return None
        return self.overall - self.previous


def _scope_title(scope: Scope) -> str:
    if scope.kind == "group":
        return _("Group benchmark")
    if scope.kind == "brand":
        return _("Brand report: %(brand)s") % {"brand": scope.brand.name}
    return _("Project report: %(project)s (%(brand)s)") % {
        "project": scope.project.name,
        "brand": scope.brand.name,
    }


def page_counter() -> str:
    """The CSS `content` of the page numbers in the margin, from the translated sentence:
    "Page %(page)s of %(pages)s" becomes "Page " counter(page) " of " counter(pages)."""
    counters = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}
    parts = []
    for part in re.split(r"(%\(pages?\)s)", _("Page %(page)s of %(pages)s")):
        if part in counters:
            parts.append(counters[part])
        elif part:
            # A CSS string: quotes and backslashes escaped, and no "<" to close the <style>.
            text = part.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
            parts.append(f'"{text}"')
    return " ".join(parts)


def _day(day: datetime.date) -> str:
    """ "10 May 2025", with the month in the active language."""
    return date_format(day, "d M Y")


def filter_lines(scope: Scope, texts: SetTexts | None = None) -> list[str]:
    """The filters in words, for the cover.

    The brand filter only narrows the group report (a brand report is its own
    brand's), and names only brands the requester may see: a code typed into a
    brand member's query string never prints another brand's name.
    """
    filters = scope.filters
    lines = [
        _("Figures of %(period)s, as of %(day)s")
        % {"period": filters.period_label, "day": _day(filters.as_of)}
        if filters.so_far
        else _("Figures at the end of %(quarter)s (%(day)s)")
        % {"quarter": filters.quarter.label, "day": _day(filters.as_of)}
    ]
    lines.append(
        _("validated and submitted self-fills counted")
        if filters.include_submitted
        else _("validated assessments only")
    )
    if filters.brands and scope.kind == "group":
        names = brands_for_user(scope.user).filter(code__in=filters.brands).order_by("name")
        lines.append(_("brands: %(names)s") % {"names": ", ".join(b.name for b in names)})
    if filters.product_lines:
        names = ProductLine.objects.filter(code__in=filters.product_lines).order_by("name")
        lines.append(_("product lines: %(names)s") % {"names": ", ".join(p.name for p in names)})
    if filters.kinds:
        lines.append(_("kinds: %(kinds)s") % {"kinds": kind_labels(filters.kinds)})
    if filters.criticalities:
        lines.append(
            _("criticality: %(levels)s") % {"levels": criticality_labels(filters.criticalities)}
        )
    lines.append(
        _("question set: %(set)s")
        % {"set": question_set_in_words(filters.question_set, texts=texts)}
    )
    if filters.version:
        version = QuestionSetVersion.objects.filter(code=filters.version).first()
        label = texts.version(str(version)) if version and texts else version
        lines.append(
            _("question set: %(set)s") % {"set": label}
            if version
            else _("question set: (unknown version)")
        )
    return lines


def _base(scope: Scope, today: datetime.date, texts: SetTexts) -> dict:
    return {
        "scope": scope,
        "title": _scope_title(scope),
        "today": today,
        "filters": scope.filters,
        "texts": texts,
        "page_counter": page_counter(),
        "footer_scope": (
            scope.filters.period_label
            if scope.kind != "project"
            else _("as of %(day)s") % {"day": _day(today)}
        ),
        "filter_lines": (
            filter_lines(scope, texts)
            if scope.kind != "project"
            else [_("Latest validated assessment as of %(day)s") % {"day": _day(today)}]
        ),
    }


def _mean(cell: Cell) -> float | None:
    return cell.mean if cell.n else None


def _gaps_ignore_filters(filters: DashboardFilters) -> bool:
    """Common gaps follow every filter but one: they count validated assessments only
    (scoring's rule), so submitted self-fills counted elsewhere are not in them."""
    return bool(filters.include_submitted)


def _versions(labels: list[str], texts: SetTexts) -> list[str]:
    return [texts.version(label) for label in labels]


def _gap_rows(report: GapReport, *, with_brands: bool) -> list[dict]:
    rows = []
    for gap in report.gaps[:GAPS_SHOWN]:
        rows.append(
            {
                "gap": gap,
                "brands": ", ".join(f"{b.name} ({b.unmet})" for b in gap.brands[:3])
                if with_brands
                else "",
            }
        )
    return rows


# --- group ---------------------------------------------------------------------


def _brand_projects(brands: list[Brand], filters: DashboardFilters) -> dict[int, int]:
    """How many projects each brand has that the filters keep (with or without a figure)."""
    projects = filtered_projects(Project.objects.filter(brand__in=brands), filters)
    return dict(projects.values_list("brand_id").annotate(n=Count("id")).order_by())


def _group_row(row: BrandRow, bands, projects: int) -> Row:
    previous = row.trend[-2].figure if len(row.trend) > 1 else None
    return Row(
        name=row.brand.name if row.brand else _("All brands"),
        overall=_mean(row.overall),
        level=charts.level_name(_mean(row.overall), bands),
        n=row.overall.n,
        projects=projects,
        previous=_mean(previous) if previous else None,
        small_group=row.overall.small_group,
    )


def group_context(scope: Scope, today: datetime.date) -> dict:
    data = group_dashboard_data(scope.user, scope.filters, with_gaps=True)
    texts = SetTexts.of_set_code(report_language(), scope.filters.question_set)
    bands = texts.bands(
        level for level in data.distribution.levels if level.min_percent is not None
    )
    counts = _brand_projects([row.brand for row in data.brands], scope.filters)
    # Brands with no project under the filters would only print rows of dashes: they are
    # left out, and a line says which.
    left_out = [row.brand.name for row in data.brands if not counts.get(row.brand.pk)]
    shown = [row for row in data.brands if counts.get(row.brand.pk)]
    data = dataclasses.replace(data, brands=shown)
    brand_rows = [_group_row(row, bands, counts.get(row.brand.pk, 0)) for row in data.brands]
    total = _group_row(data.total, bands, data.projects)

    rows = [row.brand.name for row in data.brands]
    cols = [_("Overall"), *(texts.section(s.title) for s in data.sections)]
    cells = [
        [
            HeatmapCell(c.mean, c.n, c.first_assessed, c.last_assessed)
            for c in (row.overall, *row.sections)
        ]
        for row in data.brands
    ]
    heatmap = svg_charts.svg_heatmap(
        show_title=False,
        rows=rows,
        cols=cols,
        cells=cells,
        bands=bands,
        title=_("Maturity by brand and section"),
        wrap=18,
    )
    quarters = data.quarters[-TREND_COLUMNS:]
    total_series = Series(
        name=_("All brands (mean of projects)"),
        points=[
            TrendPoint(p.label, _mean(p.figure), p.figure.n)
            for p in data.total.trend[-TREND_COLUMNS:]
        ],
    )
    round_points = closed_round_points(scope.filters)
    trend = svg_charts.svg_lines(
        show_title=False,
        series=[total_series],
        bands=bands,
        title=_("Maturity over time"),
        rounds=round_markers(round_points, data.total.trend),
    )
    profile = svg_charts.svg_bar_chart(
        show_title=False,
        labels=[texts.section(s.title) for s in data.sections],
        values=[_mean(c) for c in data.total.sections],
        bands=bands,
        title=_("Section profile of the group"),
        width=900,
    )
    trend_rows = [
        {"name": row.brand.name, "points": [_mean(p.figure) for p in row.trend[-TREND_COLUMNS:]]}
        for row in data.brands
    ]
    trend_rows.append(
        {
            "name": _("All brands"),
            "points": [p.percent for p in total_series.points],
            "total": True,
        }
    )
    return _base(scope, today, texts) | {
        "data": data,
        "versions": _versions(data.versions, texts),
        "bands": charts.band_legend(bands),
        "brand_rows": brand_rows,
        "brands_left_out": left_out,
        "total": total,
        "section_rows": [
            {"title": s.title, "mean": _mean(c), "n": c.n}
            for s, c in zip(data.sections, data.total.sections, strict=True)
        ],
        "heatmap_svg": heatmap,
        "trend_svg": trend,
        "profile_svg": profile,
        "quarters": quarters,
        "trend_rows": trend_rows,
        "round_points": round_points,
        "mover_groups": [
            (pgettext("movers", "Up"), data.movers_up),
            (pgettext("movers", "Down"), data.movers_down),
        ],
        "gap_rows": _gap_rows(data.gaps, with_brands=True),
        "gaps": data.gaps,
        "gaps_shown": GAPS_SHOWN,
        "gaps_ignore_filters": _gaps_ignore_filters(scope.filters),
    }


# --- brand ---------------------------------------------------------------------


def brand_context(scope: Scope, today: datetime.date) -> dict:
    data = brand_dashboard_data(scope.user, scope.brand, scope.filters, today=today)
    texts = SetTexts.of_set_code(report_language(), scope.filters.question_set)
    bands = texts.bands(data.bands)
    profile = data.profile
    profile_svg = svg_charts.svg_bar_chart(
        show_title=False,
        labels=[texts.section(row.title) for row in profile],
        values=[_mean(row.brand) for row in profile],
        bands=bands,
        title=_("Section profile of %(brand)s") % {"brand": data.brand.name},
        width=900,
        markers=[
            (row.group.median, row.group.lower_quartile, row.group.upper_quartile)
            if row.group.shown
            else None
            for row in profile
        ],
        marker_name=_("Other brands"),
    )
    series = Series(
        name=data.brand.name,
        points=[TrendPoint(p.label, _mean(p.figure), p.figure.n) for p in data.trend],
    )
    trend_svg = svg_charts.svg_lines(
        show_title=False,
        series=[series],
        bands=bands,
        title=_("Maturity over time"),
        rounds=round_markers(closed_round_points(scope.filters, brand=data.brand), data.trend),
    )
    gaps = filtered_gaps([data.brand], scope.filters)
    return _base(scope, today, texts) | {
        "data": data,
        "versions": _versions(data.versions, texts),
        "numbered_sections": len(data.sections) > SECTION_TITLES_FIT,
        "bands": charts.band_legend(bands),
        "overall": profile[0],
        "overall_level": charts.level_name(_mean(profile[0].brand), bands),
        "with_figure": sum(1 for row in data.projects if row.overall is not None),
        "profile_svg": profile_svg,
        "trend_svg": trend_svg,
        "gap_rows": _gap_rows(gaps, with_brands=False),
        "gaps": gaps,
        "gaps_shown": GAPS_SHOWN,
        "gaps_ignore_filters": _gaps_ignore_filters(scope.filters),
    }


# --- project -------------------------------------------------------------------


def project_context(scope: Scope, today: datetime.date) -> dict:
    project = scope.project
    if project.brand_id != scope.brand.pk:
        raise ValueError("the project is not one of the scope's brand")
    if not may_see_brand_id(scope.user, project.brand_id):
        raise PermissionDenied("Only the brand's members and group roles see its projects.")
    # One set's assessments, chosen as the project's page chooses them (never mixed).
    question_set, assessments = chosen_set(
        project,
        list(scores_for_assessments(assessments_of_project(project))),
        scope.filters.question_set,
    )
    page = project_page_data(project=project, assessments=assessments, on=today)
    texts = SetTexts.of_versions(
        report_language(), {a.version_id: a.version for a in assessments}.values()
    )
    plan = (
        project_plan(project, question_set_code=str(question_set.code) if question_set else None)
        if page.latest
        else None
    )
    profile_svg = ""
    if page.latest:
        profile_svg = svg_charts.svg_bar_chart(
            show_title=False,
            labels=[texts.section(row.title) for row in page.profile],
            values=[row.percent for row in page.profile],
            bands=texts.bands(page.bands),
            title=_("Section profile"),
            width=900,
            markers=[
                (row.group.median, row.group.lower_quartile, row.group.upper_quartile)
                if row.group.shown
                else None
                for row in page.profile
            ],
            marker_name=_("Other brands"),
        )
    latest = (
        next((a for a in assessments if a.pk == page.latest.assessment_id), None)
        if page.latest
        else None
    )
    return _base(scope, today, texts) | {
        "project": project,
        "page": page,
        "latest": latest,
        "version_label": texts.version(str(latest.version)) if latest else "",
        "bands": charts.band_legend(texts.bands(page.bands)),
        "profile_svg": profile_svg,
        "movement": page.movement,
        "plan": plan,
        # A set that counts points shows them beside the percentage ("2.5 of 7").
        "latest_points": points_texts([latest]).get(latest.pk, "") if latest else "",
    }


CONTEXTS = {"group": group_context, "brand": brand_context, "project": project_context}
TEMPLATES = {
    "group": "reports/pdf/group.html",
    "brand": "reports/pdf/brand.html",
    "project": "reports/pdf/project.html",
}

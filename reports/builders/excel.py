"""The Excel workbook of a report: group, brand or project (see `reports.builders`).

Every figure comes from the dashboards' data functions and scoring's
selectors, so the workbook shows what the dashboards show for the same scope,
filters and user, with the same role rules: the group workbook is for group
roles; a brand workbook shows other brands only as the distribution of their
projects' figures, withheld below three projects; a project workbook is for
those who may see the project. Nothing here computes a score.

Sheets (see `excel_sheets` for how cells are typed):

    group    Summary, Heatmap (brands x sections), Trend, Projects, Answers,
             Improvement actions, Common gaps
    brand    the same, the heatmap being the brand's projects x sections with
             the brand's mean and the other brands' quartiles, the trend the
             brand's mean against the other brands' median
    project  Summary, Sections (against the brand and other brands), History,
             Answers, Improvement plan, Improvement actions

The workbook is written in the active language (a job's, reports.services.build): sheet
names, headers and notes through gettext, the question set's texts (statements, sections,
answers, levels, the set's name) from the versions' translations (reports.builders.
set_texts). Figures stay numbers, dates stay dates: the spreadsheet shows them as its
reader's settings say.
"""

import dataclasses
import datetime
from typing import BinaryIO

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook

from brands.models import Project
from brands.selectors import get_project_for_user
from reports.builders import Progress, Scope
from reports.builders.excel_data import (
    action_rows,
    answer_rows,
    filters_in_words,
    person,
)
from reports.builders.excel_sheets import (
    BOOL,
    DATE,
    DATETIME,
    INTEGER,
    NUMBER,
    PERCENT,
    POINTS,
    Column,
    Sheet,
    add_band_colours,
    add_line_chart,
    write_key_values,
)
from reports.builders.set_texts import SetTexts, report_language
from reports.dashboards import brand_dashboard_data, group_dashboard_data
from reports.dashboards.common import (
    closed_round_points,
    filtered_gaps,
    filtered_projects,
    round_markers,
)
from reports.dashboards.project import chosen_set, project_page_data
from reports.words import number
from scoring.selectors import (
    MIN_GROUP_SIZE,
    points_texts,
    project_plan,
    scores_for_assessments,
)
from scoring.selectors.benchmarks import Distribution, distribution
from scoring.selectors.dashboard import (
    figure_history,
    figures_at,
    latest_figures,
    section_figures,
    versions_info,
)
from scoring.selectors.gaps import GapReport
from surveys.models import AssessmentStatus
from surveys.selectors import assessments_of_project


def _how_to_read() -> tuple[str, ...]:
    return (
        _(
            "Figures are the stored scores of validated assessments (and of submitted self-fills "
            "when the filters count them): a project's figure at a date is its latest such "
            "assessment at or before that date; a brand's figure is the mean of its projects' "
            "figures, with how many projects it covers."
        ),
        _(
            "Percentages are numbers formatted as %, so they sort, filter and chart as numbers. "
            "Changes are in percentage points. Empty cells mean no figure, never zero."
        ),
        _(
            "Comparisons with other brands show only aggregates of at least %(minimum)s "
            "projects; smaller groups are left empty."
        )
        % {"minimum": MIN_GROUP_SIZE},
        _("Colours follow the maturity levels of the question set, as on the dashboards."),
        _(
            "Text typed by users that a spreadsheet could run as a formula starts with a "
            "single quote."
        ),
    )


# The sheets' names, in the report's language. Excel takes 31 characters at most (and none
# of []:*?/\): the context tells the translators, and tests/reports keeps every catalog's
# names that short.
SHEETS = {
    "summary": pgettext_lazy("Excel sheet name, 31 characters at most", "Summary"),
    "heatmap": pgettext_lazy("Excel sheet name, 31 characters at most", "Heatmap"),
    "trend": pgettext_lazy("Excel sheet name, 31 characters at most", "Trend"),
    "rounds": pgettext_lazy("Excel sheet name, 31 characters at most", "Rounds"),
    "projects": pgettext_lazy("Excel sheet name, 31 characters at most", "Projects"),
    "answers": pgettext_lazy("Excel sheet name, 31 characters at most", "Answers"),
    "actions": pgettext_lazy("Excel sheet name, 31 characters at most", "Improvement actions"),
    "gaps": pgettext_lazy("Excel sheet name, 31 characters at most", "Common gaps"),
    "sections": pgettext_lazy("Excel sheet name, 31 characters at most", "Sections"),
    "history": pgettext_lazy("Excel sheet name, 31 characters at most", "History"),
    "plan": pgettext_lazy("Excel sheet name, 31 characters at most", "Improvement plan"),
}

ANSWER_COLUMNS = (
    Column(gettext_lazy("Brand"), 22),
    Column(gettext_lazy("Project"), 28),
    Column(gettext_lazy("Assessed on"), 12, DATE),
    Column(gettext_lazy("Section"), 24),
    Column(gettext_lazy("Question key"), 22),
    Column(gettext_lazy("Statement"), 60),
    Column(gettext_lazy("Core"), 7, BOOL),
    Column(gettext_lazy("Answer"), 12),
    Column(gettext_lazy("N/A reason"), 30),
    Column(gettext_lazy("Comment"), 50),
    Column(gettext_lazy("Evidence link"), 40),
    Column(gettext_lazy("Answered by"), 20),
    Column(gettext_lazy("Answered on"), 12, DATE),
)

ACTION_COLUMNS = (
    Column(gettext_lazy("Brand"), 22),
    Column(gettext_lazy("Project"), 28),
    Column(gettext_lazy("Question key"), 22),
    Column(gettext_lazy("Statement"), 50),
    Column(gettext_lazy("Action"), 40),
    Column(gettext_lazy("Owner"), 20),
    Column(gettext_lazy("Status"), 12),
    Column(gettext_lazy("Due on"), 12, DATE),
    Column(gettext_lazy("Created at"), 17, DATETIME),
    Column(gettext_lazy("Closed at"), 17, DATETIME),
    Column(gettext_lazy("Closed because"), 30),
    Column(gettext_lazy("Note"), 40),
)


def _movement(value: str) -> str:
    """A common gap's movement (scoring's new, up, down, same; closed) in words."""
    words = {
        "new": pgettext("gap movement", "new"),
        "up": pgettext("gap movement", "up"),
        "down": pgettext("gap movement", "down"),
        "same": pgettext("gap movement", "same"),
        "closed": pgettext("gap movement", "closed"),
    }
    return words.get(value, value)


def _open_status(value: str) -> str:
    """An open assessment's status, as the Projects sheet says it ("draft")."""
    words = {
        "draft": pgettext("open assessment", "draft"),
        "submitted": pgettext("open assessment", "submitted"),
    }
    return words.get(value, value)


def build_excel(scope: Scope, out: BinaryIO, progress: Progress) -> None:
    """Write the workbook of `scope` into `out`; PermissionDenied or Http404 if the
    user may not see it (nothing is written then)."""
    builders = {"group": _group, "brand": _brand, "project": _project}
    workbook = Workbook(write_only=True)
    builders[scope.kind](workbook, scope, progress)
    workbook.save(out)
    progress(100)


def _top_and_bottom(latest: list[float | None], each: int = 3) -> list[int]:
    """The indexes of the `each` highest and `each` lowest latest figures (every index when
    there are few), to draw those in colour and the rest in grey."""
    known = sorted((v, i) for i, v in enumerate(latest) if v is not None)
    if len(known) <= 2 * each:
        return [i for _, i in known]
    return [i for _, i in known[-each:][::-1]] + [i for _, i in known[:each]]


def _today(scope: Scope) -> datetime.date:
    return scope.today or timezone.localdate()


def _sections(sections, texts: SetTexts) -> list:
    """The section columns with their titles in the report's language."""
    return [dataclasses.replace(s, title=texts.section(s.title)) for s in sections]


def _summary(
    workbook,
    scope: Scope,
    title: str,
    what: str,
    extra,
    versions,
    bands,
    texts: SetTexts,
    filters=True,
):
    rows = [
        (_("Report"), title),
        (_("Scope"), what),
        (_("Figures at"), scope.filters.as_of if filters else _today(scope)),
        (_("Generated on"), _today(scope)),
        (
            _("Requested by"),
            person(scope.user.first_name, scope.user.last_name, scope.user.username),
        ),
    ]
    if filters:
        rows += filters_in_words(
            scope.filters, brand_filter_applies=scope.kind == "group", texts=texts
        )
    rows += extra
    versions = [texts.version(label) for label in versions]
    rows.append((_("Question-set versions"), ", ".join(versions) or _("none (no figure yet)")))
    rows += [(_("How to read it"), line) for line in _how_to_read()]
    if texts.incomplete:
        rows.append(
            (
                _("How to read it"),
                _(
                    "Some of the question set's texts are not yet translated into this "
                    "report's language: they are in the question set's own language."
                ),
            )
        )
    write_key_values(workbook, SHEETS["summary"], rows, texts.bands(bands))


# --- group ---------------------------------------------------------------------


def _group(workbook: Workbook, scope: Scope, progress: Progress) -> None:
    filters = scope.filters
    data = group_dashboard_data(scope.user, filters, with_gaps=True)
    progress(10)
    texts = SetTexts.of_set_code(report_language(), filters.question_set)
    bands = [level for level in data.distribution.levels if level.min_percent is not None]
    brands = [row.brand for row in data.brands]
    chosen = ", ".join(b.name for b in brands) if filters.brands else _("all brands")
    _summary(
        workbook,
        scope,
        _("Yardstick group benchmark"),
        _("Group: %(brands)s") % {"brands": chosen},
        [
            (_("Projects"), data.projects),
            (_("Projects with a figure"), data.total.overall.n),
        ],
        data.versions,
        bands,
        texts,
    )

    sections = _sections(data.sections, texts)
    all_brands = _("All brands")
    heat = Sheet(
        workbook,
        SHEETS["heatmap"],
        [
            Column(_("Brand"), 26),
            Column(_("Projects"), 10, INTEGER),
            Column(_("Overall"), 11, PERCENT),
        ]
        + [Column(s.title, 14, PERCENT) for s in sections]
        + [Column(_("Note"), 36)],
    )
    for row in [*data.brands, data.total]:
        note = ""
        if row.overall.small_group:
            note = _("fewer than %(minimum)s projects: read with care") % {
                "minimum": MIN_GROUP_SIZE
            }
        elif row.overall.empty:
            note = _("no figure for these filters")
        heat.append(
            [
                row.brand.name if row.brand else all_brands,
                row.overall.n,
                row.overall.mean,
                *(c.mean for c in row.sections),
                note or None,
            ]
        )
    heat.finish()
    add_band_colours(heat, heat.range_of(3, 3 + len(sections)), bands)
    progress(15)

    series = [*data.brands, data.total]
    names = [r.brand.name if r.brand else all_brands for r in series]
    round_points = closed_round_points(filters)
    rounds = _round_figures(round_points, data.total.trend)
    trend = Sheet(
        workbook,
        SHEETS["trend"],
        [Column(_("Quarter"), 16), Column(_("Figures at"), 12, DATE)]
        + [Column(name, 12, PERCENT) for name in names]
        + [Column(_("%(name)s (projects)") % {"name": name}, 12, INTEGER) for name in names]
        + ([Column(CLOSED_ROUNDS, 14, PERCENT), Column(_("Round"), 24)] if rounds else []),
    )
    for i, point in enumerate(data.total.trend):
        trend.append(
            [
                point.label,
                point.at,
                *(r.trend[i].figure.mean for r in series),
                *(r.trend[i].figure.n for r in series),
                *(rounds.get(point.label, (None, None)) if rounds else ()),
            ]
        )
    trend.finish()
    add_line_chart(
        trend,
        title=_("Mean score by quarter: the highest and lowest brands in colour"),
        first_series_column=3,
        last_series_column=2 + len(names),
        highlight=[
            *_top_and_bottom([r.trend[-1].figure.mean for r in series[:-1]]),
            len(series) - 1,  # all brands
        ],
        marker_column=3 + 2 * len(names) if rounds else None,
    )
    _rounds_sheet(workbook, round_points)
    progress(20)

    projects = filtered_projects(Project.objects.filter(brand__in=brands), filters)
    figures = latest_figures(
        projects,
        on=filters.as_of,
        include_submitted=filters.include_submitted,
        version_code=filters.version,
        question_set_code=filters.question_set,
    )
    ordered = list(
        projects.select_related("brand", "product_line").order_by("brand__name", "name", "id")
    )
    _projects_sheet(workbook, ordered, figures, sections, bands, texts)
    progress(30)

    answered = [figures[p.pk].assessment_id for p in ordered if p.pk in figures]
    _answers_sheet(workbook, answered, progress, 30, 85, texts)
    _actions_sheet(workbook, projects, texts)
    progress(90)
    _gaps_sheet(workbook, data.gaps, texts)
    progress(95)


# Every Projects sheet starts the same way: which project, then its level and figures; the
# band colours go on the Overall and section columns (7 onwards).
def _project_columns(sections, *more: Column) -> list[Column]:
    return [
        Column(_("Brand"), 22),
        Column(_("Project"), 28),
        Column(_("Kind"), 16),
        Column(_("Criticality"), 11),
        Column(_("Product line"), 18),
        Column(pgettext("maturity", "Level"), 14),
        Column(_("Overall"), 10, PERCENT),
        *(Column(s.title, 13, PERCENT) for s in sections),
        *more,
    ]


def _project_cells(project: Project, brand) -> list:
    return [
        brand.name,
        project.name,
        project.get_kind_display(),
        project.get_criticality_display(),
        project.product_line.name if project.product_line else None,
    ]


CLOSED_ROUNDS = gettext_lazy("Closed round: mean")


def _round_figures(points, trend) -> dict[str, tuple[float, str]]:
    """The closed rounds by the trend's quarter label they closed in: (mean, name); of two
    rounds closed in one quarter, the later one. Rounds outside the trend are left out."""
    labels = {p.label for p in trend}
    return {m.label: (m.percent, m.name) for m in round_markers(points, trend) if m.label in labels}


def _rounds_sheet(workbook, points) -> None:
    """The closed rounds as named points: each round's figure and its change against the
    previous round over the projects validated in both (docs/scoring.md, "A round")."""
    if not points:
        return
    sheet = Sheet(
        workbook,
        SHEETS["rounds"],
        [
            Column(_("Round"), 24),
            Column(_("Closed on"), 12, DATE),
            Column(_("Projects validated"), 12, INTEGER),
            Column(_("Mean overall"), 12, PERCENT),
            Column(_("Change against the previous round (points)"), 16, POINTS),
            Column(_("Previous round"), 24),
        ],
    )
    for point in points:
        closed = point.round.closed_at
        sheet.append(
            [
                point.name,
                timezone.localtime(closed).date() if closed else None,
                point.n,
                point.mean,
                point.change,
                point.previous.name if point.previous else None,
            ]
        )
    sheet.finish()


def _projects_sheet(workbook, projects, figures, sections, bands, texts: SetTexts) -> None:
    """One row per project with its figure (`figures` from latest_figures at the quarter's end)."""
    values = section_figures(f.assessment_id for f in figures.values())
    labels = {
        v.id: texts.version(v.label)
        for v in versions_info({f.version_id for f in figures.values()}).values()
    }
    sheet = Sheet(
        workbook,
        SHEETS["projects"],
        _project_columns(
            sections,
            Column(_("Core statements met"), 11, INTEGER),
            Column(_("Core statements"), 11, INTEGER),
            Column(_("Last assessed"), 12, DATE),
            Column(_("Status"), 11),
            Column(_("Question-set version"), 22),
        ),
    )
    for project in projects:
        figure = figures.get(project.pk)
        own = values.get(figure.assessment_id, {}) if figure else {}
        sheet.append(
            [
                *_project_cells(project, project.brand),
                texts.level(figure.level) if figure else None,
                figure.percent if figure else None,
                *(own.get(s.key) for s in sections),
                figure.core_met if figure else None,
                figure.core_total if figure else None,
                figure.assessed_on if figure else None,
                _status(figure.status) if figure else None,
                labels.get(figure.version_id) if figure else None,
            ]
        )
    sheet.finish()
    add_band_colours(sheet, sheet.range_of(7, 7 + len(sections)), bands)


def _status(value: str) -> str:
    """An assessment status as the screens say it (Validated, Submitted)."""
    return str(AssessmentStatus(value).label) if value in AssessmentStatus.values else value


def _answers_sheet(
    workbook, assessment_ids, progress: Progress, start: int, end: int, texts: SetTexts
) -> None:
    """The answers sheet, the bulk of a big workbook: progress moves from `start` to `end`
    as its chunks are written."""
    sheet = Sheet(workbook, SHEETS["answers"], ANSWER_COLUMNS)
    sheet.extend(
        answer_rows(
            assessment_ids,
            done=lambda share: progress(start + int((end - start) * share)),
            texts=texts,
        )
    )
    sheet.finish()
    progress(end)


def _actions_sheet(workbook, projects, texts: SetTexts) -> None:
    sheet = Sheet(workbook, SHEETS["actions"], ACTION_COLUMNS, fit_rows=True)
    sheet.extend(action_rows(projects, texts=texts))
    sheet.finish()


def _gaps_sheet(workbook, gaps: GapReport, texts: SetTexts) -> None:
    previous = {"quarter": gaps.previous_quarter}
    sheet = Sheet(
        workbook,
        SHEETS["gaps"],
        fit_rows=True,
        columns=[
            Column(_("Rank"), 7, INTEGER),
            Column(_("Question key"), 22),
            Column(_("Statement"), 60),
            Column(_("Section"), 24),
            Column(_("Core"), 7, BOOL),
            Column(_("Projects not meeting it"), 13, INTEGER),
            Column(_("Projects it applies to"), 13, INTEGER),
            Column(_("Share not meeting it"), 12, PERCENT),
            Column(_("Rank in %(quarter)s") % previous, 11, INTEGER),
            Column(_("Not meeting it in %(quarter)s") % previous, 13, INTEGER),
            Column(_("Movement"), 11),
            Column(_("Brands most concerned (projects)"), 50),
        ],
    )
    for gap in gaps.gaps:
        sheet.append(
            [
                gap.rank,
                gap.key,
                texts.statement(gap.text),
                texts.section(gap.section),
                gap.core,
                gap.unmet,
                gap.applicable,
                gap.percent,
                gap.previous_rank,
                gap.previous_unmet if gap.previous_rank else None,
                _movement(gap.movement),
                "; ".join(f"{b.name} ({b.unmet})" for b in gap.brands),
            ]
        )
    for closed in gaps.closed:
        sheet.append(
            [
                None,
                closed.key,
                texts.statement(closed.text),
                None,
                None,
                0,
                None,
                None,
                closed.previous_rank,
                closed.previous_unmet,
                _movement("closed"),
                None,
            ]
        )
    sheet.finish()


# --- brand ---------------------------------------------------------------------


def _brand(workbook: Workbook, scope: Scope, progress: Progress) -> None:
    filters = scope.filters
    brand = scope.brand
    data = brand_dashboard_data(scope.user, brand, filters, today=_today(scope))
    progress(10)
    texts = SetTexts.of_set_code(report_language(), filters.question_set)
    sections = _sections(data.sections, texts)
    _summary(
        workbook,
        scope,
        _("Yardstick brand report: %(brand)s") % {"brand": brand.name},
        _("Brand: %(brand)s") % {"brand": brand.name},
        [
            (_("Projects"), len(data.projects)),
            (_("Projects with a figure"), data.profile[0].brand.n if data.profile else 0),
            (_("Open improvement actions"), data.actions.total),
            (_("Assessments awaiting review"), len(data.awaiting_review)),
        ],
        data.versions,
        data.bands,
        texts,
    )

    profile = {row.key: row for row in data.profile}
    keys = ["overall", *(s.key for s in sections)]
    heat = Sheet(
        workbook,
        SHEETS["heatmap"],
        [
            Column(_("Project or group"), 34),
            Column(_("Projects"), 10, INTEGER),
            Column(_("Overall"), 11, PERCENT),
        ]
        + [Column(s.title, 14, PERCENT) for s in sections]
        + [Column(_("Note"), 50)],
    )
    no_figure = _("no figure")
    for row in data.projects:
        heat.append(
            [
                row.project.name,
                None,
                row.overall,
                *row.sections,
                None if row.assessed_on else no_figure,
            ]
        )
    overall = profile.get("overall")
    heat.append(
        [
            _("%(brand)s: mean of its projects") % {"brand": brand.name},
            overall.brand.n if overall else 0,
            *(profile[k].brand.mean if k in profile else None for k in keys),
            None,
        ]
    )
    for label, attribute in (
        (_("Other brands' projects: median"), "median"),
        (_("Other brands' projects: lower quartile"), "lower_quartile"),
        (_("Other brands' projects: upper quartile"), "upper_quartile"),
    ):
        heat.append(
            [
                label,
                overall.group.n if overall else 0,
                *(_shown(profile.get(k), attribute) for k in keys),
                overall.hidden_reason if overall and overall.hidden_reason else None,
            ]
        )
    heat.finish()
    add_band_colours(heat, heat.range_of(3, 3 + len(sections)), data.bands)
    progress(20)

    others = _other_brands_trend(brand, filters, data.quarters)
    rounds = _round_figures(closed_round_points(filters, brand=brand), data.trend)
    trend = Sheet(
        workbook,
        SHEETS["trend"],
        [
            Column(_("Quarter"), 16),
            Column(_("Figures at"), 12, DATE),
            Column(_("%(brand)s: mean") % {"brand": brand.name}, 14, PERCENT),
            Column(_("Other brands' projects: median"), 14, PERCENT),
            Column(_("%(brand)s: projects") % {"brand": brand.name}, 10, INTEGER),
            Column(_("Other brands' projects"), 10, INTEGER),
        ]
        + ([Column(CLOSED_ROUNDS, 14, PERCENT), Column(_("Round"), 24)] if rounds else []),
    )
    for point, group in zip(data.trend, others, strict=True):
        trend.append(
            [
                point.label,
                point.at,
                point.figure.mean,
                group.median,
                point.figure.n,
                group.n,
                *(rounds.get(point.label, (None, None)) if rounds else ()),
            ]
        )
    trend.finish()
    add_line_chart(
        trend,
        title=_("%(brand)s against the other brands' median, by quarter") % {"brand": brand.name},
        first_series_column=3,
        last_series_column=4,
        marker_column=7 if rounds else None,
    )

    sheet = Sheet(
        workbook,
        SHEETS["projects"],
        _project_columns(
            sections,
            Column(_("Last assessed"), 12, DATE),
            Column(_("Age (days)"), 9, INTEGER),
            Column(_("Status"), 11),
            Column(_("Question-set version"), 22),
            Column(_("In progress"), 14),
        ),
    )
    for row in data.projects:
        project = row.project
        sheet.append(
            [
                *_project_cells(project, brand),
                texts.level(row.level) or None,
                row.overall,
                *row.sections,
                row.assessed_on,
                row.age_days,
                _status(row.figure_status) if row.figure_status else None,
                texts.version(row.version) or None,
                _("%(status)s (%(answered)s/%(total)s answered)")
                % {
                    "status": _open_status(row.open.status),
                    "answered": row.open.answered,
                    "total": row.open.total,
                }
                if row.open
                else None,
            ]
        )
    sheet.finish()
    add_band_colours(sheet, sheet.range_of(7, 7 + len(sections)), data.bands)
    progress(30)

    own = filtered_projects(Project.objects.filter(brand=brand), filters)
    figures = latest_figures(
        own,
        on=filters.as_of,
        include_submitted=filters.include_submitted,
        version_code=filters.version,
        question_set_code=filters.question_set,
    )
    names = {row.project.pk: i for i, row in enumerate(data.projects)}
    _answers_sheet(
        workbook,
        [
            figures[pk].assessment_id
            for pk in sorted(figures, key=lambda pk: names.get(pk, len(names)))
        ],
        progress,
        30,
        80,
        texts,
    )
    _actions_sheet(workbook, own, texts)
    progress(90)
    _gaps_sheet(workbook, filtered_gaps([brand], filters), texts)
    progress(95)


def _other_brands_trend(brand, filters, quarters) -> list[Distribution]:
    """The distribution of the other brands' project figures at each quarter's end, under the
    same filters as the brand's own; withheld (no median) below three projects. One query."""
    others = filtered_projects(Project.objects.exclude(brand=brand), filters)
    history = figure_history(
        others,
        until=filters.as_of,
        include_submitted=filters.include_submitted,
        version_code=filters.version,
        question_set_code=filters.question_set,
    )
    return [
        distribution(
            [
                f.percent
                for f in figures_at(history, filters.point_at(q)).values()
                if f.percent is not None
            ]
        )
        for q in quarters
    ]


def _shown(row, attribute: str) -> float | None:
    """The other brands' figure, or None where the group is too small to be shown."""
    if row is None or not row.group.shown:
        return None
    return getattr(row.group, attribute)


# --- project -------------------------------------------------------------------


def _project(workbook: Workbook, scope: Scope, progress: Progress) -> None:
    # Fetched again through the access helper: a report never shows what its
    # requester could not open as a page (another brand's project is a 404).
    project = get_project_for_user(scope.user, scope.project.code)
    if project.brand_id != scope.brand.pk:
        raise PermissionDenied("The project does not belong to the report's brand.")
    today = _today(scope)
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
    plan = project_plan(project, question_set_code=str(question_set.code) if question_set else None)
    # Sets that count points show them beside the percentages ("2.5 of 7").
    points = points_texts(assessments)
    shows_points = any(a.version.display == "points" for a in assessments)
    progress(15)

    latest = page.latest
    version = versions_info([latest.version_id])[latest.version_id].label if latest else None
    no_figure = _("no figure yet")
    _summary(
        workbook,
        scope,
        _("Yardstick project report: %(project)s") % {"project": project.name},
        _("Project: %(project)s (%(brand)s)")
        % {"project": project.name, "brand": project.brand.name},
        [
            (_("Kind"), project.get_kind_display()),
            (_("Criticality"), project.get_criticality_display()),
            (
                _("Product line"),
                project.product_line.name
                if project.product_line
                else pgettext("product line", "none"),
            ),
            (
                _("Overall"),
                _("%(percent)s%%") % {"percent": number(latest.percent, 1)}
                if latest and latest.percent is not None
                else no_figure,
            ),
            *(
                [(_("Points"), points[latest.assessment_id])]
                if latest and points.get(latest.assessment_id)
                else []
            ),
            (
                pgettext("maturity", "Level"),
                (texts.level(latest.level) or "-") if latest else no_figure,
            ),
            (
                _("Last validated assessment"),
                latest.assessed_on if latest else pgettext("assessment", "none yet"),
            ),
            (_("Statements in the improvement plan"), len(plan.items)),
        ],
        [version] if version else [],
        page.bands,
        texts,
        filters=False,
    )

    profile = Sheet(
        workbook,
        SHEETS["sections"],
        [
            Column(_("Section"), 30),
            Column(project.name, 12, PERCENT),
            Column(_("Brand's other projects: mean"), 14, PERCENT),
            Column(_("Brand's other projects"), 11, INTEGER),
            Column(_("Other brands: median"), 12, PERCENT),
            Column(_("Other brands: lower quartile"), 12, PERCENT),
            Column(_("Other brands: upper quartile"), 12, PERCENT),
            Column(_("Other brands' projects"), 11, INTEGER),
        ],
    )
    for row in page.profile:
        profile.append(
            [
                texts.section(row.title),
                row.percent,
                row.brand.mean if row.brand.shown else None,
                row.brand.n,
                row.group.median,
                row.group.lower_quartile,
                row.group.upper_quartile,
                row.group.n,
            ]
        )
    profile.finish()
    add_band_colours(profile, profile.range_of(2, 3), page.bands)
    add_band_colours(profile, profile.range_of(5, 7), page.bands)
    progress(30)

    history = Sheet(
        workbook,
        SHEETS["history"],
        [
            Column(_("Assessed on"), 12, DATE),
            Column(_("Mode"), 11),
            Column(_("Status"), 11),
            Column(_("Question-set version"), 22),
            Column(_("Overall"), 10, PERCENT),
            *([Column(_("Points"), 10)] if shows_points else []),
            Column(pgettext("maturity", "Level"), 14),
            Column(_("Core statements met"), 11, INTEGER),
            # A set shown in points: say "percentage points", not to be read as its points.
            Column(
                _("Change since the previous validated (percentage points)")
                if shows_points
                else _("Change since the previous validated (points)"),
                16,
                POINTS,
            ),
            Column(_("Answers changed"), 10, INTEGER),
        ],
    )
    for row in reversed(page.history):  # oldest first, as a chart reads
        a = row.assessment
        score = getattr(a, "score", None)
        history.append(
            [
                a.assessed_on,
                a.get_mode_display(),
                a.get_status_display(),
                texts.version(f"{a.version.question_set.name} v{a.version.number}"),
                score.percent if score else None,
                *([points.get(a.pk) or None] if shows_points else []),
                (texts.level(score.level) or None) if score else None,
                # Empty, not 0, when the set marks no statement as core.
                score.core_met if score and score.core_total else None,
                row.overall_points,
                row.changed_answers,
            ]
        )
    history.finish()
    add_band_colours(history, history.range_of(5, 5), page.bands)
    add_line_chart(
        history,
        title=_("%(project)s: overall score") % {"project": project.name},
        first_series_column=5,
        last_series_column=5,
    )
    progress(45)

    _answers_sheet(workbook, [latest.assessment_id] if latest else [], progress, 45, 70, texts)

    plan_sheet = Sheet(
        workbook,
        SHEETS["plan"],
        fit_rows=True,
        columns=[
            Column(_("Priority"), 8, INTEGER),
            Column(_("Section"), 24),
            Column(_("Question key"), 22),
            Column(_("Statement"), 60),
            Column(_("Core"), 7, BOOL),
            Column(_("Weight"), 8, NUMBER),
            Column(_("Answer"), 12),
            Column(_("Share of %(peers)s meeting it") % {"peers": plan.comparison}, 16, PERCENT),
            Column(_("Of how many"), 9, INTEGER),
            Column(_("Action"), 40),
            Column(_("Action status"), 12),
            Column(_("Owner"), 20),
            Column(_("Due on"), 12, DATE),
        ],
    )
    for priority, item in enumerate(plan.items, start=1):
        action = item.action
        plan_sheet.append(
            [
                priority,
                texts.section(item.question.section.title),
                item.key,
                texts.statement(item.question.text),
                item.question.core,
                item.question.weight,
                texts.label(item.answer.option.label) if item.answer.option_id else None,
                item.percent,
                item.peers_answered,
                action.title if action else None,
                action.get_status_display() if action else None,
                (action.owner.get_full_name() or action.owner.username)
                if action and action.owner
                else None,
                action.due_on if action else None,
            ]
        )
    plan_sheet.finish()
    progress(85)
    _actions_sheet(workbook, Project.objects.filter(pk=project.pk), texts)
    progress(95)

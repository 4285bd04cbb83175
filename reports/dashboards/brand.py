"""The brand dashboard's figures: its projects, its profile against the group, trend and work.

For the brand's members and group roles. Other brands appear only as the
distribution of their projects' figures, withheld below three projects.
"""

import dataclasses
import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from brands.models import Brand, Project, ProjectKind, User
from brands.selectors import may_see_brand_id
from reports.dashboards.common import (
    Cell,
    TrendPoint,
    cell,
    cell_of,
    figure_versions,
    filtered_projects,
    reference_version,
)
from reports.dashboards.filters import DashboardFilters, Quarter
from reports.words import by_name
from scoring.selectors import MIN_GROUP_SIZE
from scoring.selectors.benchmarks import Distribution, distribution
from scoring.selectors.comparison import other_brands_comparison
from scoring.selectors.dashboard import (
    ActionSummary,
    Figure,
    SectionColumn,
    active_actions,
    latest_figures,
    section_columns,
    section_figures,
    versions_info,
)
from scoring.selectors.figures_cache import cached_figures
from scoring.selectors.quarter_figures import FigureSum, brand_figures_at
from surveys.models import AppliesTo, Assessment, AssessmentStatus, Question

TREND_QUARTERS = 8


@dataclass(frozen=True)
class OpenAssessment:
    """The project's assessment in progress: a draft, or a self-fill submitted for review."""

    code: str
    status: str  # draft or submitted
    mode: str
    assessed_on: datetime.date
    answered: int  # statements answered (N/A included)
    total: int  # statements that apply to the project

    @property
    def status_label(self) -> str:
        """The status as the screens name it (Draft, Submitted), in the active language."""
        if self.status in AssessmentStatus.values:
            return str(AssessmentStatus(self.status).label)
        return self.status.capitalize()


@dataclass(frozen=True)
class ProjectRow:
    project: Project  # with product_line loaded
    overall: float | None  # None: no figure at the quarter's end
    level: str
    sections: list[float | None]  # in the order of BrandDashboard.sections
    assessed_on: datetime.date | None  # of the assessment behind the figure
    age_days: int | None  # from then to the quarter's end (to today in the current quarter)
    figure_status: str  # validated, or submitted when those are included; "" without a figure
    version: str
    open: OpenAssessment | None


@dataclass(frozen=True)
class ProfileRow:
    """One figure (overall or a section): the brand's projects against other brands' projects."""

    key: str
    title: str
    brand: Cell  # the mean of the brand's projects
    brand_distribution: Distribution
    group: Distribution  # other brands' projects; figures withheld when n < 3
    hidden_reason: str  # why the group's figures are not shown, or ""

    @property
    def group_shown(self) -> bool:
        return self.group.shown


@dataclass(frozen=True)
class AwaitingReview:
    code: str
    project: Project
    mode: str
    assessed_on: datetime.date
    submitted_at: datetime.datetime | None


@dataclass(frozen=True)
class BrandDashboard:
    brand: Brand
    filters: DashboardFilters
    as_of: datetime.date
    quarters: list[Quarter]  # of the trend, oldest first
    sections: list[SectionColumn]
    projects: list[ProjectRow]  # by name
    profile: list[ProfileRow]  # overall first, then the sections
    trend: list[TrendPoint]
    actions: ActionSummary
    awaiting_review: list[AwaitingReview]  # oldest submission first
    versions: list[str]  # versions behind the brand's figures at the quarter's end
    bands: tuple = ()  # the reference version's level bands (LevelBandInfo), lowest first


def _hidden_reason(group: Distribution) -> str:
    if group.shown:
        return ""
    if group.n == 0:
        return _("No project of another brand has a figure for these filters.")
    return ngettext(
        "Only %(count)s project of other brands matches these filters; groups smaller "
        "than %(minimum)s are not shown.",
        "Only %(count)s projects of other brands match these filters; groups smaller "
        "than %(minimum)s are not shown.",
        group.n,
    ) % {"count": group.n, "minimum": MIN_GROUP_SIZE}


def _profile_row(
    key: str, title: str, mine: list[Figure], values_mine: list, group: Distribution
) -> ProfileRow:
    return ProfileRow(
        key=key,
        title=title,
        brand=cell(zip(values_mine, (f.assessed_on for f in mine), strict=True)),
        brand_distribution=distribution([v for v in values_mine if v is not None]),
        group=group,
        hidden_reason=_hidden_reason(group),
    )


def _open_assessments(projects) -> dict[int, OpenAssessment]:
    """The newest draft or submitted assessment of each project, with answered counts.

    The total is the number of the version's statements that apply to the
    project's kind (not the answer rows, which a draft may not have for every
    statement). Two queries.
    """
    answered = Q(answers__option__isnull=False) | Q(answers__is_na=True)
    assessments = Assessment.objects.filter(
        project__in=projects,
        status__in=(AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED),
        superseded_by__isnull=True,
    )
    rows = list(
        assessments.annotate(answered=Count("answers", filter=answered))
        .order_by("project_id", "-created_at", "-id")
        .values_list(
            "project_id",
            "code",
            "status",
            "mode",
            "assessed_on",
            "answered",
            "version_id",
            "project__kind",
        )
    )
    asked: dict[tuple[int, str], int] = {}
    for version_id, applies_to, count in (
        Question.objects.filter(version_id__in=assessments.values("version_id"))
        .values_list("version_id", "applies_to")
        .annotate(n=Count("id"))
        .order_by()
    ):
        asked[version_id, applies_to] = count
    found: dict[int, OpenAssessment] = {}
    for project_id, code, status, mode, assessed_on, done, version_id, kind in rows:
        if project_id in found:
            continue
        applies = (AppliesTo.BATCH, AppliesTo.REALTIME) if kind == ProjectKind.BOTH else (kind,)
        total = asked.get((version_id, AppliesTo.ALL), 0) + sum(
            asked.get((version_id, a), 0) for a in applies
        )
        found[project_id] = OpenAssessment(str(code), status, mode, assessed_on, done, total)
    return found


def brand_dashboard_data(
    user: User, brand: Brand, filters: DashboardFilters, *, today: datetime.date | None = None
) -> BrandDashboard:
    """The dashboard of `brand` (fetched with get_brand_for_user) at the end of the quarter.

    The brand filter does not apply (the brand is given); product line, kind,
    criticality, submitted self-fills and version narrow both the brand's
    projects and the other brands' projects it is compared with. A fixed
    number of queries whatever the data size. `today` (default: the local
    date) ends the assessments' age in the current quarter.
    """
    if not may_see_brand_id(user, brand.pk):
        raise PermissionDenied("Only the brand's members and group roles see its dashboard.")
    today = today or timezone.localdate()
    own = filtered_projects(Project.objects.filter(brand=brand), filters)
    # Everything read from validated or submitted figures is kept until a figure changes
    # (figures_cache); what moves without one (drafts' answers, actions) is read each time.
    # Its words ("Overall", why a comparison is withheld) are in the reader's language.
    figures = cached_figures(
        "brand-dashboard",
        (brand.pk, filters, today, get_language()),
        lambda: _brand_figures(brand, filters, today),
    )
    opened = _open_assessments(own)
    return dataclasses.replace(
        figures,
        projects=[dataclasses.replace(r, open=opened.get(r.project.pk)) for r in figures.projects],
        actions=active_actions(own),
    )


def _brand_figures(brand: Brand, filters: DashboardFilters, today: datetime.date) -> BrandDashboard:
    """The dashboard without its open assessments and actions."""
    as_of = filters.as_of
    quarters = filters.quarters(TREND_QUARTERS)
    options = {
        "include_submitted": filters.include_submitted,
        "version_code": filters.version,
        "question_set_code": filters.question_set,
    }

    own = filtered_projects(Project.objects.filter(brand=brand), filters)
    projects = by_name(own.select_related("product_line"))
    now = latest_figures(own, on=as_of, **options)
    points = {quarter: filters.point_at(quarter) for quarter in quarters}
    # The brand's mean at every quarter of the trend, computed by the database in one query.
    by_day = brand_figures_at(own, list(points.values()), **options)
    # Other brands as distributions, cached until a figure changes (the filters are in the key).
    others = other_brands_comparison(
        filtered_projects(Project.objects.all(), filters),
        brand_id=brand.pk,
        on=as_of,
        cache_parts=(filters.product_lines, filters.kinds, filters.criticalities),
        **options,
    )
    values = section_figures(f.assessment_id for f in now.values())
    info = versions_info({f.version_id for f in now.values()})
    sections = section_columns({f.version_id for f in now.values()} | others.version_ids)

    reference_day = min(as_of, today)
    rows = []
    for project in projects:
        figure = now.get(project.pk)
        section_values = values.get(figure.assessment_id, {}) if figure else {}
        rows.append(
            ProjectRow(
                project=project,
                overall=figure.percent if figure else None,
                level=figure.level if figure else "",
                sections=[section_values.get(s.key) for s in sections],
                assessed_on=figure.assessed_on if figure else None,
                age_days=(reference_day - figure.assessed_on).days if figure else None,
                figure_status=figure.status if figure else "",
                version=info[figure.version_id].label if figure else "",
                open=None,
            )
        )

    mine = list(now.values())
    reference = reference_version(mine, info, filters)
    profile = [
        _profile_row(
            "overall",
            _("Overall"),
            mine,
            [f.percent for f in mine],
            others.get("overall"),
        )
    ]
    for section in sections:
        profile.append(
            _profile_row(
                section.key,
                section.title,
                mine,
                [values.get(f.assessment_id, {}).get(section.key) for f in mine],
                others.get(section.key),
            )
        )

    trend = [
        TrendPoint.of(quarter, cell_of(by_day[day].get(brand.pk, FigureSum())), filters)
        for quarter, day in points.items()
    ]

    awaiting = [
        AwaitingReview(str(a.code), a.project, a.mode, a.assessed_on, a.submitted_at)
        for a in Assessment.objects.filter(
            project__in=own, status=AssessmentStatus.SUBMITTED, superseded_by__isnull=True
        )
        .select_related("project")
        .order_by("submitted_at", "id")
    ]
    return BrandDashboard(
        brand=brand,
        filters=filters,
        as_of=as_of,
        quarters=quarters,
        sections=sections,
        projects=rows,
        profile=profile,
        trend=trend,
        actions=ActionSummary(counts={}, urgent=[]),
        awaiting_review=awaiting,
        versions=figure_versions(mine, info),
        bands=reference.bands if reference else (),
    )

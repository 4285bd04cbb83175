"""A brand's projects against the rest of the group: medians and quartiles, never of fewer than three.

The group's distribution is taken over the OTHER brands' projects, so a brand
is compared with everyone else and its own projects do not pull the
benchmark towards themselves. Each project counts with its latest validated
assessment at the date. Quartiles use the inclusive method (as a
spreadsheet's QUARTILE.INC).
"""

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Brand, Project
from scoring.models import Score, SectionScore
from scoring.selectors.gaps import latest_validated_assessments
from surveys.models import Section

# DESIGN.md: a group smaller than three is never shown.
MIN_GROUP_SIZE = 3


@dataclass(frozen=True)
class Distribution:
    """Median and quartiles in percent of `n` figures; no figure when n is below the minimum."""

    n: int
    median: float | None = None
    lower_quartile: float | None = None
    upper_quartile: float | None = None

    @property
    def shown(self) -> bool:
        return self.n >= MIN_GROUP_SIZE


def distribution(values: list[float]) -> Distribution:
    """Figures in percent; the distribution of fewer than MIN_GROUP_SIZE values is withheld."""
    if len(values) < MIN_GROUP_SIZE:
        return Distribution(n=len(values))
    lower, median, upper = statistics.quantiles(values, n=4, method="inclusive")
    return Distribution(n=len(values), median=median, lower_quartile=lower, upper_quartile=upper)


def position(value: float | None, group: Distribution) -> str:
    """Where a figure sits in the group's distribution, in words; empty when it cannot be said."""
    if value is None or not group.shown:
        return ""
    if value >= group.upper_quartile and value > group.median:
        return _("top quarter")
    if value <= group.lower_quartile and value < group.median:
        return _("bottom quarter")
    if value > group.median:
        return _("above the median")
    if value < group.median:
        return _("below the median")
    return _("at the median")


@dataclass(frozen=True)
class BenchmarkRow:
    """One figure (overall or a section): the brand's projects against the rest of the group."""

    key: str
    title: str
    brand: Distribution
    group: Distribution


@dataclass(frozen=True)
class ProjectFigure:
    project: Project
    percent: float | None  # None: no validated assessment at the date
    level: str
    quarter: str
    position: str  # against the group's overall distribution
    product_line: Distribution | None  # other brands' projects of its product line, if it has one


@dataclass(frozen=True)
class Benchmark:
    brand: Brand
    as_of: datetime.date
    rows: list[BenchmarkRow]  # overall first, then sections in question-set order
    projects: list[ProjectFigure]

    @property
    def overall(self) -> BenchmarkRow:
        return self.rows[0]


def _figures(projects: QuerySet[Project], as_of: datetime.date, question_set_code: str | None):
    """Latest validated scores at `as_of`, their section figures and the sections' titles.

    Section figures are read as plain values: a benchmark reads thousands of them.
    """
    assessments = latest_validated_assessments(
        projects, on=as_of, question_set_code=question_set_code
    )
    scores = list(
        Score.objects.filter(assessment__in=assessments).select_related(
            "assessment__project", "assessment__version"
        )
    )
    sections = list(
        SectionScore.objects.filter(score__assessment__in=assessments).values_list(
            "score_id", "section_id", "value"
        )
    )
    titles = list(
        Section.objects.filter(version_id__in={s.assessment.version_id for s in scores})
        .order_by("version__number", "order")
        .values_list("id", "key", "title")
    )
    return scores, sections, titles


def brand_benchmark(
    brand: Brand, *, as_of: datetime.date | None = None, question_set_code: str | None = None
) -> Benchmark:
    """`brand`'s projects, overall and per section, against the other brands' projects, in
    one question set (`question_set_code`'s, else the group's main set)."""
    as_of = as_of or timezone.localdate()
    own_projects = list(brand.projects.select_related("product_line").order_by("name"))
    scores, section_scores, section_titles = _figures(
        Project.objects.all(), as_of, question_set_code
    )

    own_ids = {p.pk for p in own_projects}
    score_of_project = {s.assessment.project_id: s for s in scores}
    mine_overall, others_overall = [], []
    others_by_line: dict[int, list[float]] = {}
    for score in scores:
        if score.percent is None:
            continue
        project = score.assessment.project
        if project.pk in own_ids:
            mine_overall.append(score.percent)
        else:
            others_overall.append(score.percent)
            if project.product_line_id:
                others_by_line.setdefault(project.product_line_id, []).append(score.percent)

    # Sections are matched by key across versions; the newest version names them.
    project_of_score = {s.pk: s.assessment.project_id for s in scores}
    titles: dict[str, str] = {}
    key_of_section: dict[int, str] = {}
    for section_id, key, title in section_titles:
        titles[key] = title
        key_of_section[section_id] = key
    mine_sections: dict[str, list[float]] = {key: [] for key in titles}
    others_sections: dict[str, list[float]] = {key: [] for key in titles}
    for score_id, section_id, value in section_scores:
        if value is None:
            continue
        key = key_of_section[section_id]
        own = project_of_score[score_id] in own_ids
        (mine_sections if own else others_sections)[key].append(float(value) * 100)

    group_overall = distribution(others_overall)
    rows = [
        BenchmarkRow(
            key="overall",
            title=_("Overall"),
            brand=distribution(mine_overall),
            group=group_overall,
        )
    ]
    rows += [
        BenchmarkRow(
            key=key,
            title=title,
            brand=distribution(mine_sections[key]),
            group=distribution(others_sections[key]),
        )
        for key, title in titles.items()
    ]
    projects = []
    for project in own_projects:
        score = score_of_project.get(project.pk)
        percent = score.percent if score else None
        projects.append(
            ProjectFigure(
                project=project,
                percent=percent,
                level=score.level if score else "",
                quarter=score.assessment.quarter if score else "",
                position=position(percent, group_overall),
                product_line=(
                    distribution(others_by_line.get(project.product_line_id, []))
                    if project.product_line_id
                    else None
                ),
            )
        )
    return Benchmark(brand=brand, as_of=as_of, rows=rows, projects=projects)

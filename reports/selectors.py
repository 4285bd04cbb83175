"""Figures for the brand list, read through scoring's selectors, and the dashboards' filter options."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum

from brands.models import Brand, ProductLine, Project
from reports.words import by_name
from scoring.selectors.standings import chosen_standings
from surveys.models import QuestionSet, QuestionSetVersion, VersionStatus


@dataclass(frozen=True)
class BrandRow:
    brand: Brand
    projects: int
    assessed: int
    mean_percent: float | None


def brand_overview(brands: QuerySet[Brand], *, on: datetime.date) -> list[BrandRow]:
    """Each brand with its projects, how many have a figure on `on` and their mean: the
    figures of the group's main question set, chosen as the brand page chooses them by
    default (each project's latest validated assessment up to `on`), so that the list and
    the brand's page agree and no mean mixes two sets. Two queries."""
    brands = by_name(brands.annotate(project_count=Count("projects")))
    projects = Project.objects.filter(brand__in=brands)
    sums = {
        row["project__brand_id"]: row
        for row in chosen_standings(projects, on=on)
        .filter(assessment__score__overall__isnull=False)
        .values("project__brand_id")
        .annotate(n=Count("pk"), total=Sum("assessment__score__overall"))
    }
    rows = []
    for brand in brands:
        found = sums.get(brand.id)
        rows.append(
            BrandRow(
                brand=brand,
                projects=brand.project_count,
                assessed=found["n"] if found else 0,
                mean_percent=float(found["total"]) / found["n"] * 100 if found else None,
            )
        )
    return rows


@dataclass(frozen=True)
class FilterOption:
    code: str
    label: str
    question_set: str = ""  # for a version: the code of its set


@dataclass(frozen=True)
class FilterOptions:
    """What the dashboards' product-line and version pickers offer."""

    product_lines: list[FilterOption]
    versions: list[FilterOption]  # published versions, newest first within a question set
    question_sets: list[FilterOption] = field(default_factory=list)  # the main set first


def filter_options() -> FilterOptions:
    """Every product line (they are the group's, not a brand's) and every published
    question-set version and set. Three queries."""
    lines = [
        FilterOption(str(code), name)
        for code, name in ProductLine.objects.order_by("name").values_list("code", "name")
    ]
    versions = [
        FilterOption(str(code), f"{name} v{number}", str(set_code))
        for code, name, number, set_code in QuestionSetVersion.objects.filter(
            status=VersionStatus.PUBLISHED
        )
        .order_by("question_set__name", "-number")
        .values_list("code", "question_set__name", "number", "question_set__code")
    ]
    question_sets = [
        FilterOption(str(code), name)
        for code, name in QuestionSet.objects.filter(versions__status=VersionStatus.PUBLISHED)
        .distinct()
        .order_by("-is_main", "name")
        .values_list("code", "name")
    ]
    return FilterOptions(product_lines=lines, versions=versions, question_sets=question_sets)

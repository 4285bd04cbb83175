"""Figures for the brand list, read through scoring's selectors, and the dashboards' filter options."""

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from brands.models import Brand, ProductLine, Project
from reports.words import by_name
from scoring.selectors import latest_validated_scores
from surveys.models import QuestionSet, QuestionSetVersion, VersionStatus


@dataclass(frozen=True)
class BrandRow:
    brand: Brand
    projects: int
    assessed: int
    mean_percent: float | None


def brand_overview(brands: QuerySet[Brand]) -> list[BrandRow]:
    brands = by_name(brands.annotate(project_count=Count("projects")))
    latest = latest_validated_scores(Project.objects.filter(brand__in=brands))
    by_brand: dict[int, list[float]] = {}
    for score in latest.values():
        if score.overall is not None:
            by_brand.setdefault(score.assessment.project.brand_id, []).append(float(score.overall))
    rows = []
    for brand in brands:
        figures = by_brand.get(brand.id, [])
        rows.append(
            BrandRow(
                brand=brand,
                projects=brand.project_count,
                assessed=len(figures),
                mean_percent=sum(figures) / len(figures) * 100 if figures else None,
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

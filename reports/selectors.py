"""Figures for the brand list, read through scoring's selectors."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from brands.models import Brand, Project
from scoring.selectors import latest_validated_scores


@dataclass(frozen=True)
class BrandRow:
    brand: Brand
    projects: int
    assessed: int
    mean_percent: float | None


def brand_overview(brands: QuerySet[Brand]) -> list[BrandRow]:
    brands = list(brands.annotate(project_count=Count("projects")).order_by("name"))
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

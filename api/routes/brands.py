"""Brands, and the figures read per brand: the quarterly trend and the common gaps."""

import uuid

from django.http import HttpRequest
from ninja import Query, Router

from api.common import Paging, paginate
from api.errors import ALWAYS, ApiError, Error
from api.figures import FigureQuery, GapQuery, gaps_body, gaps_form, set_form
from api.schemas import BrandOut, BrandPage, BrandTrendOut, GapsOut
from brands.models import Brand
from brands.selectors import brands_for_user, get_brand_for_user, role_in_brand
from scoring.selectors import common_gaps, trends

router = Router(tags=["brands"])


class BrandFilters(Paging):
    country: str | None = None
    name: str | None = None


def _body(request: HttpRequest, brand: Brand) -> dict:
    return {
        "code": brand.code,
        "name": brand.name,
        "country": brand.country,
        "has_ds_team": brand.has_ds_team,
        "role": role_in_brand(request.user, brand.id),
    }


@router.get("/brands", response={200: BrandPage, **ALWAYS}, url_name="brands")
def brand_list(request: HttpRequest, filters: Query[BrandFilters]):
    """The brands the caller may see; `country` (ISO code) and `name` (part of it) narrow it."""
    brands = brands_for_user(request.user).order_by("name", "id")
    if filters.country:
        brands = brands.filter(country__iexact=filters.country.strip())
    if filters.name:
        brands = brands.filter(name__icontains=filters.name.strip())
    return paginate(request, brands, filters, lambda rows: [_body(request, b) for b in rows])


@router.get("/brands/{code}", response={200: BrandOut, **ALWAYS, 404: Error}, url_name="brand")
def brand_detail(request: HttpRequest, code: uuid.UUID):
    return _body(request, get_brand_for_user(request.user, code))


@router.get(
    "/brands/{code}/trend",
    response={200: BrandTrendOut, **ALWAYS, 400: Error, 404: Error},
    url_name="brand_trend",
)
def brand_trend(request: HttpRequest, code: uuid.UUID, query: Query[FigureQuery]):
    """The brand's figure at the end of each quarter (the current one so far), in one set."""
    brand = get_brand_for_user(request.user, code)
    set_code = set_form(query.set).question_set_code()
    trend = trends.brand_series(
        [brand],
        trends.brand_quarter_ends(brand, question_set_code=set_code),
        common_questions=query.basis == trends.SHARED,
        question_set_code=set_code,
    )
    return {
        "brand": brand.code,
        "question_set": set_code,
        "basis": trend.basis.key,
        "points": [
            {
                "at": p.at,
                "quarter": p.quarter,
                "so_far": p.so_far,
                "percent": p.percent,
                "projects": p.projects,
                "stale": p.stale,
            }
            for p in trend.series[0].points
        ],
    }


@router.get(
    "/brands/{code}/gaps",
    response={200: GapsOut, **ALWAYS, 400: Error, 404: Error},
    url_name="brand_gaps",
)
def brand_gaps(request: HttpRequest, code: uuid.UUID, query: Query[GapQuery]):
    """The statements most of the brand's projects fail (`quarter`: the end of a recent
    quarter, as YYYY-MM-DD; default today)."""
    brand = get_brand_for_user(request.user, code)
    form = gaps_form(query.set, query.quarter)
    report = common_gaps(
        brands=[brand],
        quarter_end=form.cleaned_data["quarter"],
        question_set_code=form.question_set_code(),
    )
    return gaps_body(report)


@router.get(
    "/gaps", response={200: GapsOut, **ALWAYS, 400: Error, 403: Error}, url_name="group_gaps"
)
def group_gaps(request: HttpRequest, query: Query[GapQuery]):
    """The group's common gaps, for group roles (the central team) only, as on the pages."""
    user = request.user
    if not (user.group_role or user.is_superuser):
        raise ApiError(
            403, "forbidden", "The group's common gaps are for group roles; ask for a brand's."
        )
    form = gaps_form(query.set, query.quarter)
    report = common_gaps(
        brands=brands_for_user(user),
        quarter_end=form.cleaned_data["quarter"],
        question_set_code=form.question_set_code(),
    )
    return gaps_body(report)

"""Reads of tenant-owned objects, always scoped to a user.

Every other app fetches brands and projects through these helpers. An object
of a brand the user may not see is reported as missing (Http404), never as
forbidden, so that its existence does not leak.
"""

import uuid

from django.db.models import QuerySet
from django.http import Http404

from brands.models import Brand, BrandRole, GroupRole, Membership, ProductLine, Project, User


def as_uuid(code: object) -> uuid.UUID:
    try:
        return code if isinstance(code, uuid.UUID) else uuid.UUID(str(code))
    except ValueError:
        raise Http404("No such object") from None


def brand_ids_for_user(user: User) -> QuerySet | None:
    """Ids of the brands `user` may see, or None when they may see all brands."""
    if not user.is_authenticated or not user.is_active:
        return Brand.objects.none().values("id")
    if user.group_role or user.is_superuser:
        return None
    return Membership.objects.filter(user=user).values("brand_id")


def brands_for_user(user: User) -> QuerySet[Brand]:
    ids = brand_ids_for_user(user)
    brands = Brand.objects.all()
    return brands if ids is None else brands.filter(id__in=ids)


def projects_for_user(user: User) -> QuerySet[Project]:
    ids = brand_ids_for_user(user)
    projects = Project.objects.select_related("brand", "product_line")
    return projects if ids is None else projects.filter(brand_id__in=ids)


def get_brand_for_user(user: User, code: object) -> Brand:
    try:
        return brands_for_user(user).get(code=as_uuid(code))
    except Brand.DoesNotExist:
        raise Http404("No such brand") from None


def get_project_for_user(user: User, code: object) -> Project:
    try:
        return projects_for_user(user).get(code=as_uuid(code))
    except Project.DoesNotExist:
        raise Http404("No such project") from None


def get_product_line(code: object) -> ProductLine:
    """Product lines are group-wide labels, not tenant-owned."""
    try:
        return ProductLine.objects.get(code=as_uuid(code))
    except ProductLine.DoesNotExist:
        raise Http404("No such product line") from None


def brand_role(user: User, brand: Brand) -> str | None:
    """The user's role in `brand`, or None."""
    return role_in_brand(user, brand.id)


def role_in_brand(user: User, brand_id: int) -> str | None:
    """The user's role in the brand with `brand_id`; memberships are read once per user object."""
    if not user.is_authenticated:
        return None
    known = getattr(user, "_brand_roles_read_along", None)  # set by selectors that read it along
    if known is not None and brand_id in known:
        return known[brand_id]
    cache = getattr(user, "_brand_roles", None)
    if cache is None:
        cache = dict(Membership.objects.filter(user=user).values_list("brand_id", "role"))
        user._brand_roles = cache
    return cache.get(brand_id)


def may_see_brand_id(user: User, brand_id: int) -> bool:
    """The same rule as brand_ids_for_user, for one brand, without a query for group roles."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.group_role or user.is_superuser) or role_in_brand(user, brand_id) is not None


def can_manage_brand(user: User, brand: Brand) -> bool:
    """Leads of the brand and group admins/assessors open assessments and manage projects."""
    return can_manage_brand_id(user, brand.id)


def can_manage_brand_id(user: User, brand_id: int) -> bool:
    if user.is_superuser or user.group_role in (GroupRole.ADMIN, GroupRole.ASSESSOR):
        return True
    return role_in_brand(user, brand_id) == BrandRole.LEAD


def is_team_member(user: User, project: Project) -> bool:
    known = getattr(project, "_team_membership", None)  # set by selectors that read it along
    if known is not None and user.id in known:
        return known[user.id]
    return project.team.filter(id=user.id).exists()


def can_answer_for_project(user: User, project: Project) -> bool:
    """Who may record answers: managers of the brand and data scientists on the project's team."""
    if can_manage_brand_id(user, project.brand_id):
        return True
    return role_in_brand(user, project.brand_id) == BrandRole.DATA_SCIENTIST and is_team_member(
        user, project
    )

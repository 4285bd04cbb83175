"""The access helpers: who sees which brand and project, and who may change what."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from brands.models import BrandRole, Membership
from brands.selectors import (
    brands_for_user,
    can_answer_for_project,
    can_manage_brand,
    get_brand_for_user,
    get_project_for_user,
    projects_for_user,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["group_admin", "group_assessor", "group_viewer"])
def test_group_roles_see_every_brand_and_project(request, who, project, other_project):
    user = request.getfixturevalue(who)
    assert set(brands_for_user(user)) == {project.brand, other_project.brand}
    assert set(projects_for_user(user)) == {project, other_project}
    assert get_brand_for_user(user, other_project.brand.code) == other_project.brand
    assert get_project_for_user(user, other_project.code) == other_project


@pytest.mark.parametrize("who", ["lead", "viewer", "data_scientist"])
def test_brand_members_see_only_their_own_brands(request, who, brand, project, other_project):
    user = request.getfixturevalue(who)
    assert list(brands_for_user(user)) == [brand]
    assert list(projects_for_user(user)) == [project]


def test_a_member_of_two_brands_sees_both(brand, other_brand, lead):
    third = factories.BrandFactory(name="Third Shop")
    Membership.objects.create(user=lead, brand=other_brand, role=BrandRole.VIEWER)
    assert set(brands_for_user(lead)) == {brand, other_brand}
    assert third not in brands_for_user(lead)


def test_a_user_without_membership_or_group_role_sees_nothing(brand, project):
    loner = factories.UserFactory()
    assert list(brands_for_user(loner)) == []
    assert list(projects_for_user(loner)) == []


def test_an_anonymous_user_sees_nothing(brand, project):
    assert list(brands_for_user(AnonymousUser())) == []
    with pytest.raises(Http404):
        get_project_for_user(AnonymousUser(), project.code)


def test_an_inactive_member_sees_nothing(brand, lead):
    lead.is_active = False
    lead.save()
    assert list(brands_for_user(lead)) == []


def test_the_own_brand_and_project_are_returned_by_code(lead, brand, project):
    assert get_brand_for_user(lead, brand.code) == brand
    assert get_brand_for_user(lead, str(brand.code)) == brand
    assert get_project_for_user(lead, project.code) == project


def test_another_brands_brand_is_missing_not_forbidden(lead, other_brand):
    with pytest.raises(Http404):
        get_brand_for_user(lead, other_brand.code)


def test_another_brands_project_is_missing_not_forbidden(lead, other_project):
    with pytest.raises(Http404):
        get_project_for_user(lead, other_project.code)


def test_an_unknown_code_is_missing(group_admin, brand):
    with pytest.raises(Http404):
        get_brand_for_user(group_admin, uuid.uuid4())


@pytest.mark.parametrize("code", ["not-a-uuid", "", "1", "' OR 1=1 --", None])
def test_a_malformed_code_is_missing(group_admin, project, code):
    with pytest.raises(Http404):
        get_project_for_user(group_admin, code)
    with pytest.raises(Http404):
        get_brand_for_user(group_admin, code)


def test_a_project_id_is_not_accepted_as_its_code(group_admin, project):
    with pytest.raises(Http404):
        get_project_for_user(group_admin, project.pk)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("lead", True),
        ("viewer", False),
        ("data_scientist", False),
        ("outsider", False),
        ("group_admin", True),
        ("group_assessor", True),
        ("group_viewer", False),
    ],
)
def test_who_can_manage_a_brand(request, brand, who, expected):
    user = request.getfixturevalue(who)
    assert can_manage_brand(user, brand) is expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("lead", True),
        ("viewer", False),
        ("data_scientist", True),
        ("outsider", False),
        ("group_admin", True),
        ("group_assessor", True),
        ("group_viewer", False),
    ],
)
def test_who_can_answer_for_a_project(request, project, who, expected):
    user = request.getfixturevalue(who)
    assert can_answer_for_project(user, project) is expected


def test_a_data_scientist_cannot_answer_for_a_project_whose_team_does_not_list_them(
    brand, data_scientist
):
    elsewhere = factories.ProjectFactory(brand=brand, name="Churn model")
    assert not can_answer_for_project(data_scientist, elsewhere)


def test_a_team_member_who_is_only_a_viewer_cannot_answer(brand, project, viewer):
    project.team.add(viewer)
    assert not can_answer_for_project(viewer, project)


def test_a_data_scientist_of_another_brand_on_the_team_cannot_answer(project, other_brand):
    stranger = factories.member(other_brand, BrandRole.DATA_SCIENTIST)
    project.team.add(stranger)
    assert not can_answer_for_project(stranger, project)


def test_a_lead_of_another_brand_cannot_manage_this_brand(brand, outsider):
    assert not can_manage_brand(outsider, brand)

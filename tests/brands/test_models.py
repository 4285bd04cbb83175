"""The database itself refuses rows that break the brand rules, whatever code wrote them."""

import pytest
from django.db import IntegrityError, transaction

from brands.models import BrandRole, Membership, Project
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_allows_one_membership_per_user_per_brand(brand, lead):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=lead, brand=brand, role=BrandRole.VIEWER)
    assert Membership.objects.filter(user=lead, brand=brand).count() == 1


def test_it_lets_one_user_be_a_member_of_several_brands(brand, other_brand, lead):
    Membership.objects.create(user=lead, brand=other_brand, role=BrandRole.VIEWER)
    assert lead.memberships.count() == 2


def test_it_rejects_a_second_project_of_the_same_name_in_a_brand(brand, project):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(brand=brand, name=project.name, kind="batch")


def test_it_allows_the_same_project_name_in_another_brand(project, other_brand):
    twin = Project.objects.create(brand=other_brand, name=project.name, kind="batch")
    assert twin.pk is not None


def test_it_rejects_an_unknown_project_kind(brand):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(brand=brand, name="Oracle", kind="quantum")


def test_it_rejects_an_unknown_project_criticality(brand):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(brand=brand, name="Oracle", kind="batch", criticality="extreme")


def test_it_rejects_an_unknown_brand_role(brand):
    user = factories.UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, brand=brand, role="owner")


def test_it_rejects_an_unknown_group_role(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.UserFactory(group_role="superuser")


@pytest.mark.parametrize("role", ["", "admin", "assessor", "viewer"])
def test_it_accepts_every_known_group_role(db, role):
    assert factories.UserFactory(group_role=role).pk is not None


@pytest.mark.parametrize("kind", ["batch", "realtime", "both"])
def test_it_accepts_every_known_project_kind(brand, kind):
    assert Project.objects.create(brand=brand, name=f"P {kind}", kind=kind).pk is not None

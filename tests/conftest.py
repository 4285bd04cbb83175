"""The shared cast: someone in the brand, a viewer, someone from another brand, a group admin."""

import os

import pytest

from brands.models import BrandRole, GroupRole
from tests import factories


def pytest_collection_modifyitems(config, items):
    postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    redis = bool(os.environ.get("REDIS_URL"))
    for item in items:
        if "postgres" in item.keywords and not postgres:
            item.add_marker(
                pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (CI does)")
            )
        if "redis" in item.keywords and not redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis and a worker: set REDIS_URL (CI does)"))


@pytest.fixture
def version(db):
    return factories.default_version()


@pytest.fixture
def brand(db):
    return factories.BrandFactory(name="Acme Groceries")


@pytest.fixture
def other_brand(db):
    return factories.BrandFactory(name="Other Foods")


@pytest.fixture
def project(brand):
    return factories.ProjectFactory(brand=brand, name="Cross-sell API", kind="realtime")


@pytest.fixture
def other_project(other_brand):
    return factories.ProjectFactory(brand=other_brand, name="Demand forecast", kind="batch")


@pytest.fixture
def lead(brand):
    return factories.member(brand, BrandRole.LEAD, username="lead")


@pytest.fixture
def viewer(brand):
    return factories.member(brand, BrandRole.VIEWER, username="viewer")


@pytest.fixture
def data_scientist(brand, project):
    user = factories.member(brand, BrandRole.DATA_SCIENTIST, username="ds")
    project.team.add(user)
    return user


@pytest.fixture
def outsider(other_brand):
    return factories.member(other_brand, BrandRole.LEAD, username="outsider")


@pytest.fixture
def group_admin(db):
    return factories.UserFactory(username="groupadmin", group_role=GroupRole.ADMIN)


@pytest.fixture
def group_viewer(db):
    return factories.UserFactory(username="manager", group_role=GroupRole.VIEWER)

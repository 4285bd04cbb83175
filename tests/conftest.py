"""The shared cast: someone in the brand, a viewer, someone from another brand, a group admin."""

import os

import pytest
import time_machine
from django.test import override_settings

from brands.models import BrandRole, GroupRole
from scoring.selectors import scores as scoring_scores
from surveys.models import QuestionSet, QuestionSetVersion
from surveys.selectors import answers as survey_answers
from tests import factories
from tests.clock import PINNED_NOW
from tests.i18n.catalogs import compile_stale
from tests.reports import dashboard_data

# Every test runs on the same day, whatever the calendar says (TARGETS R9): tests/clock.py.
# The clock ticks on from there, so durations still pass. A test about a particular day travels
# further with time_machine (tests/test_any_date.py walks the awkward ones); processes of our own
# (a Celery worker started with `celery worker`) keep the real clock, which is why a report job
# carries the day it was asked for.


@pytest.fixture(scope="session", autouse=True)
def _pinned_clock():
    with time_machine.travel(PINNED_NOW, tick=True):
        yield


@pytest.fixture
def real_clock():
    """The real date and time, for a test whose requests a process of our own serves (gunicorn):
    that process does not share the pinned clock, and a session made on the pinned day would
    have expired for it. Such a test must not depend on what day it is."""
    with time_machine.travel(time_machine.escape_hatch.time.time(), tick=True):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the default question set once; every test starts from it (and rolls back to it)."""
    with django_db_blocker.unblock():
        factories.default_version()


def pytest_configure(config):
    # Once, in the controlling process: the workers find the catalogs compiled.
    if not hasattr(config, "workerinput"):
        compile_stale()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (django_db(transaction=True): the PostgreSQL races, the worker
    tests) empties every table when it ends, the default set included. Put the set back once
    its teardown is over, so that the next test in this process starts as every other does.

    The shared demo's fixture (tests/reports/dashboard_data.py) is told which test comes next,
    to keep the demo for it or remove it."""
    dashboard_data.next_test = nextitem
    try:
        yield
    finally:
        dashboard_data.next_test = None
    marker = item.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    if nextitem is None:  # the last test of this process: the test database is gone by now
        return
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        factories.default_version()


@pytest.fixture
def no_question_sets(db):
    """Start from a database without any question set, as a fresh installation does."""
    for model in (QuestionSetVersion, QuestionSet):
        model.objects.all().delete()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Real hashing costs ~0.25 s per user; the tests check access rules, not hash strength."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _forget_cached_version_specs():
    """Published versions are cached per process; each test starts with empty caches."""
    yield
    scoring_scores._published_specs.clear()
    survey_answers._published_options.clear()


# With pytest-xdist (`make test` runs one process per core) each module runs whole in one
# process, so that a module's shared fixtures (a seeded demo, a scratch database) are built once
# and never by two processes at once. The modules that talk to Redis, start Celery workers or
# change our Celery app's configuration all run in one process, one after the other, so that no
# two of them share a Redis database or a queue at once. SPREAD_MODULES share nothing between
# their tests, which are long: each test goes to whichever process is free.
SPREAD_MODULES = {"test_any_date.py"}
SERIAL_MODULES = {
    "test_readyz.py",
    "test_logging.py",
    "test_reports.py",
    "test_worker.py",
    "test_metrics.py",
    "test_faults.py",
    "test_faults_postgres.py",
    "test_jobs.py",
    "test_jobs_views.py",
    "test_round_reminders_worker.py",
    "test_integrations_worker.py",
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    redis = bool(os.environ.get("REDIS_URL"))
    for item in items:
        if "redis" in item.keywords or item.path.name in SERIAL_MODULES:
            item.add_marker(pytest.mark.xdist_group("celery-and-redis"))
        elif item.path.name in dashboard_data.SHARED_DEMO_MODULES:
            # One process, one after the other: they share one seeded demo.
            item.add_marker(pytest.mark.xdist_group("shared-demo"))
        elif item.path.name not in SPREAD_MODULES:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
        if "postgres" in item.keywords and not postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (CI does)"))
        if "redis" in item.keywords and not redis:
            item.add_marker(
                pytest.mark.skip(reason="needs Redis and a worker: set REDIS_URL (CI does)")
            )
    # xdist hands out the groups in the order they are collected (`make test` passes
    # --no-loadscope-reorder, or it would order them by their number of tests): the longest
    # ones go first, so that no process is left with a long group at the end while the other
    # waits, and the many short modules fill in behind them. In the shared-demo group the
    # tests that read the demo come first, so that it is seeded once for them all.
    items.sort(key=lambda item: (_start_early(item), _after_the_shared_demo(item)))


LONG_MODULES = {"test_any_date.py", "test_question_set_fuzz.py", "test_workbook_fuzz.py"}


def _after_the_shared_demo(item) -> bool:
    return item.path.name in dashboard_data.SHARED_DEMO_MODULES and "demo" not in item.fixturenames


def _start_early(item) -> int:
    if "redis" in item.keywords or item.path.name in SERIAL_MODULES:
        return 0
    if item.path.parent.name == "browser" or item.path.name in LONG_MODULES:
        return 1
    return 2


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
def group_assessor(db):
    return factories.UserFactory(username="assessor", group_role=GroupRole.ASSESSOR)


@pytest.fixture
def group_viewer(db):
    return factories.UserFactory(username="manager", group_role=GroupRole.VIEWER)

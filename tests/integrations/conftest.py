import pytest

from tests.integrations.fake_http import FakeServices, serve
from tests.reports.jobs_support import celery_config


@pytest.fixture
def fake():
    """GitHub, Azure Boards and a webhook receiver, played on 127.0.0.1 (no internet)."""
    services = FakeServices()
    server = serve(services)
    try:
        yield services
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _eager():
    """Tasks run in-process, even where REDIS_URL is set (CI); the worker tests turn a real
    worker on inside this (test_integrations_worker.py)."""
    with celery_config(task_always_eager=True):
        yield

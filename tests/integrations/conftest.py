import pytest

from tests.integrations.fake_http import FakeServices, serve


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

"""/readyz: the database decides readiness; broker, workers and queue depth are reported."""

import os

import pytest
import redis
from celery import Celery
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse

from tests.celery_support import own_app_worker

pytestmark = pytest.mark.django_db

# A Redis database of the tests' own: nobody else's workers or queued reports are counted.
READYZ_DB = 14
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"


def probe(client):
    response = client.get(reverse("readyz"))
    return response.status_code, response.json()


@pytest.fixture
def own_redis(settings):
    base = os.environ["REDIS_URL"].rsplit("/", 1)[0]
    settings.REDIS_URL = f"{base}/{READYZ_DB}"
    server = redis.Redis.from_url(settings.REDIS_URL)
    server.flushdb()
    yield server
    server.flushdb()


class TestWithoutABroker:
    def test_it_is_ready_with_tasks_run_in_process(self, client, settings):
        settings.REDIS_URL = ""
        assert probe(client) == (
            200,
            {
                "status": "ready",
                "database": "ok",
                "broker": "in-process",
                "workers": "in-process",
                "queue_depth": 0,
            },
        )

    def test_it_is_not_ready_when_the_database_is_down(self, client, settings, monkeypatch):
        settings.REDIS_URL = ""

        def refuse(self, *args, **kwargs):
            raise OperationalError("connection refused")

        monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
        status, body = probe(client)
        assert status == 503
        assert body["status"] == "not ready"
        assert body["database"] == "unreachable"

    def test_it_is_never_cached_and_only_answers_get(self, client):
        response = client.get(reverse("readyz"))
        assert "no-cache" in response["Cache-Control"]
        assert client.post(reverse("readyz")).status_code == 405

    def test_liveness_stays_at_healthz(self, client):
        assert client.get(reverse("healthz")).status_code == 200


@pytest.mark.redis
class TestWithRedis:
    def test_a_stopped_broker_is_reported_but_pages_still_work(self, client, settings):
        settings.REDIS_URL = CLOSED_PORT_URL
        status, body = probe(client)
        assert status == 200
        assert body == {
            "status": "ready",
            "database": "ok",
            "broker": "unreachable",
            "workers": "unknown",
            "queue_depth": None,
        }

    def test_no_worker_answering_is_reported_as_none(self, client, own_redis):
        status, body = probe(client)
        assert status == 200
        assert (body["broker"], body["workers"], body["queue_depth"]) == ("ok", "none", 0)

    def test_queue_depth_counts_the_waiting_messages_of_every_priority(self, client, own_redis):
        own_redis.lpush("celery", "a", "b", "c")
        own_redis.lpush("celery\x06\x163", "d")
        assert probe(client)[1]["queue_depth"] == 4

    def test_a_running_worker_answers_the_ping(self, client, own_redis, settings):
        # fixups=[]: no Django fixup, which would close the test's database connection.
        app = Celery("readyz-test", broker=settings.REDIS_URL, set_as_current=False, fixups=[])
        app.conf.update(task_default_queue="readyz-test", broker_connection_retry_on_startup=True)
        with own_app_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            status, body = probe(client)
        assert status == 200
        assert body["workers"] == 1
        assert len(body["worker_names"]) == 1

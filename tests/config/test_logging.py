"""Structured logs: JSON lines, request ids taken or made up, echoed, and carried into Celery tasks."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery import Celery
from django.urls import reverse

from config.logging import JsonFormatter, RequestIdFilter, request_id_var
from config.request_id import sane_request_id
from tests.celery_support import own_app_worker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_lines():
    """Everything logged while the test runs, as our production handler would write it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


class TestJsonFormatter:
    def test_a_record_is_one_json_object_with_the_request_id_and_extras(self, json_lines):
        token = request_id_var.set("req-1")
        try:
            logging.getLogger("yardstick.test").warning(
                "saved %s answers", 3, extra={"assessment": "abc"}
            )
        finally:
            request_id_var.reset(token)
        (line,) = json_lines()
        assert line["message"] == "saved 3 answers"
        assert line["level"] == "WARNING"
        assert line["logger"] == "yardstick.test"
        assert line["request_id"] == "req-1"
        assert line["assessment"] == "abc"
        assert line["time"].endswith("+00:00")

    def test_an_exception_is_kept_in_the_same_line(self, json_lines):
        try:
            raise ValueError("broken <script>")
        except ValueError:
            logging.getLogger("yardstick.test").exception("it failed")
        (line,) = json_lines()
        assert "ValueError: broken <script>" in line["exception"]

    def test_outside_a_request_the_id_is_a_dash(self, json_lines):
        logging.getLogger("yardstick.test").info("no request here")
        assert json_lines()[0]["request_id"] == "-"


class TestRequestIds:
    def test_a_sane_id_from_the_proxy_is_kept_and_echoed(self, client, db):
        response = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="lb-7f3a.2")
        assert response["X-Request-ID"] == "lb-7f3a.2"

    @pytest.mark.parametrize(
        "sent", ["", "has space", "line\nbreak", "x" * 129, '{"forged": "json"}', "<script>"]
    )
    def test_anything_else_is_replaced_by_a_fresh_id(self, client, db, sent):
        response = client.get(reverse("healthz"), HTTP_X_REQUEST_ID=sent)
        assert response["X-Request-ID"] != sent
        assert sane_request_id(response["X-Request-ID"]) == response["X-Request-ID"]
        assert len(response["X-Request-ID"]) == 32

    def test_each_request_gets_its_own_id(self, client, db):
        ids = {client.get(reverse("healthz"))["X-Request-ID"] for _ in range(3)}
        assert len(ids) == 3

    def test_lines_logged_during_a_request_carry_its_id(self, client, db, json_lines):
        # A failed login makes django-axes log a line while the request is handled.
        client.post(
            reverse("login"),
            {"username": "nobody", "password": "wrong-password"},
            HTTP_X_REQUEST_ID="trace-42",
        )
        axes_lines = [line for line in json_lines() if line["logger"].startswith("axes")]
        assert axes_lines
        assert {line["request_id"] for line in axes_lines} == {"trace-42"}
        assert request_id_var.get() == "-"  # and it does not leak into what comes next


def _log_in_a_subprocess(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('yardstick.check').warning('hello %s', 'world')"
    )
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


class TestLogFormatSetting:
    def test_json_format_writes_json_lines(self):
        run = _log_in_a_subprocess(LOG_FORMAT="json")
        assert run.returncode == 0, run.stderr
        line = json.loads(run.stderr.strip().splitlines()[-1])
        assert line["message"] == "hello world"
        assert line["logger"] == "yardstick.check"

    def test_text_format_is_the_default_outside_production(self):
        run = _log_in_a_subprocess()
        assert run.returncode == 0, run.stderr
        assert run.stderr.strip().endswith("WARNING yardstick.check [-] hello world")

    def test_an_unknown_format_stops_the_start_naming_the_setting(self):
        run = _log_in_a_subprocess(LOG_FORMAT="xml")
        assert run.returncode != 0
        assert "LOG_FORMAT must be json or text, not 'xml'" in run.stderr


# A Celery app of its own on a Redis database nobody else uses, so the test's worker neither
# takes nor leaves messages in the queue of the real workers.
TEST_BROKER_DB = 13


@pytest.fixture(scope="module")
def celery_app():
    base = os.environ["REDIS_URL"].rsplit("/", 1)[0]
    url = f"{base}/{TEST_BROKER_DB}"
    # fixups=[]: no Django fixup, which would close the test's database connection.
    app = Celery("request-id-test", broker=url, backend=url, set_as_current=False, fixups=[])
    app.conf.update(task_default_queue="request-id-test", broker_connection_retry_on_startup=True)

    @app.task(name="request_id_test.seen")
    def seen() -> str:
        return request_id_var.get()

    with own_app_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        yield app, seen


@pytest.mark.redis
class TestRequestIdsInTasks:
    def test_a_task_queued_during_a_request_logs_under_its_id(self, celery_app):
        _app, seen = celery_app
        token = request_id_var.set("web-req-9")
        try:
            result = seen.delay()
        finally:
            request_id_var.reset(token)
        assert result.get(timeout=20) == "web-req-9"

    def test_a_task_queued_outside_a_request_has_no_id(self, celery_app):
        _app, seen = celery_app
        assert seen.delay().get(timeout=20) == "-"


class TestRequestIdsInProcess:
    def test_a_task_run_in_process_keeps_the_request_id_for_the_rest_of_the_request(self):
        # Without a broker, tasks run inside the web request: it must neither lose nor end its id.
        app = Celery("request-id-eager", set_as_current=False, fixups=[])
        app.conf.task_always_eager = True

        @app.task(name="request_id_test.eager_seen")
        def seen() -> str:
            return request_id_var.get()

        token = request_id_var.set("web-req-10")
        try:
            assert seen.delay().get() == "web-req-10"
            assert request_id_var.get() == "web-req-10"
        finally:
            request_id_var.reset(token)


@pytest.mark.redis
def test_a_real_worker_writes_json_lines_through_our_handler():
    # Celery would replace the root logger's handlers with its own format unless told not to.
    base = os.environ["REDIS_URL"].rsplit("/", 1)[0]
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo"),
            *("-Q", "log-format-check", "-l", "info", "--without-mingle", "--without-gossip"),
        ],
        cwd=ROOT,
        env={**keep, "LOG_FORMAT": "json", "REDIS_URL": f"{base}/{TEST_BROKER_DB}"},
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        lines = []
        for raw in worker.stderr:
            if raw.startswith("{"):
                lines.append(json.loads(raw))
                if lines[-1]["logger"].startswith("celery.worker"):
                    break
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert lines and lines[-1]["logger"].startswith("celery.worker")
    assert lines[-1]["request_id"] == "-"

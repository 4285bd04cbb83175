"""The report-jobs metrics page: figures from jobs with known timestamps, access, queries, JSON."""

import datetime
import os

import pytest
import redis
from celery import Celery
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.metrics import percentile, report_job_metrics
from reports.models import ReportJob
from tests import factories
from tests.celery_support import own_app_worker

pytestmark = pytest.mark.django_db

URL = reverse("report_metrics")
TIME_LIMIT = 600
# A Redis database of these tests' own: nobody else's workers or queued reports are counted.
METRICS_REDIS_DB = 12


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.REDIS_URL = ""
    settings.REPORT_TIME_LIMIT = TIME_LIMIT


def make_job(
    who,
    *,
    now,
    created,
    waited=None,
    built=None,
    status="ready",
    format="pdf",
    scope="group",
    brand=None,
    project=None,
    attempts=1,
    error="",
    progress=0,
):
    """A job asked for `created` before `now`, taken `waited` later and finished `built` after that."""
    created_at = now - created
    started_at = created_at + waited if waited is not None else None
    finished_at = started_at + built if built is not None else None
    job = ReportJob.objects.create(
        requested_by=who,
        scope=scope,
        brand=brand if scope != "group" else None,
        project=project if scope == "project" else None,
        format=format,
        status=status,
        attempts=attempts,
        error=error,
        progress=progress,
        started_at=started_at,
        finished_at=finished_at,
    )
    # created_at is set on insert (auto_now_add); the test needs it in the past.
    ReportJob.objects.filter(pk=job.pk).update(created_at=created_at)
    job.refresh_from_db()
    return job


def s(seconds):
    return datetime.timedelta(seconds=seconds)


@pytest.fixture
def jobs(lead, brand, project, group_admin):
    """Six jobs of the last 24 hours, two more of the last week and one failure before that."""
    now = timezone.now()
    hour, day = s(3600), s(86400)
    return now, {
        "ready_group": make_job(lead, now=now, created=2 * hour, waited=s(10), built=s(30)),
        "ready_brand": make_job(
            lead,
            now=now,
            created=3 * hour,
            waited=s(20),
            built=s(50),
            format="xlsx",
            scope="brand",
            brand=brand,
        ),
        "failed": make_job(
            lead,
            now=now,
            created=4 * hour,
            waited=s(30),
            built=s(70),
            status="failed",
            scope="project",
            brand=brand,
            project=project,
            attempts=3,
            error="The chart could not be drawn <script>alert(1)</script>",
        ),
        "queued": make_job(lead, now=now, created=s(300), status="queued", format="xlsx"),
        "stuck": make_job(
            lead,
            now=now,
            created=hour,
            waited=s(40),
            status="building",
            scope="brand",
            brand=brand,
            attempts=2,
            progress=40,
        ),
        "building": make_job(
            group_admin,
            now=now,
            created=s(60),
            waited=s(30),
            status="building",
            format="xlsx",
            progress=10,
        ),
        "week_ready": make_job(lead, now=now, created=3 * day, waited=s(100), built=s(300)),
        "week_expired": make_job(
            lead,
            now=now,
            created=5 * day,
            waited=s(50),
            built=s(60),
            status="expired",
            format="xlsx",
            scope="project",
            brand=brand,
            project=project,
            attempts=2,
        ),
        "old_failure": make_job(
            group_admin,
            now=now,
            created=10 * day,
            waited=s(5),
            built=s(5),
            status="failed",
            error="Old trouble",
        ),
    }


class TestPercentile:
    def test_it_interpolates_between_ranks_as_percentile_cont_does(self):
        assert percentile([30, 50, 70], 0.5) == 50
        assert percentile([70, 30, 50], 0.95) == pytest.approx(68)
        assert percentile([4], 0.95) == 4

    def test_it_has_no_value_without_durations(self):
        assert percentile([], 0.5) is None


class TestFigures:
    def test_counts_by_status_format_and_scope_per_window(self, jobs):
        now, _ = jobs
        day, week = report_job_metrics(now=now).windows
        assert (day.key, day.total, week.key, week.total) == ("24h", 6, "7d", 8)
        assert day.by_status == {
            "queued": 1,
            "building": 2,
            "ready": 2,
            "failed": 1,
            "expired": 0,
        }
        assert week.by_status == {
            "queued": 1,
            "building": 2,
            "ready": 3,
            "failed": 1,
            "expired": 1,
        }
        assert (day.by_format, week.by_format) == ({"pdf": 3, "xlsx": 3}, {"pdf": 4, "xlsx": 4})
        assert day.by_scope == {"group": 3, "brand": 2, "project": 1}
        assert week.by_scope == {"group": 4, "brand": 2, "project": 2}

    def test_retries_are_jobs_with_more_than_one_attempt(self, jobs):
        now, _ = jobs
        day, week = report_job_metrics(now=now).windows
        assert (day.retried, week.retried) == (2, 3)

    def test_build_and_waiting_percentiles_over_each_window(self, jobs):
        now, _ = jobs
        day, week = (window.durations for window in report_job_metrics(now=now).windows)
        # Builds of the day: 30, 50, 70 s; waits: 10, 20, 30, 40, 30 s (the queued job never waited out).
        assert (day.builds, day.build_p50, day.build_max) == (3, 50, 70)
        assert day.build_p95 == pytest.approx(68)
        assert (day.waits, day.wait_p50) == (5, 30)
        assert day.wait_p95 == pytest.approx(38)
        # The week adds builds of 300 and 60 s and waits of 100 and 50 s.
        assert (week.builds, week.build_p50, week.build_max) == (5, 60, 300)
        assert week.build_p95 == pytest.approx(254)
        assert (week.waits, week.wait_p50) == (7, 30)
        assert week.wait_p95 == pytest.approx(85)

    def test_no_jobs_give_zeros_and_no_durations(self, db):
        day, week = report_job_metrics(now=timezone.now()).windows
        assert day.total == week.total == 0
        assert set(day.by_status.values()) == {0}
        assert week.durations.build_p50 is None and week.durations.wait_p95 is None

    def test_failures_are_listed_newest_first_whatever_their_age(self, jobs):
        now, made = jobs
        failures = report_job_metrics(now=now).failures
        assert [job.code for job in failures] == [made["failed"].code, made["old_failure"].code]

    def test_only_the_twenty_latest_failures_are_listed(self, lead):
        now = timezone.now()
        made = [
            make_job(lead, now=now, created=s(1000 - n), waited=s(1), built=s(1), status="failed")
            for n in range(25)
        ]
        failures = report_job_metrics(now=now).failures
        assert [job.code for job in failures] == [job.code for job in reversed(made)][:20]

    def test_a_job_building_longer_than_the_time_limit_is_flagged(self, jobs):
        now, made = jobs
        building = report_job_metrics(now=now).building
        assert [(row.job.code, row.stuck) for row in building] == [
            (made["stuck"].code, True),
            (made["building"].code, False),
        ]
        assert building[0].age == pytest.approx(3600 - 40)
        assert building[1].age == pytest.approx(30)

    def test_the_number_of_queries_does_not_grow_with_the_jobs(
        self, jobs, lead, brand, django_assert_num_queries
    ):
        now, _ = jobs
        with django_assert_num_queries(4):
            report_job_metrics(now=now)
        for n in range(10):
            make_job(lead, now=now, created=s(100 + n), waited=s(1), status="building")
            make_job(lead, now=now, created=s(100 + n), waited=s(1), built=s(1), status="failed")
        with django_assert_num_queries(4):
            report_job_metrics(now=now)


class TestPage:
    def test_it_shows_the_machinery_and_the_figures(self, client, group_admin, jobs):
        client.force_login(group_admin)
        response = client.get(URL)
        assert response.status_code == 200
        page = response.content.decode()
        assert "built inside the web process" in page
        assert "over the 10 min limit" in page
        assert "The chart could not be drawn &lt;script&gt;" in page
        assert "<script>alert(1)</script>" not in page
        assert 'href="' + URL + '"' in client.get(reverse("brand_list")).content.decode()

    def test_a_job_links_to_its_page_only_for_its_requester(self, client, group_admin, jobs):
        _, made = jobs
        client.force_login(group_admin)
        page = client.get(URL).content.decode()
        assert reverse("report_detail", args=[made["old_failure"].code]) in page
        assert reverse("report_detail", args=[made["failed"].code]) not in page
        assert str(made["failed"].code) in page

    def test_a_superuser_gets_links_to_the_admin_site(self, client, jobs):
        _, made = jobs
        client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
        page = client.get(URL).content.decode()
        assert reverse("admin:reports_reportjob_change", args=[made["failed"].pk]) in page

    @pytest.mark.parametrize("who", ["lead", "viewer", "group_viewer", "group_assessor"])
    def test_it_is_for_group_admins_only(self, client, request, who, jobs):
        client.force_login(request.getfixturevalue(who))
        response = client.get(URL)
        assert response.status_code == 403
        assert "for group admins" in response.content.decode()
        assert client.get(URL, {"format": "json"}).status_code == 403
        assert URL not in client.get(reverse("brand_list")).content.decode()

    def test_anonymous_visitors_are_sent_to_log_in(self, client):
        response = client.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_it_only_answers_get(self, client, group_admin):
        client.force_login(group_admin)
        assert client.post(URL).status_code == 405

    def test_the_number_of_queries_does_not_grow_with_the_jobs(
        self, client, group_admin, lead, jobs
    ):
        client.force_login(group_admin)
        client.get(URL)
        with CaptureQueriesContext(connection) as few:
            assert client.get(URL).status_code == 200
        now = timezone.now()
        for n in range(10):
            make_job(lead, now=now, created=s(100 + n), waited=s(1), status="building")
            make_job(lead, now=now, created=s(100 + n), waited=s(1), built=s(1), status="failed")
        with CaptureQueriesContext(connection) as many:
            assert client.get(URL).status_code == 200
        assert len(many) == len(few)

    def test_a_broker_that_does_not_answer_is_shown(self, client, group_admin, settings):
        settings.REDIS_URL = "redis://127.0.0.1:1/0"
        client.force_login(group_admin)
        page = client.get(URL).content.decode()
        assert "unreachable" in page


class TestJson:
    def test_it_has_the_machinery_the_windows_and_the_jobs(self, client, group_admin, jobs):
        _, made = jobs
        client.force_login(group_admin)
        response = client.get(URL, {"format": "json"})
        assert response.status_code == 200
        assert "no-cache" in response["Cache-Control"]
        body = response.json()
        assert body["machinery"] == {
            "broker": "in-process",
            "workers": "in-process",
            "queue_depth": 0,
        }
        assert body["time_limit_seconds"] == TIME_LIMIT
        assert set(body["windows"]) == {"24h", "7d"}
        day = body["windows"]["24h"]
        assert day["total"] == 6 and day["retried"] == 2
        assert day["by_status"]["building"] == 2
        assert day["build_seconds"]["p50"] == 50 and day["build_seconds"]["max"] == 70
        assert day["wait_seconds"]["p95"] == pytest.approx(38)
        failure = body["recent_failures"][0]
        assert failure["code"] == str(made["failed"].code)
        assert failure["error"].startswith("The chart could not be drawn")
        assert (failure["requested_by"], failure["scope"], failure["attempts"]) == (
            made["failed"].requested_by.username,
            "project",
            3,
        )
        assert [(row["code"], row["stuck"], row["progress"]) for row in body["building"]] == [
            (str(made["stuck"].code), True, 40),
            (str(made["building"].code), False, 10),
        ]


@pytest.fixture
def own_redis(settings):
    base = os.environ["REDIS_URL"].rsplit("/", 1)[0]
    settings.REDIS_URL = f"{base}/{METRICS_REDIS_DB}"
    server = redis.Redis.from_url(settings.REDIS_URL)
    server.flushdb()
    yield server
    server.flushdb()


@pytest.mark.redis
class TestWithRedis:
    def test_no_worker_answering_and_the_waiting_messages_are_shown(
        self, client, group_admin, own_redis
    ):
        own_redis.lpush("celery", "a", "b")
        client.force_login(group_admin)
        body = client.get(URL, {"format": "json"}).json()
        assert body["machinery"] == {
            "broker": "ok",
            "workers": "none",
            "worker_names": [],
            "queue_depth": 2,
        }
        page = client.get(URL).content.decode()
        assert "2 waiting" in page

    def test_the_workers_answering_are_named(self, client, group_admin, own_redis, settings):
        # fixups=[]: no Django fixup, which would close the test's database connection.
        app = Celery("metrics-test", broker=settings.REDIS_URL, set_as_current=False, fixups=[])
        app.conf.update(task_default_queue="metrics-test", broker_connection_retry_on_startup=True)
        client.force_login(group_admin)
        with own_app_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            body = client.get(URL, {"format": "json"}).json()
        assert body["machinery"]["workers"] == 1
        (name,) = body["machinery"]["worker_names"]
        with own_app_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            page = client.get(URL).content.decode()
        assert "1: " + name in page

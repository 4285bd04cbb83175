"""PostgreSQL going away under a stream of autosaves, against gunicorn (production's server).

The shared PostgreSQL cluster is never restarted (others use it): the outage is
made on this test's own database, by terminating every connection to it, as a
restart does to the connections of a running server. Requests caught by it may
fail with the friendly error page, never a traceback; afterwards requests
succeed again without restarting gunicorn; and no save acknowledged with a 200
is lost: each one is in the answer's history with the revision it was given.
"""

import http.client
import re
import threading
import time
import urllib.parse

import psycopg
import pytest
from django.db import connection

from bench.common import gunicorn
from surveys.models import Answer, AnswerEvent
from surveys.services import assessment_start
from tests.reports.jobs_support import database_url

# gunicorn serves the saves with the real clock: the session must be made on the real day.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("real_clock"),
]

CLIENTS = 4
CSRF = "faultscsrftoken0123456789abcdefg"  # 32 characters: a valid unmasked CSRF secret
REVISION = re.compile(rb'name="base_revision" value="(\d+)"')
FRIENDLY = b"Something went wrong on our side"


class Saver(threading.Thread):
    """Saves its own answers one after the other, each with a comment of its own.

    Keeps what the server acknowledged (revision and comment of every 200) and
    every other answer, so the test can check both.
    """

    def __init__(self, port: int, cookie: str, code, keys: list[str], name: str):
        super().__init__(daemon=True)
        self.port, self.cookie, self.code, self.keys, self.label = port, cookie, code, keys, name
        self.revisions = dict.fromkeys(keys, 0)
        self.acknowledged: list[tuple[str, int, str]] = []  # (key, revision, comment)
        self.failures: list[tuple[int, bytes]] = []  # (status, body) of answers other than 200/409
        self.sent = 0
        self.stop = threading.Event()

    def save_once(self, conn: http.client.HTTPConnection) -> int:
        key = self.keys[self.sent % len(self.keys)]
        comment = f"{self.label} save {self.sent}"
        self.sent += 1
        body = urllib.parse.urlencode(
            {
                "base_revision": self.revisions[key],
                "answer": ("yes", "partly", "no")[self.sent % 3],
                "comment": comment,
            }
        )
        conn.request(
            "POST",
            f"/assessments/{self.code}/answers/{key}/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"sessionid={self.cookie}; csrftoken={CSRF}",
                "X-CSRFToken": CSRF,
                "HX-Request": "true",
            },
        )
        response = conn.getresponse()
        content = response.read()
        match = REVISION.search(content)
        if response.status == 200:
            self.revisions[key] = int(match.group(1))
            self.acknowledged.append((key, self.revisions[key], comment))
        elif response.status == 409 and match:
            # A save that was committed but not acknowledged (its answer was lost with the
            # connection) moved the revision on: the conflict answer says where it is now.
            self.revisions[key] = int(match.group(1))
        else:
            self.failures.append((response.status, content))
        return response.status

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self.stop.is_set():
            self.save_once(conn)
        conn.close()


def terminate_connections(dbname: str) -> int:
    """What a restart does to a running server's connections: all of them are cut."""
    with psycopg.connect(
        dbname="postgres", user="postgres", host="127.0.0.1", autocommit=True
    ) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [dbname],
        ).fetchall()
    return sum(1 for (done,) in rows if done)


@pytest.mark.parametrize("health_checks", ["false", "true"], ids=["checks-off", "checks-on"])
def test_autosaves_survive_the_database_cutting_every_connection(
    health_checks, client, data_scientist, group_assessor, project, version
):
    url = database_url()  # skips on SQLite
    dbname = connection.settings_dict["NAME"]
    project.kind = "both"  # every question applies
    project.save(update_fields=["kind"])
    assessment = assessment_start(
        project=project, user=group_assessor, mode="self_fill", version=version
    )
    keys = list(assessment.answers.values_list("question__key", flat=True))
    client.force_login(data_scientist)
    cookie = client.cookies["sessionid"].value
    connection.close()  # the test's own connection is cut too; it reconnects afterwards

    env = {"DATABASE_URL": url, "DATABASE_HEALTH_CHECKS": health_checks}
    with gunicorn(env=env, workers=2, threads=4) as port:
        savers = [
            Saver(port, cookie, assessment.code, keys[i::CLIENTS], f"client {i}")
            for i in range(CLIENTS)
        ]
        for saver in savers:
            saver.start()
        killed = last_outage = 0
        for _ in range(3):  # three outages while the saves stream in
            time.sleep(1.0)
            last_outage = terminate_connections(dbname)
            killed += last_outage
        time.sleep(1.0)
        for saver in savers:
            saver.stop.set()
            saver.join(timeout=60)

        # Afterwards, without a restart: every client saves again. The connections cut
        # last are still in gunicorn's threads; without health checks each of them fails
        # the one request that finds it dead (and is replaced), with them none does.
        killed_last = terminate_connections(dbname)
        after_failures = 0
        with_conn = [(s, http.client.HTTPConnection("127.0.0.1", port, timeout=30)) for s in savers]
        for _ in range(10):
            for saver, conn in with_conn:
                if saver.save_once(conn) not in (200, 409):
                    after_failures += 1
        for _, conn in with_conn:
            conn.close()

    failures = [failure for saver in savers for failure in saver.failures]
    print(  # shown with -s and when the test fails
        f"health checks {health_checks}: {killed} connections cut under load, {len(failures)} "
        f"friendly failures, {after_failures} after the last cut of {killed_last}, "
        f"{sum(len(s.acknowledged) for s in savers)} saves acknowledged"
    )
    assert killed > 0, "the outage reached no connection"
    for status, body in failures:
        assert status in (500, 503), status
        assert FRIENDLY in body and b"Traceback" not in body
    if health_checks == "true":
        assert after_failures == 0
    else:
        # A connection cut in the last outage that no save used before the clients stopped is
        # still dead too: at most one failed request for each.
        assert after_failures <= killed_last + last_outage
    assert all(saver.acknowledged[-1:] for saver in savers), "a client saved nothing afterwards"

    # Nothing acknowledged is lost: each 200 is in the history with its revision and comment.
    history = {
        (event.answer.question.key, event.revision): event.changes.get("comment", [None, None])[1]
        for event in AnswerEvent.objects.filter(answer__assessment=assessment).select_related(
            "answer__question"
        )
    }
    acknowledged = [save for saver in savers for save in saver.acknowledged]
    assert len(acknowledged) > CLIENTS
    for key, revision, comment in acknowledged:
        assert history.get((key, revision)) == comment, (key, revision, comment)
    # And the revisions count every stored save: one history row for each.
    revisions = dict(
        Answer.objects.filter(assessment=assessment).values_list("question__key", "revision")
    )
    assert sum(revisions.values()) == len(history) >= len(acknowledged)

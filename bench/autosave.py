"""P3 (answer autosave under 16 concurrent clients) and R2 (no lost answers, conflicts told).

Both run against gunicorn on this machine with PostgreSQL. The floor is a bare
Django view doing one UPDATE of the same table, served by the same gunicorn in
the same run.
"""

import http.client
import itertools
import re
import threading
import time
import urllib.parse

from bench.common import Figure, gunicorn, percentile, session_cookie

CSRF = "benchcsrftoken0123456789abcdefgh"  # 32 characters: a valid unmasked CSRF secret
_SAVES = itertools.count()  # next() is atomic under the GIL
REVISION = re.compile(rb'name="base_revision" value="(\d+)"')


def _fixtures(clients: int, label: str):
    """`clients` open self-fills of batch+real-time projects (all questions apply), and the
    data scientist on their team who fills them in."""
    from brands.models import Brand, BrandRole, GroupRole, Membership, Project, User
    from surveys.selectors import default_version
    from surveys.services import assessment_start

    version = default_version()
    brand, _ = Brand.objects.get_or_create(name="Bench brand", defaults={"country": "NL"})
    assessor, _ = User.objects.get_or_create(
        username="bench-assessor", defaults={"group_role": GroupRole.ASSESSOR}
    )
    respondent, _ = User.objects.get_or_create(username="bench-ds")
    Membership.objects.get_or_create(
        user=respondent, brand=brand, defaults={"role": BrandRole.DATA_SCIENTIST}
    )
    stamp = f"{label} {time.time_ns()}"
    work = []
    for i in range(clients):
        project = Project.objects.create(brand=brand, name=f"{stamp} #{i}", kind="both")
        project.team.add(respondent)
        assessment = assessment_start(
            project=project, user=assessor, mode="self_fill", version=version
        )
        keys = list(
            assessment.answers.order_by("question__order").values_list("question__key", "id")
        )
        work.append((assessment, keys))
    return respondent, work


class Client(threading.Thread):
    def __init__(
        self,
        port: int,
        cookie: str,
        requests: list,
        stop_at: float | None,
        interval: float = 0.0,
    ):
        super().__init__(daemon=True)
        self.port, self.cookie, self.requests, self.stop_at = port, cookie, requests, stop_at
        self.interval = interval  # seconds between sends; 0 sends as fast as answers come
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.errors = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={self.cookie}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "HX-Request": "true",
        }
        i = 0
        next_send = time.monotonic()
        while True:
            if self.interval:
                # Open-loop pacing: a slow answer does not lower the rate that is offered.
                delay = next_send - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                next_send += self.interval
            if self.stop_at is not None and time.monotonic() >= self.stop_at:
                break
            if self.stop_at is None and i >= len(self.requests):
                break
            path, body_for = self.requests[i % len(self.requests)]
            body = urllib.parse.urlencode(body_for(i))
            started = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                self.errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                i += 1
                continue
            self.latencies.append(time.perf_counter() - started)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.on_response(i, status, content)
            i += 1
        conn.close()

    def on_response(self, i: int, status: int, content: bytes) -> None:
        pass


class AnswerClient(Client):
    """Cycles through its own assessment's questions; tracks each answer's revision."""

    def __init__(self, port, cookie, assessment, keys, stop_at, interval=0.0):
        self.revisions = {key: 0 for key, _ in keys}
        self.keys = [key for key, _ in keys]
        requests = [
            (f"/assessments/{assessment.code}/answers/{key}/", self._body(key)) for key in self.keys
        ]
        super().__init__(port, cookie, requests, stop_at, interval)

    def _body(self, key):
        def body(i):
            return {
                "base_revision": self.revisions[key],
                "answer": ("yes", "partly", "no")[i % 3],
                # Unique across runs: a save that changes nothing is acknowledged without a
                # new revision, and each run's clients start counting `i` at 0 again.
                "comment": f"autosave {next(_SAVES)}",
            }

        return body

    def on_response(self, i, status, content):
        key = self.keys[i % len(self.keys)]
        if status == 200:
            match = REVISION.search(content)
            self.revisions[key] = int(match.group(1)) if match else self.revisions[key] + 1


class FloorClient(Client):
    def __init__(self, port, cookie, answer_ids, actor_id, stop_at, interval=0.0):
        requests = [
            (f"/bench/floor/answer/{aid}/", lambda i: {"comment": f"floor {i}", "actor": actor_id})
            for aid in answer_ids
        ]
        super().__init__(port, cookie, requests, stop_at, interval)


def _run(clients: list[Client], warmup: float) -> tuple[list[float], dict, int, float]:
    started = time.monotonic()
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    elapsed = time.monotonic() - started - warmup
    latencies, statuses, errors = [], {}, 0
    for client in clients:
        latencies += client.latencies
        errors += client.errors
        for status, n in client.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    return latencies, statuses, errors, elapsed


def _queries_per_save(user, assessment, key) -> int:
    """SQL statements of one HTMX save, counted in this process with Django's test client
    (BEGIN and COMMIT included)."""
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    from surveys.models import Answer

    client = TestClient(HTTP_HOST="localhost", enforce_csrf_checks=False)
    client.force_login(user)
    path = f"/assessments/{assessment.code}/answers/{key}/"
    counts = []
    for answer in ("yes", "no"):  # the first save also counts progress; the second is typical
        revision = Answer.objects.get(assessment=assessment, question__key=key).revision
        body = {"base_revision": revision, "answer": answer, "comment": f"counted {answer}"}
        with CaptureQueriesContext(connection) as captured:
            response = client.post(path, body, headers={"HX-Request": "true"})
        assert response.status_code == 200, response.status_code
        counts.append(len(captured.captured_queries))
    return counts[-1]


def p3(env: dict, *, clients: int = 16, seconds: float = 20.0, rate: float = 100.0) -> list[Figure]:
    """Capacity (16 clients saving back to back) and latency at `rate` saves/s offered
    by 16 clients (and at twice that), each against the floor measured the same way in the
    same run. The floor saves into assessments of its own, so that the app's revisions stay
    its own to count."""
    from surveys.models import Answer

    user, work = _fixtures(clients, "P3")
    _, floor_work = _fixtures(clients, "P3 floor")
    counted, counted_keys = _fixtures(1, "P3 queries")[1][0]
    queries = _queries_per_save(user, counted, counted_keys[0][0])
    cookie = session_cookie(user)
    interval = clients / rate
    with gunicorn(env=env) as port:
        # Warm up every worker's connections and caches before measuring.
        clients_now = [
            AnswerClient(port, cookie, a, keys, time.monotonic() + 3) for a, keys in work
        ]
        _run(clients_now, 0)
        acknowledged = sum(c.statuses.get(200, 0) for c in clients_now)
        revisions = [c.revisions for c in clients_now]

        def floor(pace, length=seconds):
            stop_at = time.monotonic() + length
            return _run(
                [
                    FloorClient(port, cookie, [i for _, i in k], user.pk, stop_at, pace)
                    for _, k in floor_work
                ],
                0,
            )

        def app(pace):
            stop_at = time.monotonic() + seconds
            group = [AnswerClient(port, cookie, a, k, stop_at, pace) for a, k in work]
            for client, revs in zip(group, revisions, strict=True):
                client.revisions = revs  # shared: each run carries on from the last one's saves
            result = _run(group, 0)
            return group, result

        floor(0.0, 3.0)  # warm-up of the floor's statements
        f_sat = floor(0.0)
        sat_clients, a_sat = app(0.0)
        f_paced = floor(interval)
        paced_clients, a_paced = app(interval)
        # Twice the rate: how the saves fare nearer the machine's capacity.
        double_clients, a_double = app(interval / 2)
        f_double = floor(interval / 2)

    runs = sat_clients + paced_clients + double_clients
    acknowledged += sum(c.statuses.get(200, 0) for c in runs)
    # Every acknowledged save raised its answer's revision by one: compare the sums.
    stored = sum(
        Answer.objects.filter(assessment_id__in=[a.id for a, _ in work]).values_list(
            "revision", flat=True
        )
    )
    lost = acknowledged - stored
    problems = {
        "errors": a_sat[2] + a_paced[2] + a_double[2],
        "non_200": {
            s: n for st in (a_sat[1], a_paced[1], a_double[1]) for s, n in st.items() if s != 200
        },
    }
    sat, f_sat_rate = a_sat[1].get(200, 0) / a_sat[3], sum(f_sat[1].values()) / f_sat[3]
    p95, f_p95 = percentile(a_paced[0], 95) * 1000, percentile(f_paced[0], 95) * 1000
    served = a_paced[1].get(200, 0) / a_paced[3]
    d95, f_d95 = percentile(a_double[0], 95) * 1000, percentile(f_double[0], 95) * 1000
    d_served = a_double[1].get(200, 0) / a_double[3]
    return [
        Figure(
            "P3",
            f"answer saves per second, {clients} clients back to back (capacity)",
            f"{sat:.0f}/s",
            floor=f"{f_sat_rate:.0f}/s",
            ratio=f"{sat / f_sat_rate:.2f}",
            target=">= 300/s",
            ok=sat >= 300,
        ),
        Figure(
            "P3",
            f"answer save p95 at {rate:.0f} saves/s offered by {clients} clients "
            f"({served:.0f}/s served; p50 {percentile(a_paced[0], 50) * 1000:.1f} ms)",
            f"{p95:.1f} ms",
            floor=f"{f_p95:.1f} ms",
            ratio=f"{p95 / f_p95:.1f}x",
            target="<= 3x floor",
            ok=p95 <= 3 * f_p95,
            details={"p50_ms": round(percentile(a_paced[0], 50) * 1000, 1)},
        ),
        Figure(
            "P3",
            f"answer save p95 at {rate * 2:.0f} saves/s offered by {clients} clients "
            f"({d_served:.0f}/s served; for reference)",
            f"{d95:.1f} ms",
            floor=f"{f_d95:.1f} ms",
            ratio=f"{d95 / f_d95:.1f}x",
            details={"p50_ms": round(percentile(a_double[0], 50) * 1000, 1)},
        ),
        Figure(
            "P3",
            "SQL statements per save, BEGIN and COMMIT included (HTMX, the answer and its "
            "comment changed)",
            str(queries),
        ),
        Figure(
            "P3",
            "saves acknowledged but not stored",
            str(lost),
            target="0",
            ok=lost == 0 and not problems["errors"] and not problems["non_200"],
            details={**problems, "acknowledged": acknowledged},
        ),
    ]


def r2(env: dict, *, clients: int = 32) -> list[Figure]:
    from surveys.models import Answer, AnswerEvent

    user, work = _fixtures(clients, "R2")
    cookie = session_cookie(user)
    with gunicorn(env=env) as port:
        burst = [AnswerClient(port, cookie, a, keys, None) for a, keys in work]
        _, statuses, errors, elapsed = _run(burst, 0)

        # Two people change the same answer from the same starting revision.
        assessment, keys = work[0]
        key = keys[0][0]
        current = Answer.objects.get(assessment=assessment, question__key=key).revision
        path = f"/assessments/{assessment.code}/answers/{key}/"
        pair = [
            Client(
                port, cookie, [(path, lambda i, c=c: {"base_revision": current, "answer": c})], None
            )
            for c in ("no", "partly")
        ]
        _run(pair, 0)
        pair_statuses = sorted(s for c in pair for s in c.statuses)

    expected = clients * len(work[0][1])
    answers = Answer.objects.filter(assessment__in=[a for a, _ in work])
    stored = answers.filter(option__isnull=False).count()
    events = AnswerEvent.objects.filter(answer__in=answers, via="self_fill").count()
    ok_saves = statuses.get(200, 0)
    return [
        Figure(
            "R2",
            f"{clients} clients x {len(work[0][1])} answers at once: answers stored",
            f"{stored} of {expected}",
            target="all",
            ok=stored == expected == ok_saves and not errors,
            details={"statuses": statuses, "errors": errors, "seconds": round(elapsed, 1)},
        ),
        Figure(
            "R2",
            "history entries for those saves",
            f"{events - 1} of {expected}",  # minus the one winning save of the conflict pair
            target="all",
            ok=events - 1 == expected,
        ),
        Figure(
            "R2",
            "same answer, same starting revision, two clients",
            " + ".join(str(s) for s in pair_statuses),
            target="200 + 409",
            ok=pair_statuses == [200, 409],
        ),
    ]

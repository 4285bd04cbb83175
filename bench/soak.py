"""Soak: mixed traffic for a few minutes against gunicorn and a real Celery worker.

Runs on the group-scale benchmark database (it is not reseeded; like the
autosave suite, it adds a few self-fill projects to "Bench brand") and on the
system Redis, on a database number of its own (SOAK_REDIS_URL to change it). Local and bounded:
a fixed set of client threads on loopback, for `--seconds` (default here 180).

The traffic, each client paced so the machine is busy but not saturated:

- data scientists autosaving answers of their own self-fills (no conflicts
  expected: each client owns its assessment);
- managers (a group viewer) reading the group dashboard, brand pages and
  project pages of the biggest brands;
- a manager asking for brand reports, Excel and PDF by turns, polling the
  status partial every second as the browser does, and downloading each ready
  file.

Reported: errors by endpoint (any answer but 200/302, or no answer; target
zero), p95 per endpoint, requests per second, autosaves acknowledged but not
stored (target zero), reports built, and the RSS
memory of gunicorn's workers and of the Celery worker (main and pool
processes), sampled every 5 seconds: the mean of the first minute against the
mean of the last (for runs under three minutes: the first and last third).
"""

import http.client
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from bench.autosave import CSRF, REVISION, _fixtures
from bench.common import ROOT, Figure, gunicorn, percentile, session_cookie

# The system Redis, on a database number of its own (so Celery's default queue there is ours).
REDIS_URL = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/11")
QUEUE = "celery"
SAVERS = 4
SAVE_INTERVAL = 0.1  # seconds between one client's saves: ~40 saves/s in all
READERS = 2
READ_INTERVAL = 0.5
SAMPLE_EVERY = 5.0
HTMX = {"HX-Request": "true"}


class Stats:
    """Latencies and errors per endpoint, shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, dict[str, int]] = {}

    def record(self, endpoint: str, seconds: float | None, problem: str | None) -> None:
        with self.lock:
            if seconds is not None:
                self.latencies.setdefault(endpoint, []).append(seconds)
            if problem is not None:
                errors = self.errors.setdefault(endpoint, {})
                errors[problem] = errors.get(problem, 0) + 1


class Session:
    """One keep-alive connection with a logged-in session cookie; records every request."""

    def __init__(self, port: int, cookie: str, stats: Stats):
        self.port, self.stats = port, stats
        self.headers = {"Cookie": f"sessionid={cookie}; csrftoken={CSRF}", "X-CSRFToken": CSRF}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self, endpoint: str, method: str, path: str, form: dict | None = None, headers=None
    ) -> tuple[int, bytes, dict]:
        body = urllib.parse.urlencode(form) if form is not None else None
        all_headers = {**self.headers, **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=all_headers)
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.stats.record(endpoint, None, type(exc).__name__)
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0, b"", {}
        status = response.status
        self.stats.record(
            endpoint,
            time.perf_counter() - started,
            None if status in (200, 302) else str(status),
        )
        return status, content, dict(response.getheaders())


def _paced(stop_at: float, interval: float, step) -> None:
    next_at = time.monotonic()
    i = 0
    while time.monotonic() < stop_at:
        step(i)
        i += 1
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def _saver(
    session: Session, assessment, keys: list[str], stop_at: float, acknowledged: list
) -> None:
    """Save answers of one assessment; appends 1 to `acknowledged` for every 200."""
    revisions = dict.fromkeys(keys, 0)

    def step(i: int) -> None:
        key = keys[i % len(keys)]
        status, content, _ = session.request(
            "autosave",
            "POST",
            f"/assessments/{assessment.code}/answers/{key}/",
            {"base_revision": revisions[key], "answer": ("yes", "partly", "no")[i % 3],
             "comment": f"soak {i}"},
            HTMX,
        )  # fmt: skip
        match = REVISION.search(content)
        if match:
            revisions[key] = int(match.group(1))
        if status == 200:
            acknowledged.append(1)

    _paced(stop_at, SAVE_INTERVAL, step)


def _reader(session: Session, pages: list[tuple[str, str]], offset: int, stop_at: float) -> None:
    def step(i: int) -> None:
        endpoint, path = pages[(i + offset) % len(pages)]
        session.request(endpoint, "GET", path)

    _paced(stop_at, READ_INTERVAL, step)


def _reporter(session: Session, brand_codes: list, stop_at: float, built: dict) -> None:
    """Ask for a brand report, follow it to its end, download it; then the next one."""
    i = 0
    while time.monotonic() < stop_at:
        fmt = ("xlsx", "pdf")[i % 2]
        code = brand_codes[i % len(brand_codes)]
        i += 1
        status, _, headers = session.request(
            f"report request ({fmt})",
            "POST",
            "/reports/",
            {"scope": "brand", "code": code, "format": fmt},
        )
        location = headers.get("Location", "")
        if status != 302 or not location:
            time.sleep(1)
            continue
        detail = urllib.parse.urlsplit(location).path
        deadline = time.monotonic() + 120
        page = b""
        while time.monotonic() < deadline:
            _, page, _ = session.request("report status", "GET", detail, headers=HTMX)
            if b"hx-trigger" not in page:
                break
            time.sleep(1)
        if b"/download/" in page:
            status, content, _ = session.request(
                f"report download ({fmt})", "GET", f"{detail}download/"
            )
            if status == 200 and content:
                built[fmt] = built.get(fmt, 0) + 1
        else:
            built["not ready"] = built.get("not ready", 0) + 1


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _gunicorn_master(port: int) -> int:
    needle = f"127.0.0.1:{port}".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"gunicorn" in cmdline and needle in cmdline:
                return int(entry.name)
    raise RuntimeError("gunicorn's master process not found")


def _sampler(gunicorn_pid: int, worker_pid: int, stop: threading.Event, samples: list) -> None:
    started = time.monotonic()
    while not stop.is_set():
        samples.append(
            (
                time.monotonic() - started,
                _rss_mib(_children(gunicorn_pid)),
                _rss_mib([worker_pid, *_children(worker_pid)]),
            )
        )
        stop.wait(SAMPLE_EVERY)


def _growth(samples: list, seconds: float) -> tuple[float, float, float, float, float]:
    """Mean RSS of the first and last window (a minute, or a third of a short run)."""
    window = min(60.0, seconds / 3)
    first = [s for s in samples if s[0] <= window]
    last = [s for s in samples if s[0] >= seconds - window]

    def mean(rows, i):
        return sum(r[i] for r in rows) / len(rows) if rows else float("nan")

    return window, mean(first, 1), mean(last, 1), mean(first, 2), mean(last, 2)


def _start_worker(env: dict, log) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--queues", QUEUE, "--hostname", "yardstick-soak@%h", "--concurrency", "1",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING",
    ]  # fmt: skip
    full_env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    return subprocess.Popen(
        command, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _forget_queue() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    client.delete(QUEUE, *(f"{QUEUE}\x06\x16{step}" for step in range(1, 10)))


def _targets():
    """Pages of the three biggest brands (brand page, two project pages each)."""
    from django.db.models import Count

    from brands.models import Brand
    from surveys.models import AssessmentStatus

    brands = list(
        Brand.objects.exclude(name="Bench brand")
        .annotate(n=Count("projects"))
        .order_by("-n", "name")[:3]
    )
    pages = [("group dashboard", "/dashboard/")]
    for brand in brands:
        pages.append(("brand page", f"/brands/{brand.code}/"))
        validated = brand.projects.filter(assessments__status=AssessmentStatus.VALIDATED)
        projects = validated.distinct()[:2]
        pages += [("project page", f"/projects/{p.code}/") for p in projects]
    return pages, [b.code for b in brands]


def _thread(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def run(env: dict, *, seconds: float = 180.0) -> list[Figure]:
    # The dashboards' session helper: bench.autosave's names the login throttle's backend,
    # which cannot load a user back, so every request with its cookie is a 500.
    from bench.dashboards import _viewer
    from reports.models import ReportJob, ReportStatus
    from surveys.models import Answer

    respondent, fixtures = _fixtures(SAVERS, "Soak")
    work = [(assessment, [key for key, _ in keys]) for assessment, keys in fixtures]
    manager = _viewer()
    pages, brand_codes = _targets()
    ds_cookie, manager_cookie = session_cookie(respondent), session_cookie(manager)
    jobs_before = ReportJob.objects.filter(requested_by=manager).count()
    stats, built, samples, acknowledged = Stats(), {}, [], []
    _forget_queue()
    with tempfile.TemporaryDirectory(prefix="yardstick-soak-") as folder:
        server_env = {**env, "REDIS_URL": REDIS_URL, "REPORTS_ROOT": folder}
        with open(Path(folder) / "worker.log", "wb") as log:
            worker = _start_worker(server_env, log)
            try:
                with gunicorn(env=server_env, workers=2, threads=4) as port:
                    print(f"soak: {seconds:.0f} s of mixed traffic...")
                    stop = threading.Event()
                    sampler = threading.Thread(
                        target=_sampler,
                        args=(_gunicorn_master(port), worker.pid, stop, samples),
                        daemon=True,
                    )
                    sampler.start()
                    started = time.monotonic()
                    stop_at = started + seconds
                    threads = [
                        _thread(
                            _saver, Session(port, ds_cookie, stats), a, keys, stop_at, acknowledged
                        )
                        for a, keys in work
                    ]
                    threads += [
                        _thread(
                            _reader, Session(port, manager_cookie, stats), pages, i * 3, stop_at
                        )
                        for i in range(READERS)
                    ]
                    reporter = Session(port, manager_cookie, stats)
                    threads.append(_thread(_reporter, reporter, brand_codes, stop_at, built))
                    for thread in threads:
                        thread.join(timeout=seconds + 180)
                    elapsed = time.monotonic() - started
                    stop.set()
                    sampler.join()
            finally:
                _stop(worker)
                _forget_queue()
        worker_errors = [
            line
            for line in (Path(folder) / "worker.log").read_text(errors="replace").splitlines()
            if " ERROR " in line
        ]

    jobs = ReportJob.objects.filter(requested_by=manager).order_by("id")[jobs_before:]
    by_status: dict[str, int] = {}
    for job in jobs:
        by_status[job.status] = by_status.get(job.status, 0) + 1
    # Every acknowledged save raised its answer's revision by one (as in P3).
    stored = sum(
        Answer.objects.filter(assessment__in=[a for a, _ in work]).values_list(
            "revision", flat=True
        )
    )
    requests = sum(len(v) for v in stats.latencies.values())
    errors = sum(n for e in stats.errors.values() for n in e.values())
    window, g_first, g_last, w_first, w_last = _growth(samples, elapsed)
    p95s = {
        endpoint: round(percentile(values, 95) * 1000, 1)
        for endpoint, values in sorted(stats.latencies.items())
    }
    counts = {endpoint: len(values) for endpoint, values in sorted(stats.latencies.items())}
    figures = [
        Figure(
            "Soak",
            f"errors in {elapsed:.0f} s of mixed traffic ({requests} requests, "
            f"{requests / elapsed:.1f}/s)",
            str(errors),
            target="0",
            ok=errors == 0 and not worker_errors,
            details={"by_endpoint": stats.errors, "worker_errors": worker_errors[:20]},
        ),
    ]
    for endpoint, p95 in p95s.items():
        figures.append(
            Figure(
                "Soak",
                f"p95 {endpoint} ({counts[endpoint]} requests)",
                f"{p95:.1f} ms",
                details={"p50_ms": round(percentile(stats.latencies[endpoint], 50) * 1000, 1)},
            )
        )
    figures += [
        Figure(
            "Soak",
            f"autosaves acknowledged but not stored ({len(acknowledged)} acknowledged)",
            str(len(acknowledged) - stored),
            target="0",
            ok=len(acknowledged) == stored,
        ),
        Figure(
            "Soak",
            "reports built and downloaded (brand scope)",
            f"{built.get('xlsx', 0)} Excel + {built.get('pdf', 0)} PDF",
            target="all asked for",
            ok=not built.get("not ready") and by_status.get(ReportStatus.FAILED, 0) == 0,
            details={"jobs_by_status": by_status, "not_ready": built.get("not ready", 0)},
        ),
        Figure(
            "Soak",
            f"RSS of gunicorn's 2 workers, mean of the first {window:.0f} s -> last {window:.0f} s",
            f"{g_first:.0f} -> {g_last:.0f} MiB ({g_last - g_first:+.0f})",
            details={"samples": [[round(t), round(g), round(w)] for t, g, w in samples]},
        ),
        Figure(
            "Soak",
            f"RSS of the Celery worker (main + pool), first {window:.0f} s -> last {window:.0f} s",
            f"{w_first:.0f} -> {w_last:.0f} MiB ({w_last - w_first:+.0f})",
        ),
    ]
    return figures

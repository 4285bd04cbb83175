"""P1 (group dashboard), P2 (brand page, project page) and P7 (bytes of a first load).

Server times are measured through gunicorn on this machine with PostgreSQL and
the group-scale dataset (seeded by the scoring suite's `prepare_group_scale`
when it is missing), as a group viewer with a real session cookie: ~50
sequential requests per page after a warm-up, p95 of the time to the last
byte over loopback.

The floors are bare views of bench/urls.py served by the same gunicorn in the
same run, each one raw SQL query reading the same aggregates:

- P1: the brands x sections means of each project's latest validated score at
  the quarter's end (DISTINCT ON over the assessments, joined to the stored
  section scores);
- P2: the brand's projects' latest validated scores; for the project page, the
  project's scores with their sections.

The pages keep their group-wide aggregates in the figures cache
(scoring.selectors.figures_cache) until a figure changes, so most requests are
served from it: the figures above are those. The "cold" figures measure the
first request after a change: before each of those requests the figures token
is replaced directly in the database (as a validation would replace it), so
every gunicorn process recomputes everything.

The SQL query count of each page is taken in this process with Django's test
Client and CaptureQueriesContext against the same database, cached and cold;
the test suite asserts that both counts hold on small and on ten-times-larger
data (tests/reports/test_*_dashboard_*.py, test_project_page.py).

P7 adds up what a first load of the group dashboard transfers: the page and
its lazy common-gaps partial gzipped, plus every static file it references
compressed the way WhiteNoise serves them (Brotli, else gzip).
"""

import gzip
import http.client
import re
import time

from bench.common import Figure, gunicorn, percentile, session_cookie

REQUESTS = 50
WARMUP = 5
P1_TARGET_MS = 150
P2_TARGET_MS = 100
P7_TARGET_BYTES = 2 * 1024 * 1024
STATIC_REF = re.compile(r'(?:src|href)="(/static/[^"?#]+)"')


def _viewer():
    from brands.models import GroupRole, User

    user, _ = User.objects.get_or_create(
        username="bench-group-viewer", defaults={"group_role": GroupRole.VIEWER}
    )
    if user.group_role != GroupRole.VIEWER:
        user.group_role = GroupRole.VIEWER
        user.save(update_fields=["group_role"])
    return user


def _targets():
    """The quarter, the biggest brand and one of its projects with validated scores."""
    from django.db.models import Count
    from django.utils import timezone

    from brands.models import Brand
    from reports.dashboards import DashboardFilters
    from surveys.models import Assessment, AssessmentStatus

    filters = DashboardFilters.parse({}, today=timezone.localdate())
    validated = Assessment.objects.filter(status=AssessmentStatus.VALIDATED)
    busiest = (
        validated.values("project__brand")
        .annotate(n=Count("project", distinct=True))
        .order_by("-n", "project__brand")
        .first()
    )
    brand = Brand.objects.get(pk=busiest["project__brand"])
    assessment = (
        validated.filter(project__brand=brand)
        .select_related("project")
        .order_by("project__name", "-assessed_on")
        .first()
    )
    return filters, brand, assessment.project


def _forget_figures() -> None:
    """Replace the figures token, as any write to the figures would: every cached aggregate
    is recomputed by the next request, in every gunicorn process."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE scoring_figures_generation SET value = gen_random_uuid()::text WHERE id = 1"
        )


def _time(port: int, targets: dict[str, tuple[str, dict]], n: int = REQUESTS) -> dict:
    """{name: (latencies in s, last status, last body size)}: `n` sequential GETs of each target
    after a warm-up, taken in rounds (one of each per round) so that the noise of a shared
    machine falls on pages and floors alike. Targets named "cold ..." are requested right
    after the figures token is replaced (`_forget_figures`, not timed)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    found = {name: ([], 0, 0) for name in targets}
    for i in range(WARMUP + n):
        for name, (path, headers) in targets.items():
            if name.startswith("cold "):
                _forget_figures()
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            latencies = found[name][0]
            if i >= WARMUP:
                latencies.append(elapsed)
            found[name] = (latencies, response.status, len(body))
    conn.close()
    return found


def _get(port: int, path: str, headers: dict) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def _count_queries(user, paths: dict[str, tuple[str, dict]]) -> dict[str, tuple[int, int]]:
    """{name: (queries with the figures cached, queries right after a change)}."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    counts = {}
    for name, (path, extra) in paths.items():
        client.get(path, headers=extra)  # caches warmed, as in the tests
        with CaptureQueriesContext(connection) as cached:
            client.get(path, headers=extra)
        _forget_figures()
        with CaptureQueriesContext(connection) as cold:
            client.get(path, headers=extra)
        counts[name] = (len(cached.captured_queries), len(cold.captured_queries))
    return counts


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _figure(key, what, latencies, floor, target_ms, status, queries, extra=None) -> Figure:
    p95, floor95 = percentile(latencies, 95), percentile(floor, 95)
    ok = status == 200 and p95 * 1000 <= target_ms
    return Figure(
        key=key,
        what=what,
        measured=f"p95 {_ms(p95)} ({queries} queries)" if status == 200 else f"HTTP {status}",
        floor=f"p95 {_ms(floor95)}",
        ratio=f"{p95 / floor95:.1f}x",
        target=f"p95 <= {target_ms} ms; constant queries",
        ok=ok,
        details={
            "requests": len(latencies),
            "median_ms": round(percentile(latencies, 50) * 1000, 2),
            "p95_ms": round(p95 * 1000, 2),
            "max_ms": round(max(latencies) * 1000, 2),
            "floor_median_ms": round(percentile(floor, 50) * 1000, 2),
            "floor_p95_ms": round(floor95 * 1000, 2),
            "status": status,
            "queries_at_group_scale": queries,
            **(extra or {}),
        },
    )


def _compressed(data: bytes) -> tuple[int, int]:
    import brotli

    return len(gzip.compress(data, compresslevel=9)), len(brotli.compress(data))


def p7(port: int, headers: dict, page: bytes) -> Figure:
    """Bytes of a first load: the page and its lazy partial gzipped, its static files as served."""
    from django.contrib.staticfiles import finders
    from django.urls import reverse

    html = page.decode()
    query = re.search(r'hx-get="/dashboard/gaps/\?([^"]*)"', html)
    gaps_path = reverse("group_dashboard_gaps") + ("?" + query.group(1) if query else "")
    _, gaps = _get(port, gaps_path.replace("&amp;", "&"), {**headers, "HX-Request": "true"})
    parts = {
        "page (gzip)": len(gzip.compress(page, compresslevel=6)),
        "gaps partial (gzip)": len(gzip.compress(gaps, compresslevel=6)),
    }
    raw = len(page) + len(gaps)
    for url in sorted(set(STATIC_REF.findall(html))):
        path = finders.find(url.removeprefix("/static/"))
        if path is None:
            continue
        data = open(path, "rb").read()  # noqa: SIM115 - read once
        gz, br = _compressed(data)
        parts[f"{url} (br)"] = br
        raw += len(data)
        parts[f"{url} (gzip would be)"] = gz
    total = sum(v for k, v in parts.items() if "would be" not in k)
    return Figure(
        key="P7",
        what="First load of the group dashboard, bytes transferred",
        measured=f"{total / 1024:.0f} KiB ({raw / 1024:.0f} KiB uncompressed)",
        target="<= 2 MB",
        ok=total <= P7_TARGET_BYTES,
        details={
            "total_bytes": total,
            "uncompressed_bytes": raw,
            "parts_bytes": parts,
            "caching": (
                "In production (YARDSTICK_PRODUCTION=1) the static files are stored by "
                "WhiteNoise's CompressedManifestStaticFilesStorage: hashed names, .br and .gz "
                "made at collectstatic, served with Cache-Control: max-age=315360000, public, "
                "immutable - so a later load transfers only the HTML."
            ),
        },
    )


def run(env: dict) -> list[Figure]:
    from bench.scoring import prepare_group_scale

    reason = prepare_group_scale()
    if reason:
        return [Figure(key="P1", what="Group dashboard", measured=f"not measured: {reason}")]
    filters, brand, project = _targets()
    user = _viewer()
    cookie = session_cookie(user)
    headers = {"Cookie": f"sessionid={cookie}"}
    query = f"quarter={filters.quarter.code}"
    paths = {
        "dashboard": (f"/dashboard/?{query}", {}),
        "partial": (f"/dashboard/?{query}", {"HX-Request": "true"}),
        "brand": (f"/brands/{brand.code}/", {}),
        "project": (f"/projects/{project.code}/", {}),
    }
    queries = _count_queries(user, paths)
    as_of = filters.as_of.isoformat()

    figures = []
    with gunicorn(env=env, workers=2, threads=2) as port:
        pages = {name: (path, {**headers, **extra}) for name, (path, extra) in paths.items()}
        floors = {
            "floor_p1": (f"/bench/floor/heatmap/?as_of={as_of}", {}),
            "floor_brand": (f"/bench/floor/brand/{brand.code}/", {}),
            "floor_project": (f"/bench/floor/project/{project.code}/", {}),
        }
        # Cached and cold in runs of their own: a cold request empties the cache of the
        # requests after it too.
        timed = _time(port, {**pages, **floors})
        timed |= _time(port, {f"cold {name}": target for name, target in pages.items()})
        for name, key, what, floor, target in (
            ("dashboard", "P1", "Group dashboard, full page", "floor_p1", P1_TARGET_MS),
            ("partial", "P1", "Group dashboard, HTMX results", "floor_p1", P1_TARGET_MS),
            ("brand", "P2", "Brand page (50 projects)", "floor_brand", P2_TARGET_MS),
            ("project", "P2", "Project page", "floor_project", P2_TARGET_MS),
        ):
            for cold in (False, True):
                latencies, status, size = timed[f"cold {name}" if cold else name]
                label = f"{what}, first request after a change" if cold else what
                figures.append(
                    _figure(
                        key, label, latencies, timed[floor][0], target, status,
                        queries[name][1 if cold else 0],
                        {"path": paths[name][0], "bytes": size, "figures_cache": not cold},
                    )
                )  # fmt: skip
        _, page = _get(port, paths["dashboard"][0], headers)
        figures.append(p7(port, headers, page))
    return figures

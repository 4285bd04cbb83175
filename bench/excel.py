"""P5: the Excel benchmark workbook of the whole group, against openpyxl's own floor.

The workbook is built as a report job builds it (`reports.builders.build`,
scope "group", default filters: the current quarter) for a group viewer, on
the group-scale dataset in PostgreSQL (seeded by the scoring suite's
`prepare_group_scale` when it is missing). Its time covers everything: the
dashboard's figures, the reads of 60,000-odd answers, writing and saving.

The floor is openpyxl in write-only mode writing the same cells (the same
sheets, rows and columns, read back from the built workbook beforehand, so
in memory as plain lists) and saving them: the least any workbook with those
cells could cost with this library on this machine. It has no styles,
conditional formats or chart, and reads nothing from the database.

Each run is a fresh subprocess (`python -m bench.excel build|floor ...`), so
its peak memory is the process's own: `ru_maxrss` from getrusage at the end,
which counts Python, Django and the C libraries alike (tracemalloc would see
Python's allocations only). Builds and floors alternate, RUNS of each; the
fastest of each is compared, the highest peak reported.

Time is taken two ways: wall time, and CPU time (the process's own plus, for
the build, that of its PostgreSQL backend, read from /proc on this machine).
The ratio judged is the CPU one: the machines are shared, and under load
wall times measure the neighbours as much as the code (runs of the same
build have differed by 2x); both are reported.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, Figure

RUNS = 2
TARGET_RATIO = 1.5
TARGET_PEAK_MB = 300
VIEWER = "bench-group-viewer"


def _viewer() -> str:
    from brands.models import GroupRole, User

    user, _ = User.objects.get_or_create(username=VIEWER, defaults={"group_role": GroupRole.VIEWER})
    if user.group_role != GroupRole.VIEWER:
        user.group_role = GroupRole.VIEWER
        user.save(update_fields=["group_role"])
    return user.username


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _backend_cpu_seconds(pid: int) -> float:
    """CPU time of a PostgreSQL backend on this machine (utime + stime from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _build(path: str, username: str) -> dict:
    """In the subprocess: the group workbook into `path`, timed, with the memory it took."""
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from brands.models import User
    from reports.builders import Scope, build
    from reports.dashboards import DashboardFilters

    user = User.objects.get(username=username)
    today = timezone.localdate()
    scope = Scope(
        kind="group", user=user, filters=DashboardFilters.parse({}, today=today), today=today
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    before = _rss_mb()
    marks = []
    server_cpu = _backend_cpu_seconds(backend)
    cpu = time.process_time()
    started = time.perf_counter()
    with open(path, "wb") as out:
        build("xlsx", scope, out, lambda p: marks.append((p, time.perf_counter() - started)))
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    server_cpu = _backend_cpu_seconds(backend) - server_cpu
    return {
        "seconds": seconds,
        "cpu_seconds": cpu + server_cpu,
        "client_cpu_seconds": cpu,
        "server_cpu_seconds": server_cpu,
        "peak_mb": _peak_mb(),
        "rss_before_mb": before,
        "progress_s": {str(p): round(t, 2) for p, t in marks},
        "bytes": os.path.getsize(path),
    }


def _floor(source: str, path: str) -> dict:
    """In the subprocess: the same cells as plain lists, written by openpyxl write-only, timed."""
    from openpyxl import Workbook, load_workbook

    read = load_workbook(source, read_only=True)
    sheets = [(ws.title, [list(row) for row in ws.iter_rows(values_only=True)]) for ws in read]
    read.close()
    rows = sum(len(r) for _, r in sheets)
    cells = sum(len(row) for _, r in sheets for row in r)
    cpu = time.process_time()
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    for title, sheet_rows in sheets:
        ws = workbook.create_sheet(title)
        for row in sheet_rows:
            ws.append(row)
    with open(path, "wb") as out:
        workbook.save(out)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "peak_mb": _peak_mb(),
        "rows": rows,
        "cells": cells,
    }


def _run_child(env: dict, *args: str) -> dict:
    full_env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.excel", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.excel {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def p5(env: dict) -> list[Figure]:
    from bench.scoring import prepare_group_scale

    what = "Excel group workbook"
    reason = prepare_group_scale()
    if reason:
        return [Figure(key="P5", what=what, measured=f"not measured: {reason}")]
    username = _viewer()
    builds, floors = [], []
    with tempfile.TemporaryDirectory(prefix="bench-excel-") as tmp:
        built = str(Path(tmp) / "group.xlsx")
        for run in range(RUNS):
            print(f"P5: building the group workbook ({run + 1}/{RUNS})...")
            builds.append(_run_child(env, "build", built, username))
            print(f"P5: floor ({run + 1}/{RUNS})...")
            floors.append(_run_child(env, "floor", built, str(Path(tmp) / "floor.xlsx")))
    build_s = min(b["seconds"] for b in builds)
    floor_s = min(f["seconds"] for f in floors)
    build_cpu = min(b["cpu_seconds"] for b in builds)
    floor_cpu = min(f["cpu_seconds"] for f in floors)
    peak = max(b["peak_mb"] for b in builds)
    ratio = build_cpu / floor_cpu
    return [
        Figure(
            key="P5",
            what=f"{what} ({floors[0]['rows']:,} rows, {floors[0]['cells']:,} cells)",
            measured=f"{build_cpu:.1f} s CPU ({build_s:.1f} s wall), peak {peak:.0f} MB",
            floor=f"{floor_cpu:.1f} s CPU ({floor_s:.1f} s wall)",
            ratio=f"{ratio:.2f}x CPU ({build_s / floor_s:.2f}x wall)",
            target=f"<= {TARGET_RATIO}x floor; peak <= {TARGET_PEAK_MB} MB",
            ok=ratio <= TARGET_RATIO and peak <= TARGET_PEAK_MB,
            details={
                "builds": builds,
                "floors": floors,
                "time": "fastest of the runs; CPU = the process's own plus its PostgreSQL "
                "backend's (from /proc), judged because wall time on a shared machine "
                "counts the neighbours too",
                "memory": "ru_maxrss of a fresh subprocess per build (Python, Django and C alike)",
                "workbook_bytes": builds[-1]["bytes"],
            },
        )
    ]


if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    result = _build(*rest) if mode == "build" else _floor(*rest)
    print(json.dumps(result))

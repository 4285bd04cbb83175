"""P6: the PDF reports at group scale, built in this process as a report worker builds them.

Runs against the benchmark database on PostgreSQL (the group-scale dataset of
TARGETS.md, seeded by the scoring suite or `seed_demo --scale group`). Two
reports: the brand report of the largest brand and the group benchmark of
all brands, each for the `manager` group viewer of the seed, at the current
quarter. Each is built RUNS times into memory; the figure is the median wall
time, with the median CPU time of this process next to it (the machines are
shared: when other work competes for the two cores, wall time grows while CPU
time does not) and the time spent reading the figures and rendering the HTML
(the rest is WeasyPrint's layout and PDF writing).

There is no floor: TARGETS.md sets P6 as plain times.
"""

import io
import re
import shutil
import statistics
import subprocess
import tempfile
import time

from bench.common import Figure

RUNS = 3
TARGETS = {"brand": 5.0, "group": 15.0}


def _pages(pdf: bytes) -> int:
    """The page count, from pdfinfo when it is installed, else from the page objects."""
    if shutil.which("pdfinfo"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True).stdout
        match = re.search(r"^Pages:\s+(\d+)", info, re.M)
        if match:
            return int(match[1])
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def _measure(scope) -> dict:
    from reports.builders.pdf import build_pdf, render_html

    totals, cpus, datas, sizes, pages = [], [], [], [], 0
    for _ in range(RUNS):
        started = time.perf_counter()
        render_html(scope, scope.today)
        datas.append(time.perf_counter() - started)
        out = io.BytesIO()
        started, cpu = time.perf_counter(), time.process_time()
        build_pdf(scope, out, lambda percent: None)
        totals.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        sizes.append(len(out.getvalue()))
        pages = _pages(out.getvalue())
    return {
        "median_s": statistics.median(totals),
        "runs_s": [round(t, 3) for t in totals],
        "cpu_s": round(statistics.median(cpus), 3),
        "data_and_html_s": round(statistics.median(datas), 3),
        "pages": pages,
        "bytes": sizes[-1],
    }


def run(env: dict) -> list[Figure]:
    from django.db.models import Count, Q
    from django.utils import timezone

    from brands.models import Brand, User
    from reports.builders import Scope
    from reports.dashboards import DashboardFilters

    user = User.objects.filter(group_role="viewer").order_by("pk").first()
    # The seeded brand with the most assessed projects (the autosave benchmark adds a brand
    # of its own whose many projects have no validated assessment).
    assessed = Count("projects", filter=Q(projects__assessments__status="validated"), distinct=True)
    brand = Brand.objects.annotate(n=assessed).order_by("-n", "name").first()
    if user is None or brand is None:
        return [Figure("P6", "PDF reports", "skipped: no group viewer or brand in the database")]
    today = timezone.localdate()
    filters = DashboardFilters.parse({}, today=today)
    projects = brand.projects.count()
    scopes = {
        "brand": (
            Scope(kind="brand", user=user, filters=filters, brand=brand, today=today),
            f"PDF brand report ({brand.name}, {projects} projects)",
        ),
        "group": (
            Scope(kind="group", user=user, filters=filters, today=today),
            f"PDF group benchmark ({Brand.objects.count()} brands)",
        ),
    }
    figures = []
    for name, (scope, what) in scopes.items():
        print(f"P6: building the {name} report {RUNS} times...")
        found = _measure(scope)
        figures.append(
            Figure(
                key="P6",
                what=f"{what}, median of {RUNS}; {found['pages']} pages, "
                f"{found['bytes'] // 1024} KiB; CPU {found['cpu_s']:.2f} s, of which figures "
                f"and HTML {found['data_and_html_s']:.2f} s (wall)",
                measured=f"{found['median_s']:.2f} s",
                target=f"<= {TARGETS[name]:.0f} s",
                ok=found["median_s"] <= TARGETS[name],
                details=found,
            )
        )
    return figures

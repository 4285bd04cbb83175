"""P4: scoring one assessment, and re-scoring all 8,000 of the group-scale dataset.

Runs in this process against the benchmark database on PostgreSQL. The data
is TARGETS.md's reference dataset, built with `seed_demo --scale group` the
first time (1-2 minutes; `--flush` replaces a smaller demo dataset made by an
earlier seed, nothing else) and reused afterwards. The last figure makes every
stored score wrong on purpose and lets the rescore put them all right again.

The floor is one SQL aggregation over the answers, joined to their options
and questions: the weighted mean PostgreSQL computes for the same
assessments, timed in the same run. It does less than the engine (no N/A or
applicability rules, no sections, core statements or levels) and writes
nothing, so it is the cheapest thing that could produce a figure per
assessment.
"""

import os
import random
import statistics
import subprocess
import sys
import time

from bench.common import ROOT, Figure, percentile

GROUP_ASSESSMENTS = 8000
SAMPLE = 200
RUNS = 3

FLOOR_SQL = """
    SELECT a.assessment_id, SUM(o.score * q.weight) / SUM(q.weight)
    FROM surveys_answer a
    JOIN surveys_answeroption o ON o.id = a.option_id
    JOIN surveys_question q ON q.id = a.question_id
    JOIN surveys_assessment s ON s.id = a.assessment_id
    WHERE s.status IN ('submitted', 'validated') {only}
    GROUP BY a.assessment_id
"""


def _validated() -> int:
    from surveys.models import Assessment, AssessmentStatus

    return Assessment.objects.filter(status=AssessmentStatus.VALIDATED).count()


def prepare_group_scale() -> str | None:
    """Seed the group-scale dataset unless it is there; the reason it cannot be, or None."""
    if _validated() >= GROUP_ASSESSMENTS:
        return None
    usage = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--help"],
        cwd=ROOT,
        env={**os.environ},
        capture_output=True,
        text=True,
    )
    if usage.returncode != 0 or "group" not in usage.stdout:
        return "seed_demo has no --scale group yet"
    print("P4: seeding the group-scale dataset (seed_demo --scale group; takes 1-2 minutes)...")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--scale", "group", "--flush"],
        cwd=ROOT,
        env={**os.environ},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"P4: seeded in {time.perf_counter() - started:.0f} s")
    from django.db import connection

    # Fresh statistics, and no autovacuum of 520,000 new rows running during the timings.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    if _validated() < GROUP_ASSESSMENTS:
        return (
            f"seed_demo --scale group made fewer than {GROUP_ASSESSMENTS:,} validated assessments"
        )
    return None


def _floor(only: str = "", params: tuple = ()) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL.format(only=only), params)
        cursor.fetchall()
    return time.perf_counter() - started


def one_assessment() -> Figure:
    """Median and p95 over 200 validated assessments: its answers read and the engine run."""
    from scoring.selectors import assessment_result
    from surveys.models import Assessment, AssessmentStatus

    ids = list(
        Assessment.objects.filter(status=AssessmentStatus.VALIDATED).values_list("id", flat=True)
    )
    sample = random.Random(4).sample(ids, min(SAMPLE, len(ids)))
    assessments = {
        a.id: a
        for a in Assessment.objects.filter(id__in=sample).select_related("project", "version")
    }
    assessment_result(assessments[sample[0]])  # the version's engine view is cached from here on
    _floor("AND a.assessment_id = %s", (sample[0],))
    timings, floors = [], []
    for assessment_id in sample:
        started = time.perf_counter()
        assessment_result(assessments[assessment_id])
        timings.append(time.perf_counter() - started)
        floors.append(_floor("AND a.assessment_id = %s", (assessment_id,)))
    p50, p95 = statistics.median(timings) * 1000, percentile(timings, 95) * 1000
    f50, f95 = statistics.median(floors) * 1000, percentile(floors, 95) * 1000
    return Figure(
        "P4",
        f"scoring one assessment (its answers read + engine), p95 of {len(sample)}",
        f"{p95:.1f} ms",
        floor=f"{f95:.1f} ms",
        ratio=f"{p95 / f95:.1f}x",
        target="<= 20 ms",
        ok=p95 <= 20,
        details={"p50_ms": round(p50, 2), "floor_p50_ms": round(f50, 2)},
    )


def rescore_all() -> list[Figure]:
    """`scores_rescore` over every submitted and validated assessment: computing (dry run), then
    writing when every stored figure is wrong; against the SQL aggregation over all of them."""
    from django.db import connection

    from scoring.models import Score, SectionScore
    from scoring.services.rescore import scores_rescore

    checked = 0
    dry, floors = [], []
    for _ in range(RUNS):
        floors.append(_floor())
        started = time.perf_counter()
        report = scores_rescore(dry_run=True)
        dry.append(time.perf_counter() - started)
        checked = report.checked
    floor = statistics.median(floors)
    computing = statistics.median(dry)

    # Every stored figure made wrong, so the real run writes every score and section figure.
    Score.objects.update(overall=None, level="", engine_version="bench")
    SectionScore.objects.update(value=None)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scoring_score; ANALYZE scoring_sectionscore")
    started = time.perf_counter()
    written = scores_rescore(dry_run=False)
    writing = time.perf_counter() - started
    again = scores_rescore(dry_run=True)
    return [
        Figure(
            "P4",
            f"re-scoring all {checked:,} assessments (dry run: read, compute, compare), median of {RUNS}",
            f"{computing:.2f} s",
            floor=f"{floor:.2f} s",
            ratio=f"{computing / floor:.1f}x",
            target="<= 15 s",
            ok=computing <= 15,
            details={
                "runs_s": [round(t, 2) for t in dry],
                "floor_runs_s": [round(f, 2) for f in floors],
            },
        ),
        Figure(
            "P4",
            f"re-scoring all {checked:,} when every stored figure changed (writes them all)",
            f"{writing:.2f} s",
            floor=f"{floor:.2f} s",
            ratio=f"{writing / floor:.1f}x",
            target="<= 15 s",
            ok=writing <= 15 and written.changed == checked and again.changed == 0,
            details={
                "changed": written.changed,
                "sections_changed": written.sections_changed,
                "left_to_change_after": again.changed,
            },
        ),
    ]


def p4(env: dict) -> list[Figure]:
    problem = prepare_group_scale()
    if problem:
        print(f"P4 skipped: {problem}.")
        return [
            Figure(
                "P4", "scoring (needs the group-scale dataset)", "skipped", details={"why": problem}
            )
        ]
    return [one_assessment(), *rescore_all()]

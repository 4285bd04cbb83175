"""Shared by the dashboard data tests: the demo data once per module, and an engine recomputation."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brands.models import AuditEvent, ProductLine
from demo import builder
from scoring.selectors import assessment_result
from scoring.selectors.figures_cache import forget_cached_figures
from surveys.models import Assessment, AssessmentStatus, QuestionSet, QuestionSetVersion

# The modules whose classes read the seeded demo through `seed_demo_once` and change nothing
# outside their tests' transactions. tests/conftest.py runs them one after another in one
# xdist process, so that one seed serves them all.
SHARED_DEMO_MODULES = frozenset(
    {
        "test_brand_dashboard_data.py",
        "test_group_dashboard_data.py",
        "test_product_lines_demo.py",
        "test_peer_figures.py",
        "test_quarter_figures.py",
    }
)

# What the database held before the shared demo was seeded, while the demo is there.
_before_the_demo: dict[str, set[int]] | None = None
# The test that runs after the one being torn down (tests/conftest.py keeps it up to date).
next_test = None


def seed_demo_once(django_db_blocker):
    """Seed the demo outside the tests' transactions (for a class-scoped fixture), unless the
    previous class left it; remove it after the class unless the next test reads it too. What
    it adds beside its brands - product lines, the main set's second edition, published by the
    seed, its small second set, the audit log's lines - goes with it, so later tests start from
    edition 1 alone and an empty audit log."""
    global _before_the_demo
    if _before_the_demo is None:
        with django_db_blocker.unblock():
            before = {
                "lines": set(ProductLine.objects.values_list("pk", flat=True)),
                "versions": set(QuestionSetVersion.objects.values_list("pk", flat=True)),
                "sets": set(QuestionSet.objects.values_list("pk", flat=True)),
                "audit": set(AuditEvent.objects.values_list("pk", flat=True)),
            }
            call_command("seed_demo", stdout=StringIO())
        _before_the_demo = before
    yield
    if _reads_the_demo(next_test):
        return
    with django_db_blocker.unblock():
        builder.flush_demo()
        ProductLine.objects.exclude(pk__in=_before_the_demo["lines"]).delete()
        QuestionSetVersion.objects.exclude(pk__in=_before_the_demo["versions"]).delete()
        QuestionSet.objects.exclude(pk__in=_before_the_demo["sets"]).delete()
        # The audit log is append-only for the app; what the seed and its removal logged (the
        # edition's publication, the demo's memberships taken away) goes, as the rest did.
        logged = AuditEvent.objects.exclude(pk__in=_before_the_demo["audit"])
        logged._raw_delete(logged.db)
    _before_the_demo = None


def _reads_the_demo(item) -> bool:
    return (
        item is not None
        and item.path.name in SHARED_DEMO_MODULES
        and "demo" in getattr(item, "fixturenames", ())
    )


def recomputed(projects, on: datetime.date, *, include_submitted=False) -> dict:
    """Each project's figure at `on`, scored afresh by the engine: {project id: engine.Result}.

    Chooses the assessment the slow, obvious way, to check the dashboards' choice too.
    """
    statuses = [AssessmentStatus.VALIDATED]
    if include_submitted:
        statuses.append(AssessmentStatus.SUBMITTED)
    results = {}
    for project in projects:
        candidates = [
            a
            for a in Assessment.objects.filter(project=project, status__in=statuses)
            .select_related("version", "project")
            .order_by("assessed_on", "created_at", "id")
            if a.assessed_on <= on and a.superseded_by_id is None
        ]
        if candidates:
            results[project.pk] = assessment_result(candidates[-1])
    return results


def mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def count_queries(function, *, cached: bool = False) -> int:
    """Queries made by `function`: with the figures cache emptied first (the most a page
    makes), or with `cached` after a first call has filled it (what most requests make)."""
    forget_cached_figures()
    if cached:
        function()
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


def add_to_history(made: list, assessment, rng) -> None:
    """Append `assessment` to a project's random history `made` (oldest first). Half the time
    an assessment on the same day as the one before is made to have been created before it,
    though stored after it: the one created last stands, whatever the ids say."""
    if made and assessment.assessed_on == made[-1].assessed_on and rng.random() < 0.5:
        Assessment.objects.filter(pk=assessment.pk).update(
            created_at=made[-1].created_at - datetime.timedelta(minutes=1)
        )
        assessment.refresh_from_db()
    made.append(assessment)


def maybe_upgrade(made: list, rng) -> None:
    """Half the time, mark the project's first submitted assessment as upgraded to its last."""
    submitted = [a for a in made if a.status == AssessmentStatus.SUBMITTED]
    if submitted and len(made) > 1 and rng.random() < 0.5:
        Assessment.objects.filter(pk=submitted[0].pk).update(superseded_by=made[-1])

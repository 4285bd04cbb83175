"""Shared by the dashboard data tests: the demo data once per module, and an engine recomputation."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brands.models import ProductLine
from demo import builder
from scoring.selectors import assessment_result
from scoring.selectors.figures_cache import forget_cached_figures
from surveys.models import Assessment, AssessmentStatus, QuestionSet, QuestionSetVersion


def seed_demo_once(django_db_blocker):
    """Seed the demo outside the tests' transactions; remove it after: its product lines, and
    the question-set versions it added (the main set's second edition, published by the seed,
    and its small second set), so later modules in the process start from edition 1 alone."""
    with django_db_blocker.unblock():
        lines = set(ProductLine.objects.values_list("pk", flat=True))
        versions = set(QuestionSetVersion.objects.values_list("pk", flat=True))
        sets = set(QuestionSet.objects.values_list("pk", flat=True))
        call_command("seed_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        builder.flush_demo()
        ProductLine.objects.exclude(pk__in=lines).delete()
        QuestionSetVersion.objects.exclude(pk__in=versions).delete()
        QuestionSet.objects.exclude(pk__in=sets).delete()


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

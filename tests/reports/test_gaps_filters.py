"""The common gaps follow every dashboard filter (brand, kind, product line, criticality,
version), on the page and in the group Excel workbook, checked against a recomputation from
the answers themselves."""

import datetime
import io
from collections import Counter

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from brands.models import Project
from reports.builders import Scope, build
from reports.dashboards import DashboardFilters
from reports.dashboards.group import group_dashboard_gaps_data
from scoring.services import score_store
from surveys.models import Answer, AssessmentStatus
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
KEYS = ("doc-purpose", "doc-success-metrics", "trace-infra-as-code", "trace-lineage")


def filters(query: dict | None = None) -> DashboardFilters:
    return DashboardFilters.parse(query or {}, today=TODAY)


@pytest.fixture
def world(brand, other_brand, version):
    """Projects of every kind and criticality, on two product lines, each with a validated
    assessment failing a different mix of four statements; one older assessment that a
    later one supersedes."""
    line, other_line = factories.ProductLineFactory(), factories.ProductLineFactory()
    answers = ("yes", "no", "partly")
    setups = [
        (brand, "batch", "high", line),
        (brand, "realtime", "low", line),
        (brand, "both", "medium", None),
        (other_brand, "batch", "medium", other_line),
        (other_brand, "realtime", "high", line),
        (other_brand, "batch", "low", None),
    ]
    for n, (owner, kind, criticality, product_line) in enumerate(setups):
        project = factories.ProjectFactory(
            brand=owner, kind=kind, criticality=criticality, product_line=product_line
        )
        early = factories.assessment(
            project,
            version,
            status=AssessmentStatus.VALIDATED,
            answers=dict.fromkeys(KEYS, "no"),
            assessed_on=datetime.date(2026, 7, 1),
        )
        score_store(assessment=early)
        latest = factories.assessment(
            project,
            version,
            status=AssessmentStatus.VALIDATED,
            answers={key: answers[(n + i) % 3] for i, key in enumerate(KEYS)},
            assessed_on=datetime.date(2026, 10, 5 + n),
        )
        score_store(assessment=latest)
    return {"lines": (line, other_line)}


def recomputed(projects) -> Counter:
    """Per statement key: the projects whose latest validated assessment on TODAY does not
    meet it (the top option of the scale), from the stored answers."""
    unmet: Counter = Counter()
    for project in projects:
        latest = (
            project.assessments.filter(status=AssessmentStatus.VALIDATED, assessed_on__lte=TODAY)
            .order_by("-assessed_on")
            .first()
        )
        if latest is None:
            continue
        top = max(o.score for o in latest.version.options.all())
        for answer in Answer.objects.filter(assessment=latest, is_na=False).select_related(
            "option", "question"
        ):
            if answer.option is not None and answer.option.score < top:
                unmet[answer.question.key] += 1
    return unmet


def as_counts(report) -> Counter:
    return Counter({gap.key: gap.unmet for gap in report.gaps})


@pytest.mark.parametrize(
    "query, keep",
    [
        ({}, lambda p: True),
        ({"kind": "batch"}, lambda p: p.kind == "batch"),
        ({"kind": "realtime"}, lambda p: p.kind == "realtime"),
        ({"criticality": "high"}, lambda p: p.criticality == "high"),
        ("line", lambda p: p.product_line is not None and p.product_line.name.endswith("a")),
        ("brand", lambda p: p.brand.name == "Acme Groceries"),
        ("brand+kind", lambda p: p.brand.name == "Acme Groceries" and p.kind == "batch"),
    ],
    ids=["none", "batch", "realtime", "high", "line", "brand", "brand and kind"],
)
def test_the_gaps_are_those_of_the_projects_the_filters_keep(
    world, group_viewer, brand, query, keep
):
    line = world["lines"][0]
    line.name = "Product line a"
    line.save()
    if query == "line":
        query = {"line": str(line.code)}
    elif query == "brand":
        query = {"brand": str(brand.code)}
    elif query == "brand+kind":
        query = {"brand": str(brand.code), "kind": "batch"}
    kept = [p for p in Project.objects.select_related("brand", "product_line") if keep(p)]
    assert kept, "the filter keeps some projects"

    report = group_dashboard_gaps_data(group_viewer, filters(query))

    assert report.projects == len(kept)
    assert as_counts(report) == recomputed(kept)
    assert len(kept) < Project.objects.count() or query == {}


def test_the_gaps_fragment_counts_only_the_filtered_projects(client, world, group_viewer):
    client.force_login(group_viewer)
    url = reverse("group_dashboard_gaps")
    every = client.get(url, {"quarter": "2026-Q4"}).content.decode()
    batch = client.get(url, {"quarter": "2026-Q4", "kind": "batch"}).content.decode()
    assert "6 projects on" in every
    assert "3 projects on" in batch


def test_the_group_workbooks_gaps_follow_the_filters(world, group_viewer):
    out = io.BytesIO()
    scope = Scope(
        kind="group", user=group_viewer, filters=filters({"kind": "realtime"}), today=TODAY
    )
    build("xlsx", scope, out, lambda percent: None)
    out.seek(0)
    sheet = load_workbook(out)["Common gaps"]
    header, *body = list(sheet.iter_rows(values_only=True))
    rows = [dict(zip(header, row, strict=True)) for row in body]
    now = {
        r["Question key"]: r["Projects not meeting it"] for r in rows if r["Movement"] != "closed"
    }
    kept = Project.objects.filter(kind="realtime")
    assert now == dict(recomputed(kept))

"""The kept standings (scoring.models.Standing) follow every write of the assessments.

After random histories and random writes of every kind (created, validated, redated,
moved to another project or version, superseded, deleted, one by one or in bulk, with
ties on a date), the rows the triggers kept equal the standings chosen again in Python
from the assessments, and the figures read from them equal the figures chosen in Python.
On PostgreSQL, two transactions that rewrite the same project's standings at once leave
them right too. Runs on SQLite, and on PostgreSQL when DATABASE_URL names one (CI).
"""

import datetime
import os
import random
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from brands.models import Project
from scoring import standing_triggers
from scoring.models import Score, Standing, StandingKind
from scoring.selectors.dashboard import figure_history, figures_at, latest_figures
from scoring.selectors.quarter_figures import brand_figures_at
from surveys.models import Assessment, AssessmentStatus, QuestionSet, QuestionSetVersion
from tests import factories

D = datetime.date
STATUSES = [
    AssessmentStatus.VALIDATED,
    AssessmentStatus.VALIDATED,
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.DRAFT,
]

pytestmark = pytest.mark.django_db


def expected_standings() -> set[tuple]:
    """Every standing, chosen in Python from the assessments (the rule of DESIGN.md)."""
    rows = Assessment.objects.values_list(
        "pk",
        "project_id",
        "version_id",
        "version__question_set_id",
        "status",
        "superseded_by_id",
        "assessed_on",
        "created_at",
    )
    found = set()
    for kind in StandingKind:
        by_version = kind in (StandingKind.VALIDATED_IN_VERSION, StandingKind.COUNTED_IN_VERSION)
        only_validated = kind in (StandingKind.VALIDATED_IN_SET, StandingKind.VALIDATED_IN_VERSION)
        streams: dict[tuple, list] = {}
        for pk, project, version, question_set, status, superseded_by, on, created in rows:
            counts = status == AssessmentStatus.VALIDATED or (
                not only_validated
                and status == AssessmentStatus.SUBMITTED
                and superseded_by is None
            )
            if counts:
                stream = (project, version if by_version else question_set)
                streams.setdefault(stream, []).append((on, created, pk, version, question_set))
        for (project, _), members in streams.items():
            members.sort()
            for i, (on, _created, pk, version, question_set) in enumerate(members):
                until = members[i + 1][0] if i + 1 < len(members) else None
                found.add((pk, project, question_set, version, int(kind), on, until))
    return found


def kept_standings() -> set[tuple]:
    return set(
        Standing.objects.values_list(
            "assessment_id",
            "project_id",
            "question_set_id",
            "version_id",
            "kind",
            "stands_from",
            "stands_until",
        )
    )


def assert_kept() -> None:
    kept, expected = kept_standings(), expected_standings()
    assert kept == expected, (sorted(kept - expected)[:5], sorted(expected - kept)[:5])
    assert Standing.objects.count() == len(expected)  # no row twice


def stored_score(assessment: Assessment, value: float | None) -> None:
    Score.objects.create(
        assessment=assessment,
        overall=None if value is None else Decimal(f"{value:.5f}"),
        engine_version="test",
        computed_at=timezone.now(),
    )


def other_versions(version: QuestionSetVersion) -> list[QuestionSetVersion]:
    """A second version of the main set, and a version of another set."""
    now = timezone.now()
    last = version.question_set.versions.order_by("-number").first().number
    second = QuestionSetVersion.objects.create(
        question_set=version.question_set, number=last + 1, status="published", published_at=now
    )
    side_set = QuestionSet.objects.create(key="side-set", name="Side set")
    side = QuestionSetVersion.objects.create(
        question_set=side_set, number=1, status="published", published_at=now
    )
    return [second, side]


def random_projects(rng: random.Random, versions: list[QuestionSetVersion]) -> list[Project]:
    projects = []
    for b in range(2):
        brand = factories.BrandFactory(name=f"Brand {b} {rng.random():.6f}")
        for _ in range(3):
            project = factories.ProjectFactory(brand=brand)
            projects.append(project)
            for _ in range(rng.randint(0, 5)):
                random_assessment(rng, project, versions)
    return projects


def random_assessment(rng: random.Random, project: Project, versions) -> Assessment:
    made = list(project.assessments.all())
    on = D(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 900))
    if made and rng.random() < 0.3:
        on = rng.choice(made).assessed_on  # a tie on the date
    return factories.assessment(
        project, rng.choice(versions), status=rng.choice(STATUSES), assessed_on=on
    )


def status_fields(status: str) -> dict:
    """The columns a change to `status` writes (the dates the status needs)."""
    now = timezone.now()
    return {
        "status": status,
        "submitted_at": None if status == AssessmentStatus.DRAFT else now,
        "validated_at": now if status == AssessmentStatus.VALIDATED else None,
    }


def random_write(rng: random.Random, projects: list[Project], versions) -> None:
    """One write of the kinds that change who stands, through the ORM as the app makes them."""
    assessments = list(Assessment.objects.order_by("pk"))
    if not assessments or rng.random() < 0.15:
        random_assessment(rng, rng.choice(projects), versions)
        return
    one = rng.choice(assessments)
    change = rng.randrange(9)
    if change == 0:  # validated, submitted, back to a draft
        Assessment.objects.filter(pk=one.pk).update(**status_fields(rng.choice(STATUSES)))
    elif change == 1:  # redated
        one.assessed_on = D(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 900))
        one.save(update_fields=["assessed_on"])
    elif change == 2:  # made to have been created before another on its day
        Assessment.objects.filter(pk=one.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=rng.randint(1, 30))
        )
    elif change == 3:  # moved to another project
        Assessment.objects.filter(pk=one.pk).update(project=rng.choice(projects))
    elif change == 4:  # upgraded to another version
        Assessment.objects.filter(pk=one.pk).update(version=rng.choice(versions))
    elif change == 5:  # superseded by a newer assessment, or no longer
        newer = rng.choice([None, *assessments])
        Assessment.objects.filter(pk=one.pk).update(superseded_by=newer)
    elif change == 6:  # deleted
        one.delete()
    elif change == 7:  # a bulk change of several projects at once
        chosen = rng.sample(assessments, min(len(assessments), 4))
        Assessment.objects.filter(pk__in=[a.pk for a in chosen]).update(
            **status_fields(AssessmentStatus.VALIDATED)
        )
    else:  # a write that decides nothing: the standings stay as they are
        Assessment.objects.filter(pk=one.pk).update(interview_seconds=rng.randint(0, 999))


@pytest.mark.parametrize("seed", range(6))
def test_the_kept_standings_follow_every_write(seed, version):
    rng = random.Random(seed)
    versions = [version, *other_versions(version)]
    projects = random_projects(rng, versions)
    assert_kept()
    for _ in range(40):
        random_write(rng, projects, versions)
        assert_kept()
    gone = rng.choice(projects)
    gone.delete()  # its assessments go with it, and so do their standings
    assert_kept()
    assert not Standing.objects.filter(project_id=gone.pk).exists()


def test_choosing_them_all_again_changes_nothing(version):
    rng = random.Random(11)
    versions = [version, *other_versions(version)]
    random_projects(rng, versions)
    before = kept_standings()
    with connection.cursor() as cursor:
        standing_triggers.recompute_all(cursor)
    assert kept_standings() == before == expected_standings()


@pytest.mark.parametrize("seed", range(4))
def test_figures_read_from_the_standings_equal_the_figures_chosen_in_python(seed, version):
    rng = random.Random(100 + seed)
    versions = [version, *other_versions(version)]
    random_projects(rng, versions)
    for one in Assessment.objects.exclude(status=AssessmentStatus.DRAFT):
        stored_score(one, rng.choice([None, rng.random()]))
    projects = Project.objects.all()
    days = sorted(
        {D(2023, 12, 31), D(2024, 6, 30), *(a.assessed_on for a in Assessment.objects.all())}
    )
    days = rng.sample(days, min(len(days), 8))
    for options in (
        {},
        {"include_submitted": True},
        {"version_code": str(version.code)},
        {"version_code": str(versions[1].code), "include_submitted": True},
        {"question_set_code": str(versions[2].question_set.code)},
    ):
        history = figure_history(projects, until=max(days), **options)
        by_day = brand_figures_at(projects, days, **options)
        for day in days:
            chosen = figures_at(history, day)
            assert {
                p: f.assessment_id for p, f in latest_figures(projects, on=day, **options).items()
            } == {p: f.assessment_id for p, f in chosen.items()}
            expected: dict[int, list] = {}
            for figure in chosen.values():
                if figure.percent is not None:
                    expected.setdefault(figure.brand_id, []).append(figure)
            got = by_day[day]
            assert brand_figures_at(projects, [day], **options) == {day: got}  # alone, too
            assert set(got) == set(expected), (day, options)
            for brand_id, figures in expected.items():
                assert got[brand_id].n == len(figures)
                assert got[brand_id].mean_percent == pytest.approx(
                    sum(f.percent for f in figures) / len(figures), abs=1e-9
                )
                assert got[brand_id].first_assessed == min(f.assessed_on for f in figures)
                assert got[brand_id].last_assessed == max(f.assessed_on for f in figures)


@pytest.mark.skipif("postgresql" not in connection.vendor, reason="SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", ["create", "validate"])
def test_two_transactions_rewriting_one_project_leave_its_standings_right(write, version):
    """The second transaction waits for the first to commit and then chooses again from
    what it committed (without the triggers' lock, two new assessments of one project at
    once made the second transaction fail on the standings' unique constraint)."""
    project = factories.ProjectFactory(brand=factories.BrandFactory(name="Both at once"))
    submitted = [
        factories.assessment(project, version, status=AssessmentStatus.SUBMITTED, assessed_on=on)
        for on in (D(2025, 3, 1), D(2025, 6, 1))
    ]
    first_wrote = threading.Event()
    errors = []

    def write_one(i: int) -> None:
        try:
            with transaction.atomic():
                if i:
                    first_wrote.wait(5)
                if write == "create":
                    factories.assessment(
                        project,
                        version,
                        status=AssessmentStatus.VALIDATED,
                        assessed_on=D(2025, 9, i + 1),
                    )
                else:
                    Assessment.objects.filter(pk=submitted[i].pk).update(
                        **status_fields(AssessmentStatus.VALIDATED)
                    )
                if not i:
                    first_wrote.set()
                    threading.Event().wait(0.5)  # still open while the other one writes
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write_one, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert Assessment.objects.filter(status=AssessmentStatus.VALIDATED).count() == 2
    assert_kept()


def test_migrating_back_and_forth_leaves_no_trigger_without_its_table(tmp_path):
    """Back before scoring 0005 the table goes and so do its triggers (a trigger left
    behind would make every write of an assessment fail); forward again, both are back."""
    import sqlite3
    import subprocess
    import sys

    from django.conf import settings

    database = tmp_path / "migrations.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def migrate(*target: str) -> None:
        run = subprocess.run(
            [sys.executable, "manage.py", "migrate", *target, "--noinput", "-v0"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr[-3000:]

    def present() -> set[str]:
        with sqlite3.connect(database) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE name LIKE '%standing%'")
            return {name for (name,) in rows}

    migrate()
    assert {"scoring_standing", "standing_changed_insert", "standing_changed_update"} <= present()
    migrate("scoring", "0004")
    assert present() == set()
    migrate()
    assert {"scoring_standing", "standing_changed_delete"} <= present()

"""`manage.py seed_demo`: a believable, idempotent demo whose stored scores are the engine's.

Seeding takes seconds, so it runs once for this module (tests/once.py): in a transaction
rolled back at the end, each test in a savepoint within it.
"""

import datetime
import random
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Min
from django.urls import reverse

from brands.models import (
    AuditAction,
    AuditEvent,
    Brand,
    BrandRole,
    GroupRole,
    Membership,
    Project,
    User,
)
from scoring.models import Score
from scoring.selectors import assessment_result, movement
from surveys.models import (
    AnswerEvent,
    Assessment,
    AssessmentStatus,
    QuestionSetVersion,
    VersionStatus,
)
from surveys.selectors import default_version
from tests.once import built_once

PASSWORD = "yardstick-demo"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    def seed() -> str:
        out = StringIO()
        call_command("seed_demo", stdout=out)
        return out.getvalue()

    yield from built_once(django_db_blocker, seed)


pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.django_db]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def slug_of(brand: Brand) -> str:
    lead = User.objects.get(
        memberships__brand=brand, memberships__role=BrandRole.LEAD, username__startswith="lead."
    )
    return lead.username.split(".", 1)[1]


def test_it_creates_nineteen_brands_with_projects():
    assert Brand.objects.count() == 19
    assert not Brand.objects.filter(projects__isnull=True).exists()


def test_it_reports_what_it_created_and_the_logins(seeded):
    assert "19 brands" in seeded
    assert f"password for all: {PASSWORD}" in seeded


@pytest.mark.parametrize(
    ("username", "role"),
    [("admin", GroupRole.ADMIN), ("assessor", GroupRole.ASSESSOR), ("manager", GroupRole.VIEWER)],
)
def test_it_creates_the_group_users(username, role):
    assert User.objects.get(username=username).group_role == role


def test_every_brand_has_a_lead_a_viewer_and_a_data_scientist():
    for brand in Brand.objects.all():
        slug = slug_of(brand)
        roles = dict(
            Membership.objects.filter(
                brand=brand,
                user__username__in=[f"lead.{slug}", f"viewer.{slug}", f"ds1.{slug}"],
            ).values_list("user__username", "role")
        )
        assert roles == {
            f"lead.{slug}": BrandRole.LEAD,
            f"viewer.{slug}": BrandRole.VIEWER,
            f"ds1.{slug}": BrandRole.DATA_SCIENTIST,
        }


def test_brand_users_belong_to_their_brand_only():
    for username in User.objects.filter(username__contains=".").values_list("username", flat=True):
        assert Membership.objects.filter(user__username=username).count() == 1


def test_the_data_scientists_work_on_projects_of_their_brand():
    for ds in User.objects.filter(username__startswith="ds1."):
        brand = ds.memberships.get().brand
        assert ds.projects.exists()
        assert set(ds.projects.values_list("brand", flat=True)) == {brand.id}


def test_validated_assessments_span_six_quarters():
    validated = Assessment.objects.filter(status=AssessmentStatus.VALIDATED)
    assert validated.count() > 100
    assert len({a.quarter for a in validated}) == 6


def test_every_validated_assessment_has_a_stored_score():
    assert not Assessment.objects.filter(
        status=AssessmentStatus.VALIDATED, score__isnull=True
    ).exists()


def test_there_are_a_few_open_drafts_and_submissions():
    drafts = Assessment.objects.filter(status=AssessmentStatus.DRAFT).count()
    submitted = Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).count()
    assert 1 <= drafts <= 20
    assert submitted >= 1


def test_the_stored_scores_are_what_the_engine_computes():
    scores = list(Score.objects.select_related("assessment__project", "assessment__version"))
    sample = random.Random(7).sample(scores, 25)
    for score in sample:
        result = assessment_result(score.assessment)
        label = str(score.assessment)
        assert score.overall is not None, label
        assert float(score.overall) == pytest.approx(result.overall, abs=1e-5), label
        assert score.level == result.level, label
        assert score.all_core_met == result.all_core_met, label
        assert score.core_met == len(result.core_met), label
        assert score.answered == result.answered, label
        assert score.applicable == result.applicable, label
        stored = {s.section.key: s.value for s in score.sections.select_related("section")}
        for key, section in result.sections.items():
            if section.score is None:
                assert stored[key] is None, label
            else:
                assert float(stored[key]) == pytest.approx(section.score, abs=1e-5), label


def test_validated_assessments_are_complete():
    for assessment in Assessment.objects.filter(status=AssessmentStatus.VALIDATED)[:40]:
        assert assessment_result(assessment).complete, str(assessment)


def test_the_figures_differ_between_projects():
    figures = set(Score.objects.values_list("overall", flat=True))
    assert len(figures) > 20


def test_a_second_run_changes_nothing():
    before = row_counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert row_counts() == before
    assert "nothing changed" in out.getvalue()


def validated_assessment_in_demo() -> Assessment:
    """A validated assessment of the first brand (by name) that has one."""
    return (
        Assessment.objects.filter(status=AssessmentStatus.VALIDATED)
        .select_related("project__brand", "version")
        .order_by("project__brand__name", "project__name", "-assessed_on")
        .first()
    )


DEMO_ROLES = ["admin", "assessor", "manager", "lead", "viewer", "ds1"]


def _username(role: str, slug: str) -> str:
    return role if role in ("admin", "assessor", "manager") else f"{role}.{slug}"


@pytest.mark.parametrize("role", DEMO_ROLES)
def test_each_demo_role_can_log_in_and_browse(client, role):
    # Chosen by what the walk needs (a brand with a validated assessment, and another brand
    # with any assessment), never by which comes first: the demo is built relative to its day.
    assessment = validated_assessment_in_demo()
    project = assessment.project
    own = project.brand
    foreign_assessment = (
        Assessment.objects.exclude(project__brand=own).order_by("project__brand__name").first()
    )
    foreign = foreign_assessment.project
    other = foreign.brand
    user = _username(role, slug_of(own))
    assert client.login(username=user, password=PASSWORD), user
    group = role in ("admin", "assessor", "manager")

    pages = {
        reverse("home"): 200,
        reverse("brand_list"): 200,
        reverse("brand_detail", args=[own.code]): 200,
        reverse("project_detail", args=[project.code]): 200,
        reverse("assessment_detail", args=[assessment.code]): 200,
        reverse("question_set_list"): 200,
        reverse("version_detail", args=[assessment.version.code]): 200,
        reverse("brand_detail", args=[other.code]): 200 if group else 404,
        reverse("project_detail", args=[foreign.code]): 200 if group else 404,
        reverse("assessment_detail", args=[foreign_assessment.code]): 200 if group else 404,
    }
    got = {url: client.get(url, follow=True).status_code for url in pages}
    assert got == pages


def test_the_brand_list_shows_all_brands_to_the_manager_and_one_to_a_lead(client):
    client.login(username="manager", password=PASSWORD)
    page = client.get(reverse("brand_list")).content.decode()
    assert page.count('<th scope="row">') == 19
    brand = Brand.objects.order_by("name").first()
    client.login(username=f"viewer.{slug_of(brand)}", password=PASSWORD)
    page = client.get(reverse("brand_list")).content.decode()
    assert page.count('<th scope="row">') == 1


def test_it_seeds_last_quarters_round_closed_and_this_quarters_open_and_half_done():
    from django.utils import timezone

    from surveys.models import Round, RoundStatus
    from surveys.selectors import rounds as round_selectors

    assessor = User.objects.get(username="assessor")
    closed = Round.objects.get(name="2026 Q3 round")
    open_ = Round.objects.get(name="2026 Q4 round")
    assert closed.status == RoundStatus.CLOSED and closed.closed_at is not None
    assert open_.status == RoundStatus.OPEN
    today = timezone.localdate()
    now = round_selectors.round_progress(assessor, open_, today=today).counts
    assert {"validated", "submitted", "in_progress", "not_started"} <= {
        k for k, n in now.items() if n
    }
    assert 0 < now["validated"] < sum(now.values())
    before = round_selectors.round_progress(assessor, closed, today=today)
    assert before.counts["overdue"] >= 1
    assert sum(b.late for b in before.brands) >= 1


# --- The main set's edition history ---------------------------------------------------------
SWITCH = datetime.datetime(2026, 10, 1, 9, tzinfo=datetime.UTC)  # the pinned day's quarter start


def main_set_versions() -> list[QuestionSetVersion]:
    return list(QuestionSetVersion.objects.filter(question_set__is_main=True).order_by("number"))


def test_the_main_set_has_both_editions_the_second_published_at_the_quarter_start_and_current():
    first, second = main_set_versions()
    assert first.status == second.status == VersionStatus.PUBLISHED
    assert default_version() == second
    assert second.edition == "Edition 2 (December 2026)"
    assert second.published_at == SWITCH
    assert (
        first.published_at
        < Assessment.objects.filter(version=first).aggregate(first=Min("created_at"))["first"]
    )
    # Published through the version flow, by the demo's group admin.
    event = AuditEvent.objects.get(
        action=AuditAction.VERSION_PUBLISHED, target_code=str(second.code)
    )
    assert (event.actor.username, event.at) == ("admin", SWITCH)


def test_work_before_the_switch_is_on_edition_one_and_after_it_on_edition_two():
    first, second = main_set_versions()
    validated = Assessment.objects.filter(status=AssessmentStatus.VALIDATED)
    before = validated.filter(assessed_on__lt=SWITCH.date())
    after = validated.filter(assessed_on__gt=SWITCH.date())
    assert before.count() > 100 and after.count() > 10
    assert set(before.values_list("version", flat=True)) == {first.pk}
    assert set(after.values_list("version", flat=True)) == {second.pk}
    assert not after.filter(created_at__lt=SWITCH).exists()


def test_drafts_open_at_the_switch_were_upgraded_and_carry_their_answers():
    first, second = main_set_versions()
    assert not Assessment.objects.filter(
        version=first, status=AssessmentStatus.DRAFT, superseded_by__isnull=True
    ).exists()
    superseded = list(Assessment.objects.filter(superseded_by__isnull=False))
    assert len(superseded) >= 2
    for old in superseded:
        new = old.superseded_by
        assert (old.version, new.version, new.status) == (first, second, AssessmentStatus.DRAFT)
        assert new.created_at == SWITCH
        carried = AnswerEvent.objects.filter(answer__assessment=new, at=SWITCH)
        assert carried.exists()
        # A statement new in edition 2 waits for an answer, flagged for attention.
        new_statement = new.answers.get(question__key="cost-known")
        assert new_statement.needs_attention and new_statement.option is None


def test_each_assessment_is_scored_by_its_own_version():
    for version in main_set_versions():
        sections = set(version.sections.values_list("key", flat=True))
        scores = Score.objects.filter(assessment__version=version).select_related(
            "assessment__project", "assessment__version"
        )
        for score in random.Random(3).sample(list(scores), 10):
            result = assessment_result(score.assessment)
            assert float(score.overall) == pytest.approx(result.overall, abs=1e-5)
            assert set(score.sections.values_list("section__key", flat=True)) == sections
    assert "security" in sections  # the last one is edition 2


def test_what_moved_works_across_the_editions(client):
    first, second = main_set_versions()
    pairs = (
        movement.latest_two_validated(project.pk)
        for project in Project.objects.filter(assessments__version=second).distinct()
    )
    before, after = next(
        (b, a) for b, a in filter(None, pairs) if (b.version, a.version) == (first, second)
    )
    moved = movement.assessment_movement(before, after)
    assert not moved.same_version
    assert {"cost-known", "sec-secrets", "priv-deletion"} <= {s.key for s in moved.only_after}
    assert {s.key for s in moved.only_before} <= {
        "trace-data-versioning",
        "trace-environments",
        "code-shared-libs",
        "exp-feedback-capture",
        "exp-test-design",
        "xai-domain-checks",
        "xai-customer-facing",
    }
    assert moved.only_before
    client.login(username="manager", password=PASSWORD)
    page = client.get(reverse("assessment_moved", args=[after.code]))
    assert page.status_code == 200
    assert second.questions.get(key="cost-known").text in page.content.decode()


def test_the_version_pages_show_the_history(client):
    second = main_set_versions()[-1]
    client.login(username="manager", password=PASSWORD)
    diff = client.get(reverse("version_diff", args=[second.code]))
    assert diff.status_code == 200
    page = diff.content.decode()
    assert "sec-secrets" in page and "code-shared-libs" in page


def test_projects_with_open_work_show_pipeline_evidence_passed_failing_and_stale():
    from surveys.models import PipelineEvidence
    from surveys.selectors import latest_evidence

    submitted = Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).first()
    states = {e.state for e in latest_evidence(submitted).values()}
    assert states == {"passed", "failing", "stale"}
    assert not PipelineEvidence.objects.exclude(
        project__assessments__status__in=[AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED]
    ).exists()

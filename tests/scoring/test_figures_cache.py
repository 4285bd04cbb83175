"""The figures cache: its token changes with every write the figures depend on, and what the
dashboards read through it equals a recomputation, before and after a validation or rescore."""

import datetime
import statistics

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from brands.models import BrandRole
from reports.dashboards import DashboardFilters, group_dashboard_data
from scoring.models import Score
from scoring.selectors import assessment_result, figures_cache
from scoring.selectors.comparison import project_comparison
from scoring.selectors.figures_cache import (
    cached_figures,
    cached_settled,
    figures_token,
    forget_cached_figures,
    settled,
)
from scoring.services import score_store
from scoring.services.rescore import scores_rescore
from surveys.models import Answer, Assessment, AssessmentStatus
from surveys.services.answers import AnswerInput, answer_save
from surveys.services.assessments import assessment_submit, assessment_validate
from tests import factories

pytestmark = pytest.mark.django_db

YES, NO = {"doc-purpose": "yes"}, {"doc-purpose": "no"}
MIXED = {"doc-purpose": "yes", "doc-success-metrics": "partly", "trace-model-registry": "no"}


@pytest.fixture(autouse=True)
def _empty_cache():
    forget_cached_figures()
    yield
    forget_cached_figures()


def scored(project, version, answers, status=AssessmentStatus.VALIDATED, **kwargs):
    assessment = factories.assessment(project, version, status=status, answers=answers, **kwargs)
    score_store(assessment=assessment)
    return assessment


def every_answer(version, choice="yes") -> dict[str, str]:
    return {key: choice for key in version.questions.values_list("key", flat=True)}


class TestTheToken:
    def test_storing_a_score_changes_it(self, project, version):
        assessment = factories.assessment(project, version, answers=YES)
        before = figures_token()
        score_store(assessment=assessment)
        assert figures_token() != before

    def test_a_status_change_by_a_bulk_update_changes_it(self, project, version):
        assessment = scored(project, version, YES, status=AssessmentStatus.SUBMITTED)
        before = figures_token()
        Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.DRAFT)
        assert figures_token() != before

    def test_editing_a_project_changes_it(self, project):
        before = figures_token()
        project.kind = "realtime"
        project.save()
        assert figures_token() != before

    def test_closing_a_round_or_changing_its_members_changes_it(self, project, version):
        """Closed rounds are named points on the trends (scoring.selectors.rounds)."""
        round_ = factories.round_(
            version, opens_on=datetime.date(2026, 10, 1), due_on=datetime.date(2026, 11, 1)
        )
        before = figures_token()
        member = factories.round_member(round_, project, version, with_assessment=False)
        assert figures_token() != before
        before = figures_token()
        round_.status, round_.closed_at = "closed", timezone.now()
        round_.save()
        assert figures_token() != before
        before = figures_token()
        member.delete()
        assert figures_token() != before

    def test_deleting_an_assessment_changes_it(self, project, version):
        assessment = scored(project, version, YES)
        before = figures_token()
        assessment.delete()
        assert figures_token() != before

    def test_an_interviews_timer_and_autosaved_answers_leave_it(
        self, brand, project, version, data_scientist
    ):
        draft = factories.assessment(project, version, answers=NO, mode="self_fill")
        before = figures_token()
        Assessment.objects.filter(pk=draft.pk).update(interview_seconds=90, interview_position=3)
        answer = Answer.objects.get(assessment=draft, question__key="doc-purpose")
        answer_save(
            assessment=draft,
            question_key="doc-purpose",
            user=data_scientist,
            base_revision=answer.revision,
            data=AnswerInput(option="yes"),
            via="self_fill",
        )
        assert Answer.objects.get(pk=answer.pk).option.key == "yes"
        assert figures_token() == before

    def test_a_rolled_back_change_never_hands_out_a_token_twice(self, project, version):
        from django.db import transaction

        seen = {figures_token()}
        for _ in range(3):
            with pytest.raises(RuntimeError), transaction.atomic():
                project.kind = "both"
                project.save()
                seen.add(figures_token())
                raise RuntimeError("roll back")
            project.refresh_from_db()
            project.kind = "batch"
            project.save()
            seen.add(figures_token())
        assert len(seen) == 7


class TestCachedFigures:
    def test_a_second_read_under_the_same_token_is_not_recomputed(self, project):
        calls = []
        compute = lambda: calls.append(1) or len(calls)  # noqa: E731
        assert cached_figures("t", (1,), compute) == 1
        assert cached_figures("t", (1,), compute) == 1
        assert cached_figures("t", (2,), compute) == 2
        project.save()  # any change of the figures' tables
        assert cached_figures("t", (1,), compute) == 3

    def test_each_language_keeps_its_own_entries(self, project):
        # Entries may hold words (chart titles): a French page never gets the English ones.
        with translation.override("en"):
            assert cached_figures("t", (1,), lambda: "Score") == "Score"
        with translation.override("fr"):
            assert cached_figures("t", (1,), lambda: "Note") == "Note"
        with translation.override("en"):
            assert cached_figures("t", (1,), lambda: "recomputed") == "Score"

    def test_a_broken_cache_is_read_through(self, monkeypatch):
        def broken(*args, **kwargs):
            raise ConnectionError("cache down")

        monkeypatch.setattr(figures_cache._local, "get", broken)
        monkeypatch.setattr(figures_cache._local, "set", broken)
        assert cached_figures("t", (), lambda: 42) == 42


class TestSettledEntries:
    """`cached_settled` keeps what only never-changing rows decide, whatever the token."""

    def test_a_change_of_the_token_keeps_them_and_new_parts_compute_again(self, project):
        calls = []
        compute = lambda: calls.append(1) or len(calls)  # noqa: E731
        assert cached_settled("t", (1,), compute) == 1
        project.save()  # the token changes
        assert cached_settled("t", (1,), compute) == 1
        assert cached_settled("t", (2,), compute) == 2
        assert cached_figures("t", (1,), compute) == 3  # the figures' entries are apart

    def test_each_language_keeps_its_own_and_a_broken_cache_is_read_through(self, monkeypatch):
        with translation.override("en"):
            assert cached_settled("t", (1,), lambda: "Score") == "Score"
        with translation.override("fr"):
            assert cached_settled("t", (1,), lambda: "Note") == "Note"

        def broken(*args, **kwargs):
            raise ConnectionError("cache down")

        monkeypatch.setattr(figures_cache._local, "get", broken)
        monkeypatch.setattr(figures_cache._local, "set", broken)
        assert cached_settled("t", (1,), lambda: 42) == 42

    def test_an_assessment_is_named_by_its_code_version_and_stored_score(self, project, version):
        assessment = scored(project, version, MIXED)
        with_score = Assessment.objects.select_related("score").get(pk=assessment.pk)
        named = settled(with_score)
        assert str(assessment.code) in named and version.pk in named
        # A stored figure that no longer matches the answers (as after an engine change),
        # rescored: a new key, so that nothing kept from the old figure is read.
        Score.objects.filter(assessment=assessment).update(overall=0)
        scores_rescore(dry_run=False)
        again = Assessment.objects.select_related("score").get(pk=assessment.pk)
        assert settled(again) != named


def engine_percent(assessment) -> float:
    return assessment_result(assessment).percent


class TestTheProjectComparison:
    def test_it_equals_a_recomputation_and_follows_a_validation(
        self, brand, other_brand, project, version, lead
    ):
        mine = scored(project, version, MIXED)
        same = [scored(factories.ProjectFactory(brand=brand), version, a) for a in (YES, NO, YES)]
        others = [
            scored(factories.ProjectFactory(brand=other_brand), version, a)
            for a in (YES, NO, NO, MIXED)
        ]
        on = mine.assessed_on

        def check():
            got = project_comparison(project, on=on, version_id=version.pk)
            brand_values = [engine_percent(a) for a in same]
            group_values = [engine_percent(a) for a in others]
            assert got.brand_mean("overall").mean == pytest.approx(statistics.fmean(brand_values))
            group = got.group_distribution("overall")
            assert group.n == len(group_values)
            assert group.median == pytest.approx(statistics.median(group_values))
            section = "documentation"
            expected = [
                assessment_result(a).sections[section].percent
                for a in others
                if assessment_result(a).sections[section].percent is not None
            ]
            assert got.group_distribution(section).median == pytest.approx(
                statistics.median(expected)
            )

        check()
        # A self-fill of another brand's project is submitted and validated: the
        # cached comparison must follow.
        peer = others[1].project
        self_fill = factories.assessment(
            peer, version, answers=every_answer(version), mode="self_fill"
        )
        reviewer = factories.member(other_brand, BrandRole.LEAD)
        assessment_submit(assessment=self_fill, user=reviewer)
        check_before = project_comparison(project, on=on, version_id=version.pk)
        assert check_before.group_distribution("overall").n == 4
        assessment_validate(assessment=Assessment.objects.get(pk=self_fill.pk), user=reviewer)
        others[1] = Assessment.objects.get(pk=self_fill.pk)
        check()
        assert engine_percent(others[1]) == pytest.approx(100.0)

    def test_it_follows_a_rescore(self, brand, other_brand, project, version):
        mine = scored(project, version, MIXED)
        others = [
            scored(factories.ProjectFactory(brand=other_brand), version, a) for a in (YES, NO, NO)
        ]
        on = mine.assessed_on
        # A stored figure that no longer matches the answers (as after an engine change).
        Score.objects.filter(assessment=others[0]).update(overall=0)
        stale = project_comparison(project, on=on, version_id=version.pk)
        assert stale.group_distribution("overall").upper_quartile == pytest.approx(0.0)

        scores_rescore(dry_run=False)
        fresh = project_comparison(project, on=on, version_id=version.pk)
        values = [engine_percent(a) for a in others]
        assert fresh.group_distribution("overall").median == pytest.approx(
            statistics.median(values)
        )
        assert fresh.group_distribution("overall").upper_quartile > 0


def test_the_group_dashboard_page_follows_a_validation(
    client, brand, project, version, group_viewer, lead
):
    first = scored(project, version, NO)
    client.force_login(group_viewer)
    url = reverse("group_dashboard")
    filters = DashboardFilters.parse({}, today=first.assessed_on)
    assert group_dashboard_data(group_viewer, filters, with_gaps=False).total.overall.mean == 0
    assert client.get(url).context["data"].total.overall.mean == 0
    assert client.get(url).context["data"].total.overall.mean == 0  # from the cache

    self_fill = factories.assessment(
        project, version, answers=every_answer(version), mode="self_fill"
    )
    assessment_submit(assessment=self_fill, user=lead)
    assessment_validate(assessment=Assessment.objects.get(pk=self_fill.pk), user=lead)
    data = client.get(url).context["data"]
    assert data.total.overall.mean == pytest.approx(100.0)
    assert data == group_dashboard_data(group_viewer, filters, with_gaps=False)


def test_the_brand_dashboard_keeps_its_figures_but_reads_drafts_and_actions_afresh(
    brand, project, version, lead, data_scientist
):
    from reports.dashboards import brand_dashboard_data
    from scoring.models import ImprovementAction

    first = scored(project, version, NO)
    filters = DashboardFilters.parse({}, today=first.assessed_on)
    draft = factories.assessment(project, version, answers=NO, mode="self_fill")
    data = brand_dashboard_data(lead, brand, filters)
    assert data.projects[0].overall == 0
    assert data.projects[0].open.answered == 1 and data.actions.total == 0

    answer = Answer.objects.get(assessment=draft, question__key="doc-purpose")
    token = figures_token()
    answer_save(
        assessment=draft,
        question_key="doc-purpose",
        user=data_scientist,
        base_revision=answer.revision,
        data=AnswerInput(option=""),  # cleared
        via="self_fill",
    )
    ImprovementAction.objects.create(
        project=project, question_key="doc-purpose", question_text="t", title="t"
    )
    assert figures_token() == token  # neither changes a figure
    data = brand_dashboard_data(lead, brand, filters)
    assert data.projects[0].open.answered == 0
    assert data.actions.total == 1

    self_fill = factories.assessment(
        project, version, answers=every_answer(version), mode="self_fill"
    )
    assessment_submit(assessment=self_fill, user=lead)
    assessment_validate(assessment=Assessment.objects.get(pk=self_fill.pk), user=lead)
    assert brand_dashboard_data(lead, brand, filters).projects[0].overall == pytest.approx(100.0)

"""Recomputing stored scores: only what changed is written, and the report says what it was."""

import datetime
from decimal import Decimal
from io import StringIO
from itertools import cycle

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoring import engine
from scoring.models import Score, SectionScore
from scoring.services import score_store
from scoring.services.rescore import scores_rescore
from surveys.models import AssessmentStatus
from tests import factories

pytestmark = pytest.mark.django_db


def mixed(version, offset: int = 0) -> dict[str, str]:
    keys = list(version.questions.order_by("order").values_list("key", flat=True))
    pattern = ["yes", "partly", "no", "na", "yes", "partly", "yes"]
    choices = cycle(pattern[offset % 7 :] + pattern[: offset % 7])
    return dict(zip(keys, choices, strict=False))


def scored(project, version, *, status=AssessmentStatus.VALIDATED, offset=0, on=None):
    assessment = factories.assessment(
        project, version, status=status, answers=mixed(version, offset), assessed_on=on
    )
    score_store(assessment=assessment)
    return assessment


def snapshot() -> dict:
    """Every stored figure, by assessment."""
    return {
        score.assessment_id: (
            score.overall,
            score.level,
            score.all_core_met,
            score.core_met,
            score.core_total,
            score.answered,
            score.applicable,
            tuple(score.sections.order_by("section__order").values_list("value", flat=True)),
        )
        for score in Score.objects.all()
    }


@pytest.fixture
def assessments(brand, version):
    """Validated and submitted assessments of a batch, a real-time and a both project."""
    result = []
    for offset, kind in enumerate(["batch", "realtime", "both"]):
        project = factories.ProjectFactory(brand=brand, kind=kind)
        result.append(scored(project, version, offset=offset, on=datetime.date(2025, 3, 1)))
        result.append(
            scored(project, version, status=AssessmentStatus.SUBMITTED, offset=offset + 1)
        )
    return result


class TestNothingChanged:
    def test_scores_stored_at_submission_are_left_alone(self, assessments):
        before = snapshot()
        stamps = dict(Score.objects.values_list("assessment_id", "computed_at"))

        report = scores_rescore(dry_run=False)

        assert (report.checked, report.changed, report.restamped) == (6, 0, 0)
        assert report.changes == []
        assert snapshot() == before
        assert dict(Score.objects.values_list("assessment_id", "computed_at")) == stamps

    def test_drafts_are_not_checked(self, project, version):
        draft = factories.assessment(project, version, answers=mixed(version))
        score_store(assessment=draft)
        Score.objects.filter(assessment=draft).update(overall=Decimal("0.1"))

        report = scores_rescore(dry_run=False)

        assert report.checked == 0
        assert Score.objects.get(assessment=draft).overall == Decimal("0.1")

    def test_drafts_between_checked_assessments_are_skipped(self, project, version):
        first = scored(project, version)
        draft = factories.assessment(project, version, answers=mixed(version))
        score_store(assessment=draft)
        last = scored(project, version, offset=2)
        Score.objects.filter(assessment=draft).update(overall=Decimal("0.1"))
        Score.objects.filter(assessment__in=[first, last]).update(engine_version="0.9")

        report = scores_rescore(dry_run=False)

        assert (report.checked, report.changed, report.restamped) == (2, 0, 2)
        assert Score.objects.get(assessment=draft).overall == Decimal("0.1")

    def test_an_empty_database_is_fine(self, db):
        report = scores_rescore(dry_run=False)
        assert (report.checked, report.changed) == (0, 0)


class TestChanges:
    def test_a_wrong_overall_figure_is_put_right_and_reported(self, assessments):
        expected = snapshot()
        target = assessments[2]
        Score.objects.filter(assessment=target).update(overall=Decimal("0.12345"), level="Initial")

        report = scores_rescore(dry_run=False)

        assert (report.checked, report.changed, report.sections_changed) == (6, 1, 0)
        assert snapshot() == expected
        [change] = report.changes
        assert change.assessment_code == str(target.code)
        assert change.project == target.project.name
        assert change.brand == target.project.brand.name
        assert change.assessed_on == datetime.date(2025, 3, 1)
        assert change.old_percent == pytest.approx(12.345)
        assert change.new_percent == pytest.approx(float(expected[target.id][0]) * 100)
        assert change.old_level == "Initial" != change.new_level

    def test_a_wrong_section_figure_is_put_right(self, assessments):
        expected = snapshot()
        SectionScore.objects.filter(score__assessment=assessments[0]).update(value=Decimal("0"))

        report = scores_rescore(dry_run=False)

        assert report.changed == 1
        assert report.sections_changed == 7
        assert snapshot() == expected

    def test_a_changed_score_gets_the_engine_version_and_time(self, assessments):
        old = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        Score.objects.filter(assessment=assessments[1]).update(
            overall=Decimal("0.5"), engine_version="0.9", computed_at=old
        )

        scores_rescore(dry_run=False)

        score = Score.objects.get(assessment=assessments[1])
        assert score.engine_version == engine.ENGINE_VERSION
        assert score.computed_at > old

    def test_same_figures_from_an_older_engine_are_restamped_not_counted_as_changes(
        self, assessments
    ):
        before = snapshot()
        Score.objects.update(engine_version="0.9")

        report = scores_rescore(dry_run=False)

        assert (report.changed, report.restamped) == (0, 6)
        assert snapshot() == before
        assert set(Score.objects.values_list("engine_version", flat=True)) == {
            engine.ENGINE_VERSION
        }

    def test_a_missing_score_is_stored(self, assessments):
        expected = snapshot()
        Score.objects.filter(assessment=assessments[3]).delete()

        report = scores_rescore(dry_run=False)

        assert report.changed == 1
        assert report.changes[0].was_missing
        assert snapshot() == expected

    def test_a_missing_section_figure_is_stored(self, assessments):
        expected = snapshot()
        SectionScore.objects.filter(score__assessment=assessments[4]).first().delete()

        report = scores_rescore(dry_run=False)

        assert (report.changed, report.sections_changed) == (1, 1)
        assert snapshot() == expected

    def test_answers_changed_behind_the_scores_back_are_picked_up(self, assessments, version):
        target = assessments[0]
        target.answers.filter(is_na=False).update(option=version.options.get(key="yes"))

        report = scores_rescore(dry_run=False)

        assert report.changed == 1
        score = Score.objects.get(assessment=target)
        assert score.overall == 1
        assert score.all_core_met
        assert set(score.sections.values_list("value", flat=True)) <= {Decimal(1), None}

    def test_chunks_do_not_change_the_outcome(self, assessments):
        expected = snapshot()
        Score.objects.update(overall=Decimal("0.5"))
        SectionScore.objects.update(value=Decimal("0.5"))

        report = scores_rescore(dry_run=False, chunk_size=4)

        assert report.changed == 6
        assert snapshot() == expected


class TestDryRun:
    def test_it_reports_what_would_change_and_writes_nothing(self, assessments):
        Score.objects.filter(assessment=assessments[0]).update(overall=Decimal("0.2"))
        Score.objects.filter(assessment=assessments[1]).update(engine_version="0.9")
        tampered = snapshot()

        report = scores_rescore(dry_run=True)

        assert report.dry_run
        assert (report.checked, report.changed, report.restamped) == (6, 1, 1)
        assert snapshot() == tampered
        assert Score.objects.get(assessment=assessments[1]).engine_version == "0.9"


def test_the_number_of_queries_does_not_grow_with_the_assessments(brand, version):
    project = factories.ProjectFactory(brand=brand, kind="both")

    def queries() -> int:
        Score.objects.update(overall=Decimal("0.5"))
        with CaptureQueriesContext(connection) as context:
            scores_rescore(dry_run=False)
        return len(context.captured_queries)

    scored(project, version)
    few = queries()
    for offset in range(9):
        scored(project, version, offset=offset % 6)
    assert queries() == few


class TestCommand:
    def run(self, *args) -> str:
        out = StringIO()
        call_command("rescore", *args, stdout=out)
        return out.getvalue()

    def test_it_says_how_many_were_checked_and_changed(self, assessments):
        target = assessments[0]
        Score.objects.filter(assessment=target).update(overall=Decimal("0.12"))

        output = self.run()

        assert "Checked 6 stored scores" in output
        assert "1 changed" in output
        expected = Score.objects.get(assessment=target).percent
        assert (
            f"{target.project.brand.name} / {target.project.name}, 2025-03-01 (validated): "
            f"12.0% -> {expected:.1f}%"
        ) in output
        assert "Stored scores are up to date." in output

    def test_a_dry_run_says_nothing_was_written(self, assessments):
        Score.objects.filter(assessment=assessments[0]).update(overall=Decimal("0.12"))
        output = self.run("--dry-run")
        assert "1 would change" in output
        assert "Dry run: nothing was written." in output
        assert Score.objects.get(assessment=assessments[0]).overall == Decimal("0.12")

    def test_it_lists_the_first_twenty_changes(self, brand, version):
        project = factories.ProjectFactory(brand=brand, kind="both")
        for offset in range(23):
            scored(project, version, offset=offset % 6)
        Score.objects.update(overall=Decimal("0"))

        output = self.run()

        assert output.count(" -> ") == 20
        assert "... and 3 more." in output

    def test_nothing_to_do_says_so(self, assessments):
        assert "already up to date" in self.run()

"""Evidence posted by pipelines: what evidence_record accepts and refuses, and what the
screens read back (the latest per statement, stale, failing) on the pinned clock."""

import datetime

import pytest
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from surveys import selectors, services
from surveys.models import AssessmentMode, PipelineEvidence, QuestionSet
from tests import factories
from tests.clock import PINNED_NOW

SHA = "3f2a9c4e1b7d8f60a5e4c3b2a1908f7e6d5c4b3a"
KEY = "code-ci"


def _record(project, user, **fields):
    data = {
        "question_key": KEY,
        "url": "https://ci.example.com/acme/cross-sell/runs/81",
        "outcome": "passed",
        "run_id": "81",
        "run_url": "https://ci.example.com/acme/cross-sell/runs/81",
        "commit": SHA,
        "observed_at": PINNED_NOW - datetime.timedelta(days=3),
        "source": "GitHub Actions",
        **fields,
    }
    return services.evidence_record(project=project, user=user, **data)


@pytest.fixture
def draft(project, lead, version):
    return services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.INTERVIEW, version=version
    )


# Recording


def test_it_records_everything_the_pipeline_sent(project, lead, version):
    evidence = _record(project, lead)
    stored = PipelineEvidence.objects.get(pk=evidence.pk)
    assert (stored.project, stored.question_key, stored.outcome) == (project, KEY, "passed")
    assert stored.url == "https://ci.example.com/acme/cross-sell/runs/81"
    assert (stored.run_id, stored.commit, stored.short_commit) == ("81", SHA, SHA[:7])
    assert stored.observed_at == PINNED_NOW - datetime.timedelta(days=3)
    assert stored.received_at.date() == PINNED_NOW.date()
    assert (stored.posted_by, stored.source) == (lead, "GitHub Actions")
    assert stored.question_set is None


def test_it_reads_an_iso_time_a_run_number_and_an_upper_case_commit(project, lead, version):
    evidence = _record(
        project, lead, observed_at="2026-11-17T08:15:00+01:00", run_id=4711, commit=SHA.upper()
    )
    assert evidence.observed_at == datetime.datetime(2026, 11, 17, 7, 15, tzinfo=datetime.UTC)
    assert (evidence.run_id, evidence.commit) == ("4711", SHA)


def test_without_an_observation_time_it_is_the_time_received(project, lead, version):
    evidence = _record(project, lead, observed_at=None, run_id="", run_url="", commit="")
    assert evidence.observed_at == evidence.received_at


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("question_key", "", "question_key is missing"),
        ("question_key", "code ci!", "is not a statement key"),
        ("question_key", "no-such-statement", "is not a statement of any question set"),
        ("url", "", "url is missing"),
        ("url", "ci.example.com/runs/1", "must be a web address"),
        ("url", "javascript:alert(1)", "must be a web address"),
        ("url", "https://ci.example.com/" + "a" * 500, "at most 500 characters"),
        ("outcome", "success", "must be one of passed, failed"),
        ("outcome", "", "outcome is missing"),
        ("run_id", "81\n82", "one line"),
        ("run_id", "r" * 201, "at most 200 characters"),
        ("run_url", "ftp://ci.example.com/run", "must be a web address"),
        ("commit", "3f2a9c", "7 to 64 hexadecimal digits"),
        ("commit", "not-a-sha-at-all", "7 to 64 hexadecimal digits"),
        ("observed_at", "yesterday", "ISO 8601"),
        ("observed_at", "2026-11-17T08:15:00", "needs its time zone"),
        ("observed_at", datetime.datetime(2026, 11, 17, 8, 15), "needs its time zone"),
        ("observed_at", 1763370000, "must be a date and time"),
        ("source", ["GitHub"], "source must be text"),
        ("question_set", "no-such-set", "is not the key of a question set"),
    ],
)
def test_a_bad_field_is_refused_with_a_message_naming_it(
    project, lead, version, field, value, says
):
    with pytest.raises(services.BadEvidence) as refused:
        _record(project, lead, **{field: value})
    assert refused.value.field == field
    assert says in refused.value.message
    assert refused.value.status == 400
    assert not PipelineEvidence.objects.exists()


def test_a_time_in_the_future_is_refused_beyond_the_clock_skew(project, lead, version):
    with override_settings(EVIDENCE_CLOCK_SKEW_SECONDS=300):
        _record(project, lead, observed_at=timezone.now() + datetime.timedelta(seconds=200))
        with pytest.raises(services.BadEvidence) as refused:
            _record(project, lead, observed_at=timezone.now() + datetime.timedelta(minutes=10))
    assert refused.value.field == "observed_at"
    assert "in the future" in refused.value.message
    assert PipelineEvidence.objects.count() == 1


def test_a_statement_that_does_not_apply_to_the_project_is_refused(project, lead, version):
    batch_only = version.questions.filter(applies_to="batch").first()
    assert project.kind == "realtime" and batch_only is not None
    with pytest.raises(services.BadEvidence) as refused:
        _record(project, lead, question_key=batch_only.key)
    assert (refused.value.field, "does not apply") == ("question_key", "does not apply")
    assert "does not apply to Cross-sell API" in refused.value.message


def test_the_set_named_must_have_the_statement(project, lead, version):
    other = QuestionSet.objects.create(key="other-set", name="Other set")
    with pytest.raises(services.BadEvidence) as refused:
        _record(project, lead, question_set=version.question_set.key, question_key="nope")
    assert refused.value.field == "question_key"
    assert version.question_set.name in refused.value.message
    with pytest.raises(services.BadEvidence) as refused:
        _record(project, lead, question_set="other-set")
    assert refused.value.field == "question_key"  # the set exists but has no such statement
    other.active = False
    other.save()
    with pytest.raises(services.BadEvidence) as refused:
        _record(project, lead, question_set="other-set")
    assert refused.value.field == "question_set"
    assert "retired" in refused.value.message
    evidence = _record(project, lead, question_set=version.question_set.key)
    assert evidence.question_set == version.question_set


def test_a_retired_set_counts_while_the_project_has_an_open_assessment_in_it(
    project, lead, version, draft
):
    version.question_set.active = version.question_set.is_main = False
    version.question_set.save()
    assert _record(project, lead).question_key == KEY
    draft.delete()
    with pytest.raises(services.BadEvidence):
        _record(project, lead)


# Who may post


def test_another_brands_user_finds_no_project(project, outsider, version):
    with pytest.raises(Http404):
        _record(project, outsider)
    assert not PipelineEvidence.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "group_viewer"])
def test_read_only_users_are_refused(request, project, version, who):
    with pytest.raises(services.NotAllowed) as refused:
        _record(project, request.getfixturevalue(who))
    assert refused.value.status == 403
    assert not PipelineEvidence.objects.exists()


def test_a_data_scientist_posts_only_for_the_projects_of_their_team(
    brand, project, data_scientist, version
):
    assert _record(project, data_scientist).posted_by == data_scientist
    elsewhere = factories.ProjectFactory(brand=brand, name="Forecast", kind="batch")
    with pytest.raises(services.NotAllowed):
        _record(elsewhere, data_scientist)


@pytest.mark.parametrize("who", ["lead", "group_admin", "group_assessor"])
def test_leads_and_group_assessors_may_post(request, project, version, who):
    assert _record(project, request.getfixturevalue(who)).pk


def test_recording_evidence_changes_no_answer(project, lead, draft):
    before = list(draft.answers.values_list("pk", "revision", "evidence_url"))
    _record(project, lead, outcome="failed")
    assert list(draft.answers.values_list("pk", "revision", "evidence_url")) == before


# Reading it back


def test_the_latest_per_statement_is_the_one_observed_last(project, lead, draft):
    _record(
        project,
        lead,
        url="https://ci.example.com/old",
        observed_at=PINNED_NOW - datetime.timedelta(days=5),
    )
    newest = _record(
        project,
        lead,
        url="https://ci.example.com/new",
        observed_at=PINNED_NOW - datetime.timedelta(days=1),
    )
    # Received last but observed earlier: a late report does not hide a newer one.
    _record(
        project,
        lead,
        url="https://ci.example.com/late",
        observed_at=PINNED_NOW - datetime.timedelta(days=2),
    )
    _record(project, lead, question_key="code-unit-tests", outcome="failed")
    latest = selectors.latest_evidence(draft)
    assert set(latest) == {KEY, "code-unit-tests"}
    assert latest[KEY].evidence == newest
    assert latest[KEY].age == "1 day ago"
    assert latest["code-unit-tests"].failing


def test_stale_and_failing_are_judged_on_the_pinned_clock(project, lead, draft, settings):
    settings.EVIDENCE_STALE_DAYS = 30
    _record(project, lead, observed_at=PINNED_NOW - datetime.timedelta(days=30, minutes=1))
    _record(
        project,
        lead,
        question_key="code-unit-tests",
        observed_at=PINNED_NOW - datetime.timedelta(days=29),
    )
    _record(
        project,
        lead,
        question_key="code-review",
        outcome="failed",
        observed_at=PINNED_NOW - datetime.timedelta(hours=2),
    )
    latest = selectors.latest_evidence(draft)
    assert (latest[KEY].stale, latest[KEY].failing, latest[KEY].state) == (True, False, "stale")
    assert latest[KEY].age == "30 days ago"
    assert (latest["code-unit-tests"].stale, latest["code-unit-tests"].state) == (False, "passed")
    assert latest["code-review"].state == "failing"
    assert latest["code-review"].age == "2 hours ago"
    settings.EVIDENCE_STALE_DAYS = 60
    assert not selectors.latest_evidence(draft)[KEY].stale


def test_evidence_of_another_project_or_set_is_not_shown(
    project, other_project, lead, draft, version
):
    other_set = QuestionSet.objects.create(key="other-set", name="Other set")
    PipelineEvidence.objects.create(
        project=project,
        question_key=KEY,
        question_set=other_set,
        url="https://x.example.com",
        outcome="passed",
        observed_at=PINNED_NOW,
        received_at=PINNED_NOW,
        posted_by=lead,
    )
    PipelineEvidence.objects.create(
        project=other_project,
        question_key=KEY,
        url="https://y.example.com",
        outcome="passed",
        observed_at=PINNED_NOW,
        received_at=PINNED_NOW,
        posted_by=lead,
    )
    assert selectors.latest_evidence(draft) == {}
    mine = _record(project, lead, question_set=version.question_set.key)
    assert selectors.latest_evidence(draft)[KEY].evidence == mine


def test_latest_evidence_is_one_query(project, lead, draft, django_assert_num_queries):
    for days in (1, 2, 3):
        _record(project, lead, observed_at=PINNED_NOW - datetime.timedelta(days=days))
        _record(
            project,
            lead,
            question_key="code-unit-tests",
            observed_at=PINNED_NOW - datetime.timedelta(days=days),
        )
    with django_assert_num_queries(1):
        assert len(selectors.latest_evidence(draft)) == 2


def test_the_history_lists_a_statements_evidence_newest_first(project, lead, draft):
    for days in (4, 1, 9):
        _record(project, lead, observed_at=PINNED_NOW - datetime.timedelta(days=days))
    _record(project, lead, question_key="code-unit-tests")
    history = selectors.evidence_history(draft, KEY)
    assert [h.age for h in history] == ["1 day ago", "4 days ago", "9 days ago"]
    assert len(selectors.evidence_history(draft, KEY, limit=2)) == 2
